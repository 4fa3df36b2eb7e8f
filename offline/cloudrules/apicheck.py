"""Applying the AWS API model to one resource: each mapped input (``apimap``) read from the wire-shaped inputs,
translated to the API's value and checked against what botocore's model says of the member (``botomodel``).

Unknown values, absent ones and values of another type than the member's decide nothing: a wrong type is the
provider schema's refusal, before AWS sees the request.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any

from offline.cloudrules.apimap import GENERATED_WHEN_EMPTY, MAPPINGS, ApiMapping, error_code
from offline.cloudrules.botomodel import Constraint, constraint, violations
from offline.cloudrules.model import CloudResource, Finding
from offline.cloudrules.values import is_unknown, items, mapping, plain


def values_at(inputs: Any, path: str) -> Iterator[tuple[str, Any]]:
    """(concrete path, value) of every value at ``path`` (``a.b``, ``a[].b``): ``rules[1].status`` and its value."""
    steps = path.split(".")

    def walk(current: Any, index: int, where: str) -> Iterator[tuple[str, Any]]:
        if index == len(steps):
            yield where, current
            return
        step = steps[index]
        name = step.removesuffix("[]")
        found = mapping(current).get(name)
        here = f"{where}.{name}" if where else name
        if found is None or is_unknown(found):
            return
        if step.endswith("[]"):
            for i, element in enumerate(items(found)):
                yield from walk(element, index + 1, f"{here}[{i}]")
        else:
            yield from walk(plain(found), index + 1, here)

    yield from walk(inputs, 0, "")


def _check(found: Constraint, where: str, value: Any) -> Iterator[tuple[str, str, Constraint]]:
    for _kind, message in violations(found, value):
        yield where, message, found
    if found.element is not None and isinstance(value, Sequence) and not isinstance(value, str | bytes):
        for i, element in enumerate(value):
            yield from _check(found.element, f"{where}[{i}]", plain(element))


def mapping_findings(resource: CloudResource, entry: ApiMapping) -> Iterator[Finding]:
    """What AWS's model refuses of ``entry``'s input in ``resource``."""
    found = constraint(entry.service, entry.operation, entry.member)
    for where, raw in values_at(resource.inputs, entry.property):
        raw = plain(raw)
        if raw is None or is_unknown(raw) or (raw == "" and (entry.type, entry.property) in GENERATED_WHEN_EMPTY):
            continue
        value = entry.translate(raw) if entry.translate is not None else raw
        if value is None:
            continue
        values = value if entry.each and isinstance(value, list) else [value]
        for one in values:
            for at, message, which in _check(found, where, one):
                yield Finding(
                    at,
                    f"{message} (AWS API model: {which.service} {which.operation} {which.member}, shape {which.shape})",
                    code=error_code(entry),
                    source=which.source,
                )


@cache
def _claimed(resource_type: str, rule_id: str) -> tuple[ApiMapping, ...]:
    return tuple(m for m in MAPPINGS if m.type == resource_type and m.rule == rule_id)


def claimed_findings(resource_type: str, rule_id: str, resource: CloudResource) -> list[Finding]:
    """The model's refusals for the mappings ``rule_id`` applies to ``resource_type`` (canonical)."""
    return [finding for entry in _claimed(resource_type, rule_id) for finding in mapping_findings(resource, entry)]
