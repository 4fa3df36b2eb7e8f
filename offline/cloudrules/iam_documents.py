"""IAM policy documents as IAM's validator reads them: the grammar of the JSON policy language, and which
elements each kind of policy may hold.

- A role's trust policy (``assumeRolePolicy``) is a resource-based policy: each statement names a ``Principal``
  and holds no ``Resource``/``NotResource``; ``NotPrincipal`` is not allowed in a role trust policy.
- Identity policies (a role's inline policies, ``aws:iam/rolePolicy``, managed ``aws:iam/policy``) hold no
  ``Principal``/``NotPrincipal`` ("Has prohibited field Principal") and need ``Resource`` or ``NotResource``.
- Every statement has ``Effect`` (``Allow`` | ``Deny``) and exactly one of ``Action``/``NotAction``; a ``Sid`` is
  ASCII letters and digits and unique in the document; ``Version`` is ``2012-10-17`` or ``2008-10-17``.

IAM stores both kinds, so both get IAM's Sid rule; resource policies of other services (S3, SNS, SQS) allow more
in a Sid and are not checked here. Documents arrive as JSON text (Python programs) or objects (other languages).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from offline.cloudrules.model import CloudResource, Finding, World
from offline.cloudrules.registry import canonical, rule
from offline.cloudrules.values import is_unknown, items, known_str, mapping, plain

GRAMMAR = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html"
ELEMENTS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements"
PRINCIPAL_KC = "https://repost.aws/knowledge-center/iam-principal-policy"

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
POLICY = "aws:iam/policy:Policy"

TOP_LEVEL = ("Version", "Id", "Statement")
STATEMENT_ELEMENTS = (
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
)
VERSIONS = ("2012-10-17", "2008-10-17")
EFFECTS = ("Allow", "Deny")
PRINCIPAL_KEYS = ("AWS", "Service", "Federated", "CanonicalUser")
SID = re.compile(r"[A-Za-z0-9]*")
# "*", or a service prefix and an action name in which * and ? are wildcards (IAM: "Actions/Conditions must be
# prefaced by a vendor, e.g., iam, sdb, ec2, etc.").
ACTION = re.compile(r"\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+")

TRUST, IDENTITY = "trust", "identity"


def decode(value: Any) -> tuple[Any, bool]:
    """(document, decided): a document from JSON text or an object; decided False when unknown or not JSON (the
    document-size rules in iam.py report text that is not JSON)."""
    value = plain(value)
    if value is None or is_unknown(value):
        return None, False
    if isinstance(value, str):
        try:
            return json.loads(value), True
        except (ValueError, RecursionError):
            return None, False
    return value, True


def _strings(value: Any) -> list[Any] | None:
    """A string-or-list element as a list; None when it is neither."""
    value = plain(value)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value:
        return [plain(v) for v in value]
    return None


def _principal(prop: str, value: Any) -> Iterator[Finding]:
    value = plain(value)
    if value == "*":
        return
    if not isinstance(value, Mapping) or not value:
        yield Finding(prop, 'Principal is "*" or an object of AWS, Service, Federated or CanonicalUser')
        return
    for key, inner in value.items():
        if key not in PRINCIPAL_KEYS:
            yield Finding(prop, f'"{str(key)[:40]}" is not a principal type ({", ".join(PRINCIPAL_KEYS)})')
            continue
        listed = _strings(inner)
        if listed is None or any(not isinstance(v, str) or not v for v in listed):
            yield Finding(prop, f"Principal.{key} is a non-empty string or list of strings")


def _statement(prop: str, statement: Any, kind: str, sids: set[str]) -> Iterator[Finding]:
    if not isinstance(statement, Mapping):
        yield Finding(prop, "a statement is a JSON object")
        return
    for key in statement:
        if key not in STATEMENT_ELEMENTS:
            yield Finding(prop, f'unknown element "{str(key)[:40]}" in a statement')
    sid = plain(statement.get("Sid"))
    if sid is not None:
        if not isinstance(sid, str) or not SID.fullmatch(sid):
            yield Finding(prop, f"Sid {json.dumps(sid)[:60]} is not ASCII letters and digits only")
        elif sid in sids:
            yield Finding(prop, f'Sid "{sid}" is used twice; IAM needs each Sid unique in a policy')
        elif sid:
            sids.add(sid)
    effect = plain(statement.get("Effect"))
    if effect not in EFFECTS:
        yield Finding(prop, f"Effect is Allow or Deny, not {json.dumps(effect)[:40]}")
    actions = [k for k in ("Action", "NotAction") if k in statement]
    if len(actions) != 1:
        yield Finding(prop, f"a statement has exactly one of Action and NotAction, got {actions or 'neither'}")
    for key in actions:
        listed = _strings(statement[key])
        if listed is None or any(not isinstance(a, str) or not ACTION.fullmatch(a) for a in listed):
            yield Finding(prop, f'{key} is "*" or "service:action" names (a string or a list of them)')
    resources = [k for k in ("Resource", "NotResource") if k in statement]
    principals = [k for k in ("Principal", "NotPrincipal") if k in statement]
    if kind == TRUST:
        if resources:
            yield Finding(prop, f"a role trust policy holds no {' or '.join(resources)}")
        if "NotPrincipal" in principals:
            yield Finding(prop, "NotPrincipal is not allowed in a role trust policy")
        if "Principal" not in principals:
            yield Finding(prop, "a trust policy statement names a Principal")
        else:
            yield from _principal(prop, statement["Principal"])
    else:
        if principals:
            yield Finding(prop, f"an identity policy holds no {' or '.join(principals)} (Has prohibited field)")
        if len(resources) != 1:
            yield Finding(
                prop, f"a statement has exactly one of Resource and NotResource, got {resources or 'neither'}"
            )
    for key in resources:
        listed = _strings(statement[key])
        if listed is None or any(not isinstance(r, str) or not (r == "*" or r.startswith("arn:")) for r in listed):
            yield Finding(prop, f'{key} is "*" or ARNs (a string or a list of them)')
    condition = plain(statement.get("Condition"))
    if "Condition" in statement and (
        not isinstance(condition, Mapping) or any(not isinstance(v, Mapping) for v in condition.values())
    ):
        yield Finding(prop, "Condition is an object of operators, each an object of keys and values")


def document_findings(prop: str, value: Any, kind: str) -> Iterator[Finding]:
    document, decided = decode(value)
    if not decided:
        return
    if not isinstance(document, Mapping):
        yield Finding(prop, "a policy document is a JSON object")
        return
    for key in document:
        if key not in TOP_LEVEL:
            yield Finding(prop, f'unknown top-level element "{str(key)[:40]}" (Version, Id, Statement)')
    version = document.get("Version")
    if "Version" in document and version not in VERSIONS:
        yield Finding(prop, f"Version is 2012-10-17 or 2008-10-17, not {json.dumps(version)[:40]}")
    if "Id" in document and not isinstance(document.get("Id"), str):
        yield Finding(prop, "Id is a string")
    statements = document.get("Statement")
    if isinstance(statements, Mapping):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        yield Finding(prop, "Statement is a statement object or a non-empty list of them")
        return
    sids: set[str] = set()
    for i, statement in enumerate(statements):
        yield from _statement(f"{prop}.Statement[{i}]", statement, kind, sids)


def _documents(resource: CloudResource) -> Iterator[tuple[str, Any, str]]:
    kind = canonical(resource.type)
    if kind == ROLE:
        yield "assumeRolePolicy", resource.get("assumeRolePolicy"), TRUST
        for i, inline in enumerate(items(resource.get("inlinePolicies"))):
            yield f"inlinePolicies[{i}].policy", mapping(inline).get("policy"), IDENTITY
    else:
        yield "policy", resource.get("policy"), IDENTITY


@rule(
    types=[ROLE, ROLE_POLICY, POLICY],
    properties=("assumeRolePolicy", "inlinePolicies[].policy", "policy"),
    code="MalformedPolicyDocument",
    source=f"{GRAMMAR}; {ELEMENTS}_principal.html and _notprincipal.html (Principal only in resource-based policies "
    f"such as a role's trust policy; NotPrincipal not in a role trust policy); {ELEMENTS}_sid.html (ASCII letters "
    f"and digits, unique in the policy); {ELEMENTS}_version.html; {PRINCIPAL_KC}",
)
def policy_document_grammar(resource: CloudResource, world: World) -> Iterator[Finding]:
    """A policy follows IAM's grammar: elements its kind allows, Effect, one of Action/NotAction, Sid and Version."""
    for prop, value, kind in _documents(resource):
        if known_str(value) is not None or isinstance(plain(value), Mapping | list):
            yield from document_findings(prop, value, kind)
