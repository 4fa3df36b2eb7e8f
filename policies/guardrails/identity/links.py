"""Resolving references between resources in ``AnalyzeStack``, for the stack-level identity rules.

An instance profile names its role, an attachment names its role and its policy ARN. At preview those
values are often unknown (auto-generated names, ARNs), so the engine's ``propertyDependencies`` is
asked first; only when it says nothing is the value itself read (which may raise ``UnknownValueError``
into the SDK, as it should) and matched against the candidates' ``name``, ``arn`` and ``id``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pulumi_policy import PolicyResource

from guardrails.props import as_list, canonical_type, get, is_sequence

ROLE = "aws:iam/role:Role"
POLICY = "aws:iam/policy:Policy"
INSTANCE_PROFILE = "aws:iam/instanceProfile:InstanceProfile"
ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment"
ROLE_POLICY_ATTACHMENTS_EXCLUSIVE = "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive"


def of_type(resources: Iterable[PolicyResource], resource_type: str) -> list[PolicyResource]:
    return [r for r in resources if canonical_type(r.resource_type) == resource_type]


def _identifiers(resource: PolicyResource) -> set[str]:
    """The resource's ``name``, ``arn`` and ``id`` that are text: an identifier is compared as text, so a
    value of another type (an object from a hand-edited state, a number) names nothing."""
    found: set[str] = set()
    for key in ("name", "arn", "id"):
        value = get(resource.props, key)
        if isinstance(value, str) and value:
            found.add(value)
    return found


class _CandidateIndex:
    """Candidates by identifier, read on the first look-up (every candidate's identifiers at once, as the
    per-value scan read them) so each reference costs a dictionary look-up, not a scan of the stack."""

    def __init__(self, candidates: Sequence[PolicyResource]) -> None:
        self._candidates = candidates
        self._by_identifier: dict[str, list[PolicyResource]] | None = None
        self._opaque: list[PolicyResource] = []

    def matching(self, value: str) -> list[PolicyResource]:
        """Candidates whose identifier is ``value``; failing those, every candidate with an identifier
        that is not text (an object, a number): it cannot be read, so it may be the one named, and is
        checked as if it were (fail closed) rather than left out as a resource outside the stack."""
        if self._by_identifier is None:
            self._by_identifier = {}
            for candidate in self._candidates:
                for identifier in _identifiers(candidate):
                    self._by_identifier.setdefault(identifier, []).append(candidate)
                if any(not isinstance(get(candidate.props, key), (str, type(None))) for key in ("name", "arn", "id")):
                    self._opaque.append(candidate)
        return self._by_identifier.get(value) or self._opaque


def resolve(
    source: PolicyResource, key: str, candidates: Sequence[PolicyResource], *, many: bool = False
) -> tuple[list[PolicyResource], list[str]]:
    """``(resolved, unresolved)`` for the reference(s) ``source.props[key]`` makes to ``candidates``.

    ``unresolved`` holds the referenced values (names or ARNs) that match nothing in the stack. For a
    single reference the dependency is enough and the (possibly unknown) value is never read; for a list
    (``many``) the values are read too when the list is longer than its dependencies, because literal
    entries beside an in-stack reference must not escape the check.
    """
    by_urn = {c.urn: c for c in candidates}
    deps = (source.property_dependencies or {}).get(key, [])
    resolved = [by_urn[d.urn] for d in deps if d.urn in by_urn]
    values: list[Any] = []
    if not resolved:
        values = as_list(get(source.props, key))
    elif many:
        listed = get(source.props, key)
        # len() never touches the items, so an unknown in-stack ARN is only read if literals sit beside it.
        if is_sequence(listed) and len(listed) > len(deps):
            values = as_list(listed)
    unresolved: list[str] = []
    index = _CandidateIndex(candidates)
    seen = {id(r) for r in resolved}
    for value in values:
        if not isinstance(value, str):
            continue
        match = index.matching(value)
        if match:
            for m in match:
                if id(m) not in seen:
                    seen.add(id(m))
                    resolved.append(m)
        elif value not in unresolved:
            unresolved.append(value)
    return resolved, unresolved
