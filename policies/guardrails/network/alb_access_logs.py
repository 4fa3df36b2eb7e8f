"""alb-access-logs: load balancers write access logs to S3.

Without access logs there is no record of who sent what to the load balancer (checkov CKV_AWS_91,
AWSGuard "elb-access-logging-enabled"). ``accessLogs.enabled`` defaults to false in the provider even
when a bucket is given, so only an explicit true with a bucket passes. A bucket name unknown during
preview (the stack creates the bucket) is still a bucket. The ``aws:alb/...`` alias token is read as
``aws:lb/...``.
"""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .. import props as p
from . import tokens as t
from .settings import LOAD_BALANCER_TYPES, load_balancer_types

NAME = "alb-access-logs"

CONFIG = PolicyConfigSchema(properties=dict(LOAD_BALANCER_TYPES))


def problem(props: object) -> str | None:
    """Why ``props`` of a load balancer do not log to S3; ``None`` when they do."""
    logs = p.get(props, "accessLogs")
    if logs is None:
        return "has no accessLogs (AWS default: off)"
    if not p.is_mapping(logs):
        return "accessLogs cannot be read; it fails closed"
    enabled = p.get(logs, "enabled")
    if p.as_bool(enabled) is not True:
        return "accessLogs.enabled is " + ("unset (provider default false)" if enabled is None else "not true")
    if p.is_unknown_at(logs, "bucket"):
        return None
    bucket = p.as_str(p.get(logs, "bucket"))
    if bucket is None or not bucket.strip():
        return "accessLogs names no bucket"
    return None


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if p.canonical_type(args.resource_type) != t.LOAD_BALANCER:
        return
    kind = p.as_str(p.get(args.props, "loadBalancerType"))
    kind = kind.strip().lower() if kind else "application"
    if kind not in load_balancer_types(args.get_config()):
        return
    found = problem(args.props)
    if found:
        report_violation(f"{kind} load balancer {found}", None)


POLICY = ResourceValidationPolicy(
    name=NAME,
    description="Load balancers write access logs to an S3 bucket.",
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    config_schema=CONFIG,
    remediation_steps=(
        "Set accessLogs={bucket: <log bucket>, prefix: <prefix>, enabled: True} on the load balancer, with a "
        "bucket whose policy admits the region's ELB log-delivery principal (this project: accessLogs true)."
    ),
    validate=_validate,
)
