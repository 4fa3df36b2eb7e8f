"""One parser for IAM policy documents, so every identity rule reads the same normalised form.

The engine hands a document as JSON text (a Python program) or as an object (other languages, or a
secret unwrapped by the SDK); ``Statement`` may be one object or a list; ``Action``, ``Resource`` and
``Principal`` values may be a string or a list; action names are case-insensitive. Anything AWS would
reject, or that this parser cannot read with certainty, becomes a :class:`ParseError`, and rules fail
closed on it: a document nobody can read is never assumed harmless.

Reads go through the SDK's proxy, so an unknown value raises ``UnknownValueError`` out of
:func:`parse_document` on purpose.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from guardrails.props import is_mapping, is_sequence

# Principal block keys in their canonical spelling; matched case-insensitively so "aws" cannot hide "*".
PRINCIPAL_KINDS = {
    "aws": "AWS",
    "service": "Service",
    "federated": "Federated",
    "canonicaluser": "CanonicalUser",
}

_MAX_LABEL = 64


def quote(text: str, limit: int = _MAX_LABEL) -> str:
    """``text`` quoted for a violation message, cut to ``limit`` characters so messages stay short."""
    clipped = text if len(text) <= limit else text[: limit - 3] + "..."
    return "'" + clipped.replace("'", "\\'") + "'"


@dataclass(frozen=True)
class Principal:
    """One principal entry: ``kind`` is ``*`` (the bare string form) or a canonical block key."""

    kind: str
    value: str

    @property
    def is_wildcard(self) -> bool:
        """Everyone: ``"*"``, ``{"AWS": "*"}``, ``arn:aws:iam::*:root`` or any value carrying a wildcard."""
        return self.kind == "*" or "*" in self.value or "?" in self.value


@dataclass(frozen=True)
class Statement:
    """A statement with every list-or-string value turned into a tuple (actions keep their spelling for
    messages; compare them with ``.lower()``, since IAM action names are case-insensitive)."""

    index: int
    sid: str | None
    effect: str  # "Allow" or "Deny"
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[str, ...]
    not_resource: bool
    has_resource: bool
    principals: tuple[Principal, ...]
    not_principal: bool
    has_principal: bool
    has_condition: bool

    @property
    def allows(self) -> bool:
        return self.effect == "Allow"

    @property
    def label(self) -> str:
        """``Statement[2] (Sid 'Admin')``: how a message names the statement a reader must fix."""
        base = f"Statement[{self.index}]"
        return f"{base} (Sid {quote(self.sid)})" if self.sid else base


@dataclass(frozen=True)
class Document:
    statements: tuple[Statement, ...]


@dataclass(frozen=True)
class ParseError:
    """Why a document could not be read; rules report it as a violation (fail closed)."""

    reason: str


class _Invalid(Exception):
    """Internal: aborts parsing with a reason. Never escapes :func:`parse_document`."""


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads keeps the last duplicate; "Action": "s3:GetObject", "Action": "*" must not read as safe.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _Invalid(f"duplicate key {quote(key)}")
        result[key] = value
    return result


def _load(value: Any) -> Mapping[str, Any]:
    if isinstance(value, str):
        try:
            loaded = json.loads(value, object_pairs_hook=_reject_duplicate_keys)
        except (ValueError, RecursionError) as error:
            raise _Invalid("not valid JSON") from error
        value = loaded
    if not is_mapping(value):
        raise _Invalid("not a JSON object")
    return value


def _strings(value: Any, field: str) -> tuple[str, ...]:
    items = list(value) if is_sequence(value) else [value]
    if not items:
        raise _Invalid(f"{field} is empty")
    out: list[str] = []
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise _Invalid(f"{field} holds a value that is not a non-empty string")
        out.append(item.strip())
    return tuple(out)


def _principals(value: Any, field: str) -> tuple[Principal, ...]:
    if isinstance(value, str):
        if value.strip() != "*":
            raise _Invalid(f"{field} string form must be '*'")
        return (Principal("*", "*"),)
    if not is_mapping(value) or not value:
        raise _Invalid(f"{field} is neither '*' nor a non-empty object")
    found: list[Principal] = []
    for key in value:
        if not isinstance(key, str):
            raise _Invalid(f"{field} has a non-text key")
        kind = PRINCIPAL_KINDS.get(key.strip().lower(), key)
        found.extend(Principal(kind, item) for item in _strings(value[key], f"{field}.{key}"))
    return tuple(found)


def _one_of(raw: Mapping[str, Any], positive: str, negative: str, required: bool) -> tuple[Any, bool, bool]:
    """``(value, negated, present)`` for a field that has a ``Not`` twin; both at once is invalid."""
    has_pos, has_neg = positive in raw, negative in raw
    if has_pos and has_neg:
        raise _Invalid(f"both {positive} and {negative}")
    if required and not (has_pos or has_neg):
        raise _Invalid(f"no {positive} or {negative}")
    if has_neg:
        return raw[negative], True, True
    if has_pos:
        return raw[positive], False, True
    return None, False, False


def _statement(index: int, raw: Any) -> Statement:
    if not is_mapping(raw):
        raise _Invalid(f"Statement[{index}] is not an object")
    effect = raw.get("Effect")
    if not isinstance(effect, str) or effect.strip().lower() not in ("allow", "deny"):
        raise _Invalid(f"Statement[{index}] Effect is missing or not Allow/Deny")
    sid = raw.get("Sid")
    actions, not_action, _ = _one_of(raw, "Action", "NotAction", required=True)
    resources, not_resource, has_resource = _one_of(raw, "Resource", "NotResource", required=False)
    principal, not_principal, has_principal = _one_of(raw, "Principal", "NotPrincipal", required=False)
    condition = raw.get("Condition")
    if condition is not None and not is_mapping(condition):
        raise _Invalid(f"Statement[{index}] Condition is not an object")
    field = f"Statement[{index}]"
    return Statement(
        index=index,
        sid=sid if isinstance(sid, str) and sid else None,
        effect="Allow" if effect.strip().lower() == "allow" else "Deny",
        actions=_strings(actions, f"{field}.Action"),
        not_action=not_action,
        resources=_strings(resources, f"{field}.Resource") if has_resource else (),
        not_resource=not_resource,
        has_resource=has_resource,
        principals=_principals(principal, f"{field}.Principal") if has_principal else (),
        not_principal=not_principal,
        has_principal=has_principal,
        has_condition=bool(condition),
    )


def parse_document(value: Any) -> Document | ParseError:
    """Normalise ``value`` (JSON text or object) into a :class:`Document`, or say why it cannot be read."""
    if value is None:
        return ParseError("document is missing")
    try:
        root = _load(value)
        if "Statement" not in root:
            return ParseError("no Statement")
        raw = root["Statement"]
        if is_mapping(raw):
            items = [raw]
        elif is_sequence(raw):
            items = list(raw)
        else:
            return ParseError("Statement is neither an object nor a list")
        return Document(tuple(_statement(i, item) for i, item in enumerate(items)))
    except _Invalid as error:
        return ParseError(str(error))
