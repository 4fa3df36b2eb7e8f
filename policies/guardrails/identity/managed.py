"""Which AWS-managed policies a role may carry: an allowlist, matched in every partition.

AWS-managed policies are written for every customer at once, so most grant far more than one
workload needs (``AdministratorAccess``, ``PowerUserAccess``, the ``job-function/`` family). Their
documents are not in the stack, so they are judged by name: ``arn:<partition>:iam::aws:policy/<path/>Name``
in any partition (``aws``, ``aws-cn``, ``aws-us-gov``, ``aws-iso``, ``aws-iso-b``, ...). An allowlist
entry is the name with its path (``job-function/ViewOnlyAccess``); a bare name matches the root path only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from guardrails.iam import quote
from guardrails.identity._config import config_strings, defaults, only_types
from guardrails.props import UNKNOWN, Undecided, canonical_type, reference, reference_items, unknown_error

_AWS_MANAGED = re.compile(r"^\s*arn:[^:]*:iam::aws:policy/(?P<name>.+?)\s*$", re.IGNORECASE)

SCHEMA: dict[str, dict[str, Any]] = {
    "allowedManagedPolicies": {
        "type": "array",
        "items": {"type": "string"},
        "default": ["AmazonSSMManagedInstanceCore", "CloudWatchAgentServerPolicy"],
        "description": "AWS-managed policy names (with their path, if any) that roles may attach.",
    },
}
DEFAULTS = defaults(SCHEMA)

# Where a policy ARN is attached, and whether the property holds one ARN or a list.
ATTACHMENT_PROPS: dict[str, tuple[str, bool]] = {
    "aws:iam/role:Role": ("managedPolicyArns", True),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ("policyArn", False),
    "aws:iam/policyAttachment:PolicyAttachment": ("policyArn", False),
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": ("policyArns", True),
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": ("policyArn", False),
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": ("policyArn", False),
}


def aws_managed_name(arn: str) -> str | None:
    """``job-function/ViewOnlyAccess`` for an AWS-managed policy ARN in any partition; else ``None``."""
    match = _AWS_MANAGED.match(arn)
    return match.group("name") if match else None


def is_allowed(name: str, allowlist: list[str]) -> bool:
    return name.lower() in {entry.strip().lower() for entry in allowlist}


def attached_arns(resource_type: str, props: Mapping[str, Any]) -> list[Any]:
    """The attached ARNs; one unknown during preview is :data:`props.UNKNOWN`, beside the known ones."""
    key, _ = ATTACHMENT_PROPS[canonical_type(resource_type)]
    return reference_items(reference(props, key))


def _validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
    allowlist = config_strings(args.get_config(), "allowedManagedPolicies", DEFAULTS["allowedManagedPolicies"])
    key, many = ATTACHMENT_PROPS[canonical_type(args.resource_type)]
    reported: list[str] = []

    def report_one(message: str) -> None:
        reported.append(message)
        report(message, None)

    values = attached_arns(args.resource_type, args.props)
    if not values and not many:
        report_one(f"{quote(args.name)} has no {key}; an attachment that cannot be read fails closed.")
    undecided = Undecided()
    for index, value in enumerate(values):
        where = f"{key}[{index}]" if many else key
        if value is UNKNOWN:
            undecided.note(unknown_error(where))
            continue
        if not isinstance(value, str) or not value.strip():
            report_one(f"{quote(args.name)} {where} is not an ARN string; it fails closed.")
            continue
        name = aws_managed_name(value)
        if name is not None and not is_allowed(name, allowlist):
            report_one(
                f"{quote(args.name)} {where} attaches AWS-managed policy {quote(name)}, which is not in "
                f"allowedManagedPolicies ({', '.join(allowlist) or 'empty'})."
            )
    undecided.raise_if_nothing_decided(bool(reported))


managed_policy_allowlist = ResourceValidationPolicy(
    name="iam-aws-managed-policy-allowlist",
    description="Roles attach AWS-managed policies only from an allowlist, in every partition.",
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation_steps=(
        "Replace broad AWS-managed policies (AdministratorAccess, PowerUserAccess, job-function/*) with a "
        "customer policy listing the actions the workload needs, or add the policy to allowedManagedPolicies "
        "after review."
    ),
    config_schema=PolicyConfigSchema(properties=SCHEMA),
    validate=only_types(ATTACHMENT_PROPS, _validate),
)
