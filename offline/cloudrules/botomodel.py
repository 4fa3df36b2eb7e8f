"""The AWS API model as botocore ships it: what an operation's input member allows (enumeration, length or
count, numeric range, pattern), read at run time so the rules follow ``pip install -U botocore``.

AWS publishes the model with every SDK release; botocore's ``data/<service>/<version>/service-2.json`` is
that model. Its constraints are the ones AWS's request validation enforces ("1 validation error detected:
Value 'x' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern:
[\\w+=,.@-]+"): a pattern must match the whole value, a string's ``min``/``max`` are lengths, a list's are
counts, a number's are its range.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import botocore.session
import regex  # type: ignore[import-untyped]
from botocore.exceptions import UnknownServiceError
from botocore.model import OperationNotFoundError, ServiceModel, Shape

from offline.cloudrules.values import is_unknown, known_number, plain

BOTOCORE_DATA = "https://github.com/boto/botocore/blob/develop/botocore/data"
# The model writes patterns for Java's java.util.regex: a code point above U+FFFF as its UTF-16 surrogate
# pair, so "any supplementary character" is the range \uD800\uDC00-\uDBFF\uDFFF. Python strings hold code
# points, so the pair becomes one range (as written, Python reads a reversed range DC00-DBFF and fails).
JAVA_SUPPLEMENTARY = r"\uD800\uDC00-\uDBFF\uDFFF"
PYTHON_SUPPLEMENTARY = r"\U00010000-\U0010FFFF"
NUMBER_TYPES = frozenset({"integer", "long", "float", "double"})
# Enumerations longer than this are shown by their first values and a count.
SHOWN_VALUES = 12


class ModelPathError(LookupError):
    """The model has no such service, operation or member: a botocore upgrade renamed or removed it."""


@dataclass(frozen=True)
class Constraint:
    """What AWS's model says of one input member (``member`` is a path such as ``DefaultActions[].Type``)."""

    service: str
    operation: str
    member: str
    shape: str
    type: str
    enum: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    pattern: str | None = None
    # For a list: what the model says of each element.
    element: Constraint | None = None
    api_version: str = ""

    @property
    def source(self) -> str:
        return f"{BOTOCORE_DATA}/{self.service}/{self.api_version}/service-2.json#{self.shape}"

    @property
    def where(self) -> str:
        return f"{self.service} {self.operation} {self.member} ({self.shape})"

    def kinds(self) -> set[str]:
        """The kinds of constraint it carries: enum, length, count, range, pattern."""
        found: set[str] = set()
        if self.enum:
            found.add("enum")
        if self.min is not None or self.max is not None:
            found.add("count" if self.type == "list" else "range" if self.type in NUMBER_TYPES else "length")
        if self.pattern is not None:
            found.add("pattern")
        if self.element is not None:
            found |= self.element.kinds()
        return found


@cache
def service_model(service: str) -> ServiceModel:
    try:
        return _session().get_service_model(service)
    except UnknownServiceError as exc:
        raise ModelPathError(f"botocore has no service {service!r}") from exc


@cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


def _shape_constraint(service: str, operation: str, member: str, shape: Shape, version: str) -> Constraint:
    meta = shape.metadata
    element = None
    if shape.type_name == "list":
        element = _shape_constraint(service, operation, f"{member}[]", shape.member, version)
    return Constraint(
        service=service,
        operation=operation,
        member=member,
        shape=shape.name,
        type=shape.type_name,
        enum=tuple(meta.get("enum", ())),
        min=meta.get("min"),
        max=meta.get("max"),
        pattern=meta.get("pattern"),
        element=element,
        api_version=version,
    )


@cache
def constraint(service: str, operation: str, member: str) -> Constraint:
    """The model's constraint on ``operation``'s input ``member`` (``A.B``, ``A[].B``); ModelPathError if absent."""
    return _shape_constraint(
        service, operation, member, _member_shape(service, operation, member), service_model(service).api_version
    )


def documentation(service: str, operation: str, member: str) -> str:
    """The model's text for the member, without its HTML: where it lists values its shape does not enumerate."""
    text = str(_member_shape(service, operation, member).documentation or "")
    return " ".join(regex.sub(r"<[^>]+>", " ", text).split())


def _member_shape(service: str, operation: str, member: str) -> Shape:
    model = service_model(service)
    try:
        shape: Shape = model.operation_model(operation).input_shape
    except OperationNotFoundError as exc:
        raise ModelPathError(f"botocore {service} has no operation {operation}") from exc
    for step in member.split("."):
        name = step.removesuffix("[]")
        members = getattr(shape, "members", None)
        if members is None or name not in members:
            raise ModelPathError(f"botocore {service} {operation} has no input member {member} (at {name})")
        shape = members[name]
        if step.endswith("[]"):
            if shape.type_name != "list":
                raise ModelPathError(f"botocore {service} {operation} {member}: {name} is not a list")
            shape = shape.member
    return shape


@cache
def compiled(pattern: str) -> regex.Pattern[str] | None:
    """The model's (Java) pattern as a Python one, or None when it cannot be read faithfully.

    Java's ``\\w``, ``\\d`` and ``\\s`` are ASCII-only, its ``\\p{L}`` Unicode; the ``regex`` library's ASCII
    flag narrows both, so a pattern mixing them is not compiled (none of the mapped ones does: a test says so).
    """
    text = pattern.replace(JAVA_SUPPLEMENTARY, PYTHON_SUPPLEMENTARY)
    unicode_classes = "\\p{" in text or "\\P{" in text
    if unicode_classes and any(f"\\{c}" in text for c in "wWdDsSb"):
        return None
    try:
        return regex.compile(text, 0 if unicode_classes else regex.ASCII)
    except (regex.error, ValueError, OverflowError):
        return None


def _shown(values: Sequence[str]) -> str:
    head = " | ".join(values[:SHOWN_VALUES])
    return head if len(values) <= SHOWN_VALUES else f"{head} | ... ({len(values)} values)"


def _bounds(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{low:g}-{high:g}"
    if low is not None:
        return f"at least {low:g}"
    return f"at most {high:g}" if high is not None else "any"


def _outside(number: float, low: float | None, high: float | None) -> bool:
    return (low is not None and number < low) or (high is not None and number > high)


def violations(found: Constraint, value: Any, *, kinds: frozenset[str] | None = None) -> Iterator[tuple[str, str]]:
    """(kind, message) for each way ``value`` (the API value) breaks ``found``; nothing for an unknown value or
    one of another type than the member's (the provider's schema refuses those before AWS sees them)."""
    value = plain(value)
    if value is None or is_unknown(value):
        return
    checks: list[tuple[str, bool, str]] = []
    if found.type == "string" and isinstance(value, str):
        # Past its maximum the length refuses it already; matching is skipped, so that a pattern such as .*\S.*
        # never backtracks over a megabyte of blanks (a rule must never stall the audit).
        too_long = found.max is not None and len(value) > found.max
        pattern = compiled(found.pattern) if found.pattern is not None and not too_long else None
        checks = [
            (
                "enum",
                bool(found.enum) and value not in found.enum,
                f'"{value[:80]}" is not one of {_shown(found.enum)}',
            ),
            (
                "length",
                _outside(len(value), found.min, found.max),
                f"{len(value)} characters; {_bounds(found.min, found.max)}",
            ),
            (
                "pattern",
                pattern is not None and pattern.fullmatch(value) is None,
                f'"{value[:80]}" does not match the pattern {found.pattern}',
            ),
        ]
    elif found.type in NUMBER_TYPES:
        number = known_number(value)
        if number is not None:
            checks = [
                (
                    "range",
                    _outside(number, found.min, found.max),
                    f"{number:g} is outside {_bounds(found.min, found.max)}",
                )
            ]
    elif found.type == "list" and isinstance(value, Sequence) and not isinstance(value, str | bytes):
        checks = [
            (
                "count",
                _outside(len(value), found.min, found.max),
                f"{len(value)} items; {_bounds(found.min, found.max)}",
            )
        ]
    for kind, broken, message in checks:
        if broken and (kinds is None or kind in kinds):
            yield kind, message


def enum(service: str, operation: str, member: str) -> tuple[str, ...]:
    """The values the model lists for a member (empty when it lists none)."""
    return constraint(service, operation, member).enum
