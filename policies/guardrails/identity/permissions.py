"""What a permissions document may allow: least privilege, decided from the IAM action database.

Every ``Allow`` statement is read through the shared parser and judged on what its actions *expand
to*, not on how they are spelled: ``IAM:PassRole``, ``iam:Pas?Role`` and ``iam:*Policy*`` are the same
risk as the names they match. ``Deny`` statements only take permissions away and are never flagged.
Conditions never excuse an escalation action on a wildcard resource: condition keys are easy to get
subtly wrong, and a wrong one fails open.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from guardrails.actions import ActionInfo, expand, has_wildcard, is_effectively_star, is_full_wildcard
from guardrails.iam import ParseError, Statement, parse_document, quote
from guardrails.identity._config import config_strings, defaults, only_types
from guardrails.props import (
    UNKNOWN,
    Undecided,
    canonical_type,
    get,
    is_mapping,
    is_sequence,
    is_unknown_at,
    unknown_error,
)

ESCALATION_ACTIONS = [
    "iam:PassRole",
    "iam:Create*Policy*",
    "iam:Put*Policy*",
    "iam:Attach*Policy*",
    "iam:Detach*Policy*",
    "iam:Delete*Policy*",
    "iam:Update*Policy*",
    "iam:SetDefaultPolicyVersion",
    "iam:CreateRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:AddUserToGroup",
    "sts:AssumeRole*",
    "sts:GetFederationToken",
    "lambda:CreateFunction",
    "lambda:UpdateFunctionCode",
    "lambda:UpdateFunctionConfiguration",
    "lambda:InvokeFunction",
    "ec2:RunInstances",
    "ec2:AssociateIamInstanceProfile",
    "ec2:ReplaceIamInstanceProfileAssociation",
    "ec2:CreateLaunchTemplateVersion",
    "ec2:ModifyInstanceAttribute",
    "ssm:SendCommand",
    "ssm:StartSession",
    "cloudformation:CreateStack",
    "cloudformation:UpdateStack",
    "glue:CreateDevEndpoint",
    "glue:UpdateDevEndpoint",
    "codebuild:CreateProject",
    "codebuild:StartBuild",
    "ecs:RunTask",
    "ecs:RegisterTaskDefinition",
    "datapipeline:CreatePipeline",
    "sagemaker:CreateNotebookInstance",
]

SCHEMA: dict[str, dict[str, Any]] = {
    "forbiddenWildcardAccessLevels": {
        "type": "array",
        "items": {"type": "string"},
        "default": ["Write", "Permissions management", "Tagging"],
        "description": "A wildcard action pattern may not expand to any action at these access levels.",
    },
    "escalationAccessLevels": {
        "type": "array",
        "items": {"type": "string"},
        "default": ["Permissions management"],
        "description": "Access levels whose actions all escalate privilege on a wildcard resource.",
    },
    "escalationActions": {
        "type": "array",
        "items": {"type": "string"},
        "default": ESCALATION_ACTIONS,
        "description": "Action patterns that escalate privilege (role passing, policy/role mutation, keys).",
    },
}
DEFAULTS = defaults(SCHEMA)

# Resource types that carry one permissions document in `policy`.
DOCUMENT_TYPES = {
    "aws:iam/rolePolicy:RolePolicy": "RolePolicy",
    "aws:iam/policy:Policy": "Policy",
    "aws:iam/userPolicy:UserPolicy": "UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy": "GroupPolicy",
}
ROLE = "aws:iam/role:Role"
_EXAMPLES = 3


@dataclass(frozen=True)
class Settings:
    forbidden_wildcard_levels: frozenset[str]
    escalation_levels: frozenset[str]
    escalation_patterns: tuple[str, ...]

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        def read(key: str) -> list[str]:
            return config_strings(config, key, DEFAULTS[key])

        return cls(
            frozenset(read("forbiddenWildcardAccessLevels")),
            frozenset(read("escalationAccessLevels")),
            tuple(read("escalationActions")),
        )


@lru_cache(maxsize=64)
def _escalation_names(patterns: tuple[str, ...]) -> frozenset[str]:
    names = {info.name.lower() for pattern in patterns for info in expand(pattern)}
    names.update(p.strip().lower() for p in patterns if not has_wildcard(p))
    return frozenset(names)


def _examples(infos: list[ActionInfo]) -> str:
    shown = ", ".join(info.name for info in infos[:_EXAMPLES])
    return shown + (f" and {len(infos) - _EXAMPLES} more" if len(infos) > _EXAMPLES else "")


def _action_problem(action: str, star: str | None, statement: Statement, settings: Settings) -> str | None:
    head = f"{statement.label} allows {quote(action)}"
    if is_full_wildcard(action):
        return f"{head}: every action of {'every service' if action.startswith('*') else 'the service'}"
    infos = list(expand(action))
    if has_wildcard(action):
        writes = [i for i in infos if i.access_level in settings.forbidden_wildcard_levels]
        if writes:
            examples = _examples(writes)
            return f"{head}, a wildcard that expands to write or permissions-management actions ({examples})"
        if not infos:
            # A service newer than the database: what the pattern grants cannot be shown to be read-only.
            return f"{head}, a wildcard matching no action in the IAM action database: its reach cannot be proven"
    if star is None:
        return None
    on = f"on wildcard resource {quote(star)}"
    escalation = _escalation_names(settings.escalation_patterns)
    risky = [i for i in infos if i.name.lower() in escalation or i.access_level in settings.escalation_levels]
    if risky or (not infos and action.lower() in escalation):
        why = " (a Condition does not make this safe)" if statement.has_condition else ""
        return f"{head} {on}: privilege escalation ({_examples(risky) or action}){why}"
    if not infos:
        return f"{head} {on}, but it is not in the IAM action database, so its scope cannot be proven"
    scoped = [i for i in infos if i.resource_level]
    if scoped:
        examples = _examples(scoped)
        return f"{head} {on}, but it supports resource-level permissions ({examples}): scope Resource to ARNs"
    return None


def statement_problems(statement: Statement, settings: Settings) -> list[str]:
    if not statement.allows:
        return []
    problems: list[str] = []
    if statement.not_action:
        problems.append(f"{statement.label} uses NotAction with Allow, which allows every action not listed")
    if statement.not_resource:
        problems.append(f"{statement.label} uses NotResource with Allow, which allows every resource not listed")
    if not statement.has_resource:
        problems.append(f"{statement.label} has no Resource; an identity policy statement must name its resources")
    if statement.not_action:
        return problems
    star: str | None = "*" if statement.not_resource else None
    if star is None:
        star = next((r for r in statement.resources if is_effectively_star(r)), None)
    for action in statement.actions:
        problem = _action_problem(action, star, statement, settings)
        if problem:
            problems.append(problem)
    return problems


def document_problems(value: Any, settings: Settings) -> list[str]:
    """Every least-privilege problem in one permissions document (JSON text or object).

    The known statements decide first; a document with unknown parts and no known problem raises
    ``UnknownValueError`` (the SDK's "can't run during preview"), since what is unknown may grant anything.
    """
    document = parse_document(value)
    if isinstance(document, ParseError):
        return [f"cannot be parsed ({document.reason}); an unreadable permissions document fails closed"]
    problems = [problem for statement in document.statements for problem in statement_problems(statement, settings)]
    if not problems and not document.complete:
        raise unknown_error("policy")
    return problems


def _inline_documents(props: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """``(label, document)`` for a role's ``inlinePolicies``; an entry without a policy grants nothing.

    An entry or document unknown during preview is listed as :data:`props.UNKNOWN`, beside the known ones.
    """
    policies = get(props, "inlinePolicies")
    entries = policies if is_sequence(policies) else [] if policies is None else [policies]
    found: list[tuple[str, Any]] = []
    for index in range(len(entries)):
        label = f"inlinePolicies[{index}]"
        if is_unknown_at(entries, index):
            found.append((label, UNKNOWN))
            continue
        entry = entries[index]
        if not is_mapping(entry):
            found.append((label, entry))
            continue
        document = UNKNOWN if is_unknown_at(entry, "policy") else get(entry, "policy")
        if document is None:
            continue
        name = None if is_unknown_at(entry, "name") else get(entry, "name")
        label = f"inline policy {quote(name)}" if isinstance(name, str) and name else label
        found.append((label, document))
    return found


def _validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
    settings = Settings.from_config(args.get_config())
    resource_type = canonical_type(args.resource_type)
    if resource_type == ROLE:
        sources = _inline_documents(args.props)
        owner = f"Role {quote(args.name)}"
    else:
        sources = [("policy", get(args.props, "policy"))]
        owner = f"{DOCUMENT_TYPES[resource_type]} {quote(args.name)}"
    undecided = Undecided()
    reported = False
    for label, document in sources:
        if document is UNKNOWN:
            undecided.note(unknown_error(label))
            continue
        with undecided.guard():
            for problem in document_problems(document, settings):
                report(f"{owner} {label}: {problem}.", None)
                reported = True
    undecided.raise_if_nothing_decided(reported)


least_privilege = ResourceValidationPolicy(
    name="iam-least-privilege-permissions",
    description=(
        "Allow statements grant no '*' or 'service:*' action, no wildcard that expands to write actions, no "
        "NotAction/NotResource, wildcard resources only for actions without resource-level permissions, and "
        "no privilege-escalation action on a wildcard resource."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation_steps=(
        "List the exact actions the workload calls (e.g. 's3:GetObject', not 's3:*' or 's3:Put*') and scope "
        "Resource to the ARNs it touches (e.g. 'arn:aws:s3:::my-bucket/*'). Keep Resource '*' for actions "
        "the IAM reference says cannot be scoped. Grant iam:PassRole and policy/role mutation only on "
        "named ARNs."
    ),
    config_schema=PolicyConfigSchema(properties=SCHEMA),
    validate=only_types([ROLE, *DOCUMENT_TYPES], _validate),
)
