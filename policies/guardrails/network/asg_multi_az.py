"""asg-multi-az-behind-load-balancer / asg-multi-az: an ASG spans at least two Availability Zones.

An enforcement level belongs to a policy, not to a violation, so the rule is two policies over one
check: ``asg-multi-az-behind-load-balancer`` (mandatory) covers every ASG that a load balancer sends
traffic to (``targetGroupArns``, ``loadBalancers``, ``trafficSources`` or a standalone attachment), and
``asg-multi-az`` (advisory) covers the rest. Each can be raised or lowered on its own.

Zones come from the subnets in ``vpcZoneIdentifiers`` (``availabilityZone`` or ``availabilityZoneId``);
an ASG without subnets counts its ``availabilityZones``. When some subnets name their zone and others
only the zone id, the two cannot be matched up, so the count is the larger of the two distinct
counts, a lower bound. A subnet outside the stack fails closed unless config says otherwise.

During a first ``pulumi preview`` the subnet ids are unknown; the subnets are then the resources in the
group's ``propertyDependencies`` for ``vpcZoneIdentifiers``, whose zones come from config and are known.
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
from ..stackgraph import Node, StackGraph, describe_reference
from . import tokens as t
from .settings import Settings
from .topology import SUBNET_TYPES, asg_traffic

BEHIND_LOAD_BALANCER = "asg-multi-az-behind-load-balancer"
STANDALONE = "asg-multi-az"


def _schema() -> PolicyConfigSchema:
    return PolicyConfigSchema(
        properties={
            "minimumZones": {
                "type": "integer",
                "minimum": 2,
                "description": "Distinct Availability Zones the group's subnets must span.",
                "default": 2,
            },
            "failOnUnresolvedSubnets": {
                "type": "boolean",
                "description": (
                    "Report a subnet id that matches no subnet in the stack (its zone cannot be known). "
                    "Turn off only when the group deliberately uses subnets managed elsewhere."
                ),
                "default": True,
            },
        }
    )


def _text(value: object) -> str | None:
    text = p.as_str(value)
    return text.strip() if text and text.strip() else None


def zone_problems(graph: StackGraph, asg: Node, settings: Settings) -> list[str]:
    minimum = max(2, settings.integer("minimumZones"))
    problems: list[str] = []
    subnet_refs = p.reference_items(p.get(asg.props, "vpcZoneIdentifiers"))
    if subnet_refs:
        resolution = graph.resolve(asg, "vpcZoneIdentifiers", subnet_refs, SUBNET_TYPES)
        if settings.flag("failOnUnresolvedSubnets"):
            problems += [
                f"vpcZoneIdentifiers entry {describe_reference(ref)} matches no subnet in this stack, so its "
                "Availability Zone cannot be checked"
                for ref in resolution.unresolved
            ]
        zones_of = [
            (
                subnet,
                _text(p.get(subnet.props, "availabilityZone")),
                _text(p.get(subnet.props, "availabilityZoneId")),
            )
            for subnet in resolution.nodes
        ]
        name_of_id = {zone_id.lower(): name.lower() for _, name, zone_id in zones_of if name and zone_id}
        names: set[str] = set()
        ids: set[str] = set()
        for subnet, name, zone_id in zones_of:
            if name:
                names.add(name.lower())
            elif zone_id and zone_id.lower() in name_of_id:
                names.add(name_of_id[zone_id.lower()])
            elif zone_id:
                ids.add(zone_id.lower())
            else:
                problems.append(f"{subnet.label()} names no availabilityZone or availabilityZoneId")
        zones = max(len(names), len(ids))
        where = f"its subnets span {zones} Availability Zone(s)"
    else:
        zone_list = {z.lower() for z in (_text(v) for v in p.as_list(p.get(asg.props, "availabilityZones"))) if z}
        zones = len(zone_list)
        where = (
            f"its availabilityZones list {zones} zone(s)"
            if zone_list
            else "it names no vpcZoneIdentifiers or availabilityZones"
        )
    if zones < minimum:
        problems.append(f"{where}; at least {minimum} distinct zones are required")
    return problems


def _make(name: str, behind: bool) -> StackValidationPolicy:
    schema = _schema()

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        graph = StackGraph(args.resources)
        settings = Settings(args.get_config(), schema)
        for asg in graph.of_type(t.AUTOSCALING_GROUP):
            if asg_traffic(graph, asg).behind_load_balancer != behind:
                continue
            for problem in zone_problems(graph, asg, settings):
                report_violation(f"{asg.label()}: {problem}", asg.urn)

    scope = "behind a load balancer" if behind else "not behind a load balancer"
    return StackValidationPolicy(
        name=name,
        description=f"Every Auto Scaling group {scope} spans at least two Availability Zones.",
        enforcement_level=EnforcementLevel.MANDATORY if behind else EnforcementLevel.ADVISORY,
        severity=Severity.HIGH if behind else Severity.MEDIUM,
        config_schema=schema,
        remediation_steps=(
            "List subnets from at least two Availability Zones in the group's vpcZoneIdentifiers "
            "(one private subnet per zone), declared in this stack so their zones can be checked."
        ),
        validate=validate,
    )


BEHIND_LOAD_BALANCER_POLICY = _make(BEHIND_LOAD_BALANCER, behind=True)
STANDALONE_POLICY = _make(STANDALONE, behind=False)
