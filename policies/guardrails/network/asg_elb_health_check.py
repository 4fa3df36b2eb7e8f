"""asg-elb-health-check: an ASG behind a load balancer replaces instances the load balancer marks unhealthy.

With the default ``EC2`` health check, an instance whose application fails the target group's check
keeps its place in the group and keeps failing requests. "Behind a load balancer" is decided as in
the other stack rules: ``targetGroupArns``, ``loadBalancers``, ``trafficSources`` or an attachment.
"""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from .. import props as p
from ..stackgraph import StackGraph
from . import tokens as t
from .settings import Settings
from .topology import asg_traffic

NAME = "asg-elb-health-check"

CONFIG = PolicyConfigSchema(
    properties={
        "includeClassicLoadBalancers": {
            "type": "boolean",
            "description": "Also require ELB health checks for groups behind only a classic load balancer.",
            "default": True,
        },
    }
)


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    graph = StackGraph(args.resources)
    settings = Settings(args.get_config(), CONFIG)
    for asg in graph.of_type(t.AUTOSCALING_GROUP):
        traffic = asg_traffic(graph, asg)
        targets = traffic.target_groups
        has_targets = bool(targets.nodes or targets.unresolved or targets.unknown)
        if not has_targets and not (settings.flag("includeClassicLoadBalancers") and traffic.behind_load_balancer):
            continue
        raw = p.as_str(p.get(asg.props, "healthCheckType"))
        if raw is None or raw.strip().upper() != "ELB":
            state = "unset (AWS default EC2)" if raw is None else ("EC2" if raw.strip().upper() == "EC2" else "not ELB")
            report_violation(f"{asg.label()} is behind a load balancer but healthCheckType is {state}", asg.urn)


POLICY = StackValidationPolicy(
    name=NAME,
    description="Auto Scaling groups behind a load balancer use ELB health checks.",
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.LOW,
    config_schema=CONFIG,
    remediation_steps='Set healthCheckType="ELB" and a healthCheckGracePeriod that covers boot.',
    validate=_validate,
)
