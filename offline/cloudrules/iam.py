"""IAM: roles, inline and managed policies, policy attachments and instance profiles.

Name, path and description patterns are those of the AWS API model (botocore's ``iam`` shapes
``roleNameType``, ``pathType``, ``roleDescriptionType``, ``policyNameType``, ``instanceProfileNameType``);
sizes are IAM's quotas, which count a policy's characters without whitespace.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from offline.cloudrules.model import CloudResource, Finding, World
from offline.cloudrules.quotas import limit
from offline.cloudrules.registry import rule
from offline.cloudrules.values import items, known_str, mapping, plain

IAM_API = "https://docs.aws.amazon.com/IAM/latest/APIReference"
QUOTAS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
PROFILE = "aws:iam/instanceProfile:InstanceProfile"
POLICY = "aws:iam/policy:Policy"

NAME = re.compile(r"[\w+=,.@-]+", re.ASCII)
POLICY_TEXT = re.compile(r"[\u0009\u000a\u000d\u0020-\u00ff]+")
TRUST_POLICY_MAX = 2048
INLINE_ROLE_POLICIES_MAX = 10240
MANAGED_POLICY_MAX = 6144
MANAGED_POLICIES_PER_ROLE = 10
POLICY_ARN = re.compile(
    r"arn:aws(-cn|-us-gov|-iso|-iso-[a-z])?:iam::(aws|\d{12}):policy/([\u0021-\u007e]+/)?[\w+=,.@-]+"
)


def _name(prop: str, name: str | None, limit: int) -> Iterator[Finding]:
    # "" is unset to the provider: it generates a name for an empty name or prefix (apimap.GENERATED_WHEN_EMPTY)
    # and leaves out an empty role.
    if not name:
        return
    wrong = sorted({c for c in name if not NAME.fullmatch(c)})
    if wrong:
        # An empty name has no wrong character: its length says what is wrong.
        yield Finding(prop, f"character(s) {wrong} not allowed (allowed: a-zA-Z0-9 and _+=,.@-)")
    if not 1 <= len(name) <= limit:
        yield Finding(prop, f"{len(name)} characters; at most {limit}")


def policy_size(text: str) -> int:
    """Characters IAM counts toward a policy quota: whitespace does not count."""
    return sum(1 for c in text if not c.isspace())


def _policy_text(value: Any) -> str | None:
    value = plain(value)
    if isinstance(value, dict):
        return json.dumps(value)
    return known_str(value)


def _document(prop: str, text: str | None) -> Iterator[Finding]:
    if text is None:
        return
    if not POLICY_TEXT.fullmatch(text):
        yield Finding(prop, "holds characters outside tab, newline and U+0020-U+00FF", code="MalformedPolicyDocument")
        return
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, too-long integers, depth
        yield Finding(prop, f"is not JSON ({getattr(exc, 'msg', type(exc).__name__)})", code="MalformedPolicyDocument")
        return
    if not isinstance(document, dict) or "Statement" not in document:
        yield Finding(prop, "is not a policy document (no Statement)", code="MalformedPolicyDocument")


@rule(
    types=[ROLE],
    properties=("name", "namePrefix", "path"),
    code="ValidationError",
    source=f"{IAM_API}/API_CreateRole.html (RoleName 1-64 [\\w+=,.@-]+, Path)",
)
def role_name_and_path(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A role's name is 1-64 of a-zA-Z0-9_+=,.@-; its path is "/" or /.../ in printable ASCII."""
    # The name's length and characters are the model's (apimap: CreateRole RoleName, iam roleNameType).
    prefix = known_str(resource.get("namePrefix"))
    # The provider appends a 26-character unique suffix to a prefix.
    yield from _name("namePrefix", prefix, 64 - 26)
    # The path's pattern and length are the model's (apimap: CreateRole Path, iam pathType).


@rule(
    types=[ROLE],
    properties=("description",),
    code="ValidationError",
    source=f"{IAM_API}/API_CreateRole.html (Description: up to 1000, tab, newline, U+0020-U+007E, U+00A1-U+00FF)",
)
def role_description(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A role's description is at most 1000 characters of printable Latin-1."""
    # The length and characters are the model's (apimap: CreateRole Description, iam roleDescriptionType).
    yield from ()


@rule(
    types=[ROLE],
    properties=("assumeRolePolicy",),
    code="LimitExceeded",
    source=f"{QUOTAS} (role trust policy length: 2,048 characters, whitespace not counted); "
    f"{IAM_API}/API_CreateRole.html",
)
def role_trust_policy(resource: CloudResource, world: World) -> Iterator[Finding]:
    """The trust policy is a JSON policy document of at most 2,048 characters (whitespace not counted)."""
    text = _policy_text(resource.get("assumeRolePolicy"))
    yield from _document("assumeRolePolicy", text)
    if text is not None and policy_size(text) > TRUST_POLICY_MAX:
        yield Finding(
            "assumeRolePolicy", f"{policy_size(text)} characters; the trust policy quota is {TRUST_POLICY_MAX}"
        )


@rule(
    types=[ROLE],
    properties=("maxSessionDuration",),
    code="ValidationError",
    source=f"{IAM_API}/API_CreateRole.html (MaxSessionDuration 3600-43200)",
)
def role_max_session_duration(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A role's maximum session is 3,600 to 43,200 seconds."""
    # The range is the model's (apimap: CreateRole MaxSessionDuration, iam roleMaxSessionDurationType).
    yield from ()


def _role_key(world: World, reference: Any) -> str | None:
    """The role name an input refers to (a name, or the id/ARN of a role created here)."""
    found = world.find(plain(reference))
    if found is not None and found.type == ROLE:
        return known_str(found.get("name"))
    return known_str(reference)


def _inline_total(world: World, role_name: str, extra: CloudResource | None) -> int:
    total = 0
    for other in world.of_type(ROLE_POLICY):
        if (extra is None or other.urn != extra.urn) and _role_key(world, other.get("role")) == role_name:
            total += policy_size(_policy_text(other.get("policy")) or "")
    for role in world.of_type(ROLE):
        if known_str(role.get("name")) == role_name:
            for inline in items(role.get("inlinePolicies")):
                total += policy_size(_policy_text(mapping(inline).get("policy")) or "")
    return total


@rule(
    types=[ROLE_POLICY],
    properties=("name", "namePrefix", "policy", "role"),
    code="LimitExceeded",
    source=f"{QUOTAS} (inline policies of a role: 10,240 characters in total); "
    f"{IAM_API}/API_PutRolePolicy.html (PolicyName 1-128 [\\w+=,.@-]+)",
)
def role_policy(resource: CloudResource, world: World) -> Iterator[Finding]:
    """An inline policy has a 1-128 character name, is a JSON document, and a role's inline policies total ≤ 10,240."""
    # The name's length and characters are the model's (apimap: PutRolePolicy PolicyName, iam policyNameType).
    text = _policy_text(resource.get("policy"))
    yield from _document("policy", text)
    role_name = _role_key(world, resource.get("role"))
    if text is not None and role_name is not None:
        total = _inline_total(world, role_name, resource) + policy_size(text)
        if total > INLINE_ROLE_POLICIES_MAX:
            yield Finding("policy", f"the role's inline policies total {total} characters; the quota is 10,240")


@rule(
    types=[ATTACHMENT],
    properties=("policyArn", "role"),
    code="LimitExceeded",
    source=f"{QUOTAS} (managed policies attached to a role: 10 by default); {IAM_API}/API_AttachRolePolicy.html",
)
def role_policy_attachment(resource: CloudResource, world: World) -> Iterator[Finding]:
    """The policy ARN is an IAM policy ARN, and a role carries at most 10 managed policies."""
    arn = known_str(resource.get("policyArn"))
    if arn is not None and not POLICY_ARN.fullmatch(arn):
        yield Finding("policyArn", f'"{arn[:80]}" is not an IAM policy ARN', code="InvalidInput")
    role_name = _role_key(world, resource.get("role"))
    if role_name is None:
        return
    attached = {
        known_str(a.get("policyArn"))
        for a in world.of_type(ATTACHMENT)
        if a.urn != resource.urn and _role_key(world, a.get("role")) == role_name
    }
    attached.add(arn)
    allowed = limit(world, "managed-policies-per-role")
    if len(attached) > allowed:
        yield Finding(
            "policyArn",
            f"{len(attached)} managed policies on role {role_name}; the quota is {allowed} "
            "[quota managed-policies-per-role]",
        )


@rule(
    types=[PROFILE],
    properties=("name", "namePrefix", "path", "role"),
    code="ValidationError",
    source=f"{IAM_API}/API_CreateInstanceProfile.html (InstanceProfileName 1-128 [\\w+=,.@-]+, Path)",
)
def instance_profile(resource: CloudResource, world: World) -> Iterator[Finding]:
    """An instance profile's name is 1-128 of a-zA-Z0-9_+=,.@-; its path is "/" or /.../."""
    # The name's length and characters are the model's (apimap: CreateInstanceProfile InstanceProfileName).
    yield from _name("namePrefix", known_str(resource.get("namePrefix")), 128 - 26)
    # The path's pattern and length are the model's (apimap: CreateInstanceProfile Path, iam pathType).


@rule(
    types=[POLICY],
    properties=("name", "namePrefix", "path", "policy", "description"),
    code="LimitExceeded",
    source=f"{QUOTAS} (managed policy: 6,144 characters); {IAM_API}/API_CreatePolicy.html",
)
def managed_policy(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A managed policy's name is 1-128 characters, its document JSON of at most 6,144 characters."""
    # The name, the description (at most 1000) and the path are the model's (apimap: CreatePolicy PolicyName,
    # Description, Path).
    text = _policy_text(resource.get("policy"))
    yield from _document("policy", text)
    if text is not None and policy_size(text) > MANAGED_POLICY_MAX:
        yield Finding("policy", f"{policy_size(text)} characters; a managed policy is at most {MANAGED_POLICY_MAX}")


@rule(
    types=[PROFILE],
    properties=("role",),
    code="ValidationError",
    source=f"{IAM_API}/API_AddRoleToInstanceProfile.html (RoleName: 1-64 of [\\w+=,.@-]+, a name and not an ARN)",
)
def instance_profile_role_name(resource: CloudResource, world: World) -> Iterator[Finding]:
    """An instance profile's role is a role name (1-64 of a-zA-Z0-9_+=,.@-), not the role's ARN."""
    role = known_str(resource.get("role"))
    if role is None:
        return
    if role.startswith("arn:"):
        yield Finding("role", f'"{role[:80]}" is an ARN; give the role\'s name (the part after role/)')
        return
    yield from _name("role", role, 64)
