"""Connect attachments to instance roles, so an instance's full permissions are checkable in the stack.

Per-resource rules see a ``RolePolicyAttachment`` and a ``Policy`` separately. Only the stack knows that
the attachment links that policy to the role an instance profile hands to EC2. For every instance
role (used by an instance profile, or trusting EC2) this rule follows each customer-managed policy
attachment to the policy document and checks it; an attachment of a customer policy that is not in the
stack cannot be checked, and fails closed unless ``allowExternalCustomerPolicies`` is set. AWS-managed
policies are left to ``iam-aws-managed-policy-allowlist``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from guardrails.iam import quote
from guardrails.identity import permissions
from guardrails.identity._config import defaults
from guardrails.identity.links import (
    INSTANCE_PROFILE,
    POLICY,
    POLICY_ATTACHMENT,
    ROLE,
    ROLE_POLICY_ATTACHMENT,
    ROLE_POLICY_ATTACHMENTS_EXCLUSIVE,
    of_type,
    resolve,
)
from guardrails.identity.managed import aws_managed_name
from guardrails.identity.trust import ec2_principals, trust_document, trusts_ec2
from guardrails.props import as_bool, get

SCHEMA: dict[str, dict[str, Any]] = {
    **permissions.SCHEMA,
    "allowExternalCustomerPolicies": {
        "type": "boolean",
        "default": False,
        "description": "Let instance roles attach customer policies defined outside this stack (unchecked).",
    },
    "ec2ServicePrincipals": {
        "type": "array",
        "items": {"type": "string"},
        "default": ["ec2.amazonaws.com", "ec2.amazonaws.com.cn"],
        "description": "Service principals that make a role an instance role.",
    },
}
DEFAULTS = defaults(SCHEMA)

# Attachment type -> (role property, holds a list?, policy ARN property, holds a list?).
_LINKS: dict[str, tuple[str, bool, str, bool]] = {
    ROLE_POLICY_ATTACHMENT: ("role", False, "policyArn", False),
    POLICY_ATTACHMENT: ("roles", True, "policyArn", False),
    ROLE_POLICY_ATTACHMENTS_EXCLUSIVE: ("roleName", False, "policyArns", True),
}


def instance_roles(resources: Sequence[PolicyResource], config: Mapping[str, Any]) -> list[PolicyResource]:
    roles = of_type(resources, ROLE)
    found: list[PolicyResource] = []
    for profile in of_type(resources, INSTANCE_PROFILE):
        found.extend(r for r in resolve(profile, "role", roles)[0] if r not in found)
    ec2 = ec2_principals(config)
    found.extend(r for r in roles if r not in found and trusts_ec2(trust_document(r.props), ec2))
    return found


def _check_policies(
    via: PolicyResource,
    key: str,
    many: bool,
    role: PolicyResource,
    policies: list[PolicyResource],
    config: Mapping[str, Any],
    report: ReportViolation,
) -> None:
    settings = permissions.Settings.from_config(config)
    allow_external = as_bool(config.get("allowExternalCustomerPolicies")) is True
    resolved, unresolved = resolve(via, key, policies, many=many)
    for policy in resolved:
        problems = permissions.document_problems(get(policy.props, "policy"), settings)
        if problems:
            report(
                f"{quote(via.name)} attaches Policy {quote(policy.name)} "
                f"to instance role {quote(role.name)}, "
                f"and that policy {problems[0]}" + (f" (+{len(problems) - 1} more)." if len(problems) > 1 else "."),
                via.urn,
            )
    for arn in unresolved:
        if aws_managed_name(arn) is None and not allow_external:
            report(
                f"{quote(via.name)} attaches customer policy {quote(arn.rsplit('/', 1)[-1])} to instance "
                f"role {quote(role.name)}, but it is not defined in this stack, so its document cannot be "
                "checked.",
                via.urn,
            )


def _validate(args: StackValidationArgs, report: ReportViolation) -> None:
    config = {**DEFAULTS, **dict(args.get_config() or {})}
    roles = instance_roles(args.resources, config)
    if not roles:
        return
    all_roles = of_type(args.resources, ROLE)
    policies = of_type(args.resources, POLICY)
    for role in roles:
        _check_policies(role, "managedPolicyArns", True, role, policies, config, report)
    for attachment_type, (role_key, many_roles, policy_key, many) in _LINKS.items():
        for attachment in of_type(args.resources, attachment_type):
            # Resolve against every role: matching only instance roles would read (maybe unknown) names
            # of attachments that belong to other roles.
            linked_roles, _ = resolve(attachment, role_key, all_roles, many=many_roles)
            for role in (r for r in linked_roles if r in roles):
                _check_policies(attachment, policy_key, many, role, policies, config, report)


instance_role_attachments = StackValidationPolicy(
    name="iam-instance-role-attached-policies",
    description=(
        "Every customer-managed policy attached to an instance role is defined in the stack and passes "
        "iam-least-privilege-permissions."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation_steps=(
        "Define the instance role's customer policies in this stack (aws.iam.Policy) so their documents "
        "can be checked, and fix the document problem named in the message; or set "
        "allowExternalCustomerPolicies after reviewing the external policy."
    ),
    config_schema=PolicyConfigSchema(properties=SCHEMA),
    validate=_validate,
)
