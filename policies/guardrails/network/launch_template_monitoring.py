"""launch-template-detailed-monitoring: instances launched from a template report 1-minute metrics.

With basic monitoring EC2 publishes metrics every 5 minutes, so target tracking and alarms react five
times slower (checkov CKV_AWS_126, AWSGuard "ec2-instance-detailed-monitoring-enabled"). A launch
template's ``monitoring.enabled`` must be true; unset means basic. With ``includeInstances``, standalone
``aws:ec2/instance:Instance`` resources (``monitoring``) are held to the same rule.
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
from .settings import Settings

NAME = "launch-template-detailed-monitoring"

CONFIG = PolicyConfigSchema(
    properties={
        "includeInstances": {
            "type": "boolean",
            "description": "Also require monitoring on standalone EC2 instances (the lab instance is one).",
            "default": False,
        },
    }
)


def problem(resource_type: str, props: object) -> str | None:
    if resource_type == t.LAUNCH_TEMPLATE:
        monitoring = p.get(props, "monitoring")
        if monitoring is None:
            return "monitoring is unset (basic, 5-minute metrics)"
        if not p.is_mapping(monitoring):
            return "monitoring cannot be read; it fails closed"
        enabled = p.get(monitoring, "enabled")
        if p.as_bool(enabled) is not True:
            return "monitoring.enabled is " + ("unset (basic, 5-minute metrics)" if enabled is None else "not true")
        return None
    enabled = p.get(props, "monitoring")
    if p.as_bool(enabled) is not True:
        return "monitoring is " + ("unset (basic, 5-minute metrics)" if enabled is None else "not true")
    return None


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    resource_type = p.canonical_type(args.resource_type)
    if resource_type == t.INSTANCE and not Settings(args.get_config(), CONFIG).flag("includeInstances"):
        return
    if resource_type not in (t.LAUNCH_TEMPLATE, t.INSTANCE):
        return
    found = problem(resource_type, args.props)
    if found:
        report_violation(f"{found}; detailed monitoring gives 1-minute metrics", None)


POLICY = ResourceValidationPolicy(
    name=NAME,
    description="Launch templates (and, if configured, instances) enable detailed (1-minute) monitoring.",
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.LOW,
    config_schema=CONFIG,
    remediation_steps=(
        "Set monitoring={enabled: True} on the launch template (monitoring=True on an instance); this "
        "project: detailedMonitoring true."
    ),
    validate=_validate,
)
