"""Who may assume a role: nobody through a wildcard, and only EC2 for a role that instances use.

A trust policy is the identity boundary's front door: a ``*`` principal (in any of its spellings) lets
any AWS account assume the role, whatever its permissions say. An instance role that also trusts
another service or account hands the instance's identity to that principal.

The EC2 service principal is ``ec2.amazonaws.com`` in every partition; ``ec2.amazonaws.com.cn`` is
accepted too because older China-partition roles use it. Both are configurable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from guardrails.actions import expand, has_wildcard, is_full_wildcard
from guardrails.iam import Document, ParseError, parse_document, quote
from guardrails.identity._config import config_strings, defaults, only_types
from guardrails.identity.links import INSTANCE_PROFILE, ROLE, of_type, resolve
from guardrails.props import Undecided, get, unknown_error

_EC2_PRINCIPALS_SCHEMA = {
    "type": "array",
    "items": {"type": "string"},
    "default": ["ec2.amazonaws.com", "ec2.amazonaws.com.cn"],
    "description": "Service principals that count as EC2 (China partition roles may use the .cn form).",
}
_TRUST_ACTIONS_SCHEMA = {
    "type": "array",
    "items": {"type": "string"},
    "default": ["sts:AssumeRole"],
    "description": "The only actions an instance role's trust policy may allow.",
}
_INSTANCE_TRUST_SCHEMA = {
    "ec2ServicePrincipals": _EC2_PRINCIPALS_SCHEMA,
    "allowedTrustActions": _TRUST_ACTIONS_SCHEMA,
}
_INSTANCE_TRUST_DEFAULTS = defaults(_INSTANCE_TRUST_SCHEMA)


def trust_document(props: object) -> Document | ParseError:
    return parse_document(get(props, "assumeRolePolicy"))


def wildcard_trust_problems(document: Document | ParseError) -> list[str]:
    """Why the trust policy lets anyone in: ``*`` in any principal form, or ``NotPrincipal`` with Allow."""
    if isinstance(document, ParseError):
        return [f"assumeRolePolicy cannot be parsed ({document.reason}); an unreadable trust policy fails closed"]
    problems: list[str] = []
    for statement in document.statements:
        if not statement.allows:
            continue
        if statement.not_principal:
            problems.append(f"{statement.label} uses NotPrincipal with Allow, which trusts every principal not listed")
        elif not statement.has_principal:
            problems.append(f"{statement.label} has no Principal; a trust statement must name who may assume the role")
        problems.extend(
            f"{statement.label} trusts {p.kind} {quote(p.value)}, i.e. any principal"
            for p in statement.principals
            if p.is_wildcard
        )
    return problems


def ec2_principals(config: Mapping[str, Any]) -> set[str]:
    names = config_strings(config, "ec2ServicePrincipals", _INSTANCE_TRUST_DEFAULTS["ec2ServicePrincipals"])
    return {name.strip().lower() for name in names}


def trusts_ec2(document: Document | ParseError, ec2: set[str]) -> bool:
    """Whether a known statement trusts EC2; ``UnknownValueError`` when only an unknown part could say."""
    if isinstance(document, ParseError):
        return False
    found = any(
        p.kind == "Service" and p.value.strip().lower() in ec2
        for s in document.statements
        if s.allows and not s.not_principal
        for p in s.principals
    )
    if not found and not document.complete:
        raise unknown_error("assumeRolePolicy")
    return found


def _known_to_trust_ec2(document: Document | ParseError, ec2: set[str], undecided: Undecided) -> bool:
    """:func:`trusts_ec2`, with an undecided answer noted and read as "not known to trust EC2"."""
    with undecided.guard():
        return trusts_ec2(document, ec2)
    return False


def _action_problems(label: str, actions: Iterable[str], allowed: list[str]) -> list[str]:
    allowed_names = {a.strip().lower() for a in allowed}
    problems: list[str] = []
    for action in actions:
        names = {i.name.lower() for i in expand(action)} if has_wildcard(action) else {action.lower()}
        if is_full_wildcard(action) or not names or not names <= allowed_names:
            only = ", ".join(allowed)
            problems.append(f"{label} allows {quote(action)}; an instance role's trust may allow only {only}")
    return problems


def instance_trust_problems(document: Document | ParseError, config: Mapping[str, Any]) -> list[str]:
    """Why this trust policy is not "EC2, sts:AssumeRole, nothing else"."""
    if isinstance(document, ParseError):
        return [f"assumeRolePolicy cannot be parsed ({document.reason}); an unreadable trust policy fails closed"]
    ec2 = ec2_principals(config)
    allowed = config_strings(config, "allowedTrustActions", _INSTANCE_TRUST_DEFAULTS["allowedTrustActions"])
    problems: list[str] = []
    if not _known_to_trust_ec2(document, ec2, Undecided()) and document.complete:
        problems.append("its trust policy does not allow ec2.amazonaws.com to assume it")
    for statement in document.statements:
        if not statement.allows:
            continue
        if statement.not_principal:
            problems.append(f"{statement.label} uses NotPrincipal with Allow, which trusts every principal not listed")
        problems.extend(
            f"{statement.label} also trusts {p.kind} {quote(p.value)}; an instance role must trust only EC2"
            for p in statement.principals
            if not (p.kind == "Service" and p.value.strip().lower() in ec2)
        )
        if statement.not_action:
            problems.append(f"{statement.label} uses NotAction with Allow, which allows every action not listed")
        else:
            problems.extend(_action_problems(statement.label, statement.actions, allowed))
    return problems


def _undecided_unless(problems: list[str], document: Document | ParseError) -> None:
    """Known problems decide; without any, a partly unknown trust policy cannot be judged yet."""
    if not problems and isinstance(document, Document) and not document.complete:
        raise unknown_error("assumeRolePolicy")


def _validate_no_wildcard(args: ResourceValidationArgs, report: ReportViolation) -> None:
    document = trust_document(args.props)
    problems = wildcard_trust_problems(document)
    for problem in problems:
        report(f"Role {quote(args.name)}: {problem}.", None)
    _undecided_unless(problems, document)


def _validate_instance_trust(args: ResourceValidationArgs, report: ReportViolation) -> None:
    document = trust_document(args.props)
    if not trusts_ec2(document, ec2_principals(args.get_config())):
        return
    problems = instance_trust_problems(document, args.get_config())
    for problem in problems:
        report(f"Instance role {quote(args.name)}: {problem}.", None)
    _undecided_unless(problems, document)


def _validate_profile_roles(args: StackValidationArgs, report: ReportViolation) -> None:
    """Roles used by instance profiles but not trusting EC2 (the resource rule covers those that do)."""
    config = args.get_config()
    roles = of_type(args.resources, ROLE)
    undecided = Undecided()
    reported = False
    for profile in of_type(args.resources, INSTANCE_PROFILE):
        resolved, _ = resolve(profile, "role", roles)
        for role in resolved:
            document = trust_document(role.props)
            if _known_to_trust_ec2(document, ec2_principals(config), undecided):
                continue
            problems = instance_trust_problems(document, config)
            for problem in problems:
                report(
                    f"Role {quote(role.name)} is used by instance profile {quote(profile.name)}, but {problem}.",
                    role.urn,
                )
                reported = True
            with undecided.guard():
                _undecided_unless(problems, document)
    undecided.raise_if_nothing_decided(reported)


no_wildcard_trust = ResourceValidationPolicy(
    name="iam-role-trust-no-wildcard-principal",
    description=("No IAM role trusts a '*' principal in any form (AWS, Federated, Service, root ARN, NotPrincipal)."),
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation_steps=(
        "Name the exact principal that may assume the role in assumeRolePolicy (a service such as "
        "ec2.amazonaws.com, or a specific account/role ARN); never '*', 'arn:aws:iam::*:root' or "
        "NotPrincipal."
    ),
    config_schema=PolicyConfigSchema(properties={}),
    validate=only_types([ROLE], _validate_no_wildcard),
)

instance_role_trust = ResourceValidationPolicy(
    name="iam-instance-role-trust-ec2-only",
    description="A role that trusts EC2 trusts only ec2.amazonaws.com, and only with sts:AssumeRole.",
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation_steps=(
        'Give the instance role its own trust policy: {"Effect": "Allow", "Principal": {"Service": '
        '"ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}. Use a separate role for any other service or '
        "account."
    ),
    config_schema=PolicyConfigSchema(properties=_INSTANCE_TRUST_SCHEMA),
    validate=only_types([ROLE], _validate_instance_trust),
)

instance_profile_role_trust = StackValidationPolicy(
    name="iam-instance-profile-role-trust-ec2-only",
    description="A role attached to an instance profile trusts only ec2.amazonaws.com with sts:AssumeRole.",
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation_steps=(
        "An instance profile's role is the instance's identity: make its assumeRolePolicy allow only "
        "ec2.amazonaws.com to call sts:AssumeRole, or attach a different role to the instance profile."
    ),
    config_schema=PolicyConfigSchema(properties=_INSTANCE_TRUST_SCHEMA),
    validate=_validate_profile_roles,
)
