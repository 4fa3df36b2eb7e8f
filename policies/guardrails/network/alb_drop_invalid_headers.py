"""alb-drop-invalid-headers: application load balancers drop HTTP headers with invalid names.

Headers with invalid characters are a request-smuggling vector; AWS forwards them unless
``dropInvalidHeaderFields`` is true. ``loadBalancerType`` defaults to ``application`` when unset. The
``aws:alb/...`` alias token is read as ``aws:lb/...``.
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

NAME = "alb-drop-invalid-headers"

CONFIG = PolicyConfigSchema(properties=dict(LOAD_BALANCER_TYPES))


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if p.canonical_type(args.resource_type) != t.LOAD_BALANCER:
        return
    kind = p.as_str(p.get(args.props, "loadBalancerType"))
    kind = kind.strip().lower() if kind else "application"
    if kind not in load_balancer_types(args.get_config()):
        return
    raw = p.get(args.props, "dropInvalidHeaderFields")
    if p.as_bool(raw) is not True:
        state = "unset (AWS default false)" if raw is None else "not true"
        report_violation(f"{kind} load balancer dropInvalidHeaderFields is {state}", None)


POLICY = ResourceValidationPolicy(
    name=NAME,
    description="Application load balancers drop HTTP headers with invalid header names.",
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    config_schema=CONFIG,
    remediation_steps="Set dropInvalidHeaderFields=True on the load balancer.",
    validate=_validate,
)
