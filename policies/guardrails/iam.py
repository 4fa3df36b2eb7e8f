"""One parser for IAM policy documents, so every identity rule reads the same normalised form.

The engine hands a document as JSON text (a Python program) or as an object (other languages, or a
secret unwrapped by the SDK); ``Statement`` may be one object or a list; ``Action``, ``Resource`` and
``Principal`` values may be a string or a list; action names are case-insensitive. Anything AWS would
reject, or that this parser cannot read with certainty, becomes a :class:`ParseError`, and rules fail
closed on it: a document nobody can read is never assumed harmless.

An object-form document can be partly unknown during preview (a statement, an action, a principal).
The parser keeps every known part and marks what it could not read (``complete`` False), so a rule
decides on the known parts first: a known ``"*"`` beside an unknown statement is still a violation.
Only a document whose root or ``Statement`` list is unknown raises ``UnknownValueError``: nothing of it
is known.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from guardrails.props import has_key, is_mapping, is_sequence, is_unknown_at

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
    # False when a part was unknown during preview: the tuples above then hold only the known values.
    complete: bool = True

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
    # False when a statement, or a part of one, was unknown during preview.
    complete: bool = True


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


def _strings(container: Any, key: str | int, field: str) -> tuple[tuple[str, ...], bool]:
    """The known strings of ``container[key]`` (a string or a list) and whether all of it was known."""
    if is_unknown_at(container, key):
        return (), False
    value = container[key]
    if not is_sequence(value):
        value = [value]
        if not isinstance(value[0], str) or not value[0].strip():
            raise _Invalid(f"{field} holds a value that is not a non-empty string")
        return (value[0].strip(),), True
    if len(value) == 0:
        raise _Invalid(f"{field} is empty")
    out: list[str] = []
    complete = True
    for index in range(len(value)):
        if is_unknown_at(value, index):
            complete = False
            continue
        item = value[index]
        if not isinstance(item, str) or not item.strip():
            raise _Invalid(f"{field} holds a value that is not a non-empty string")
        out.append(item.strip())
    return tuple(out), complete


def _principals(container: Any, key: str, field: str) -> tuple[tuple[Principal, ...], bool]:
    """The known principals of ``container[key]`` and whether all of them were known."""
    if is_unknown_at(container, key):
        return (), False
    value = container[key]
    if isinstance(value, str):
        if value.strip() != "*":
            raise _Invalid(f"{field} string form must be '*'")
        return (Principal("*", "*"),), True
    if not is_mapping(value) or not value:
        raise _Invalid(f"{field} is neither '*' nor a non-empty object")
    found: list[Principal] = []
    complete = True
    for name in value:
        if not isinstance(name, str):
            raise _Invalid(f"{field} has a non-text key")
        kind = PRINCIPAL_KINDS.get(name.strip().lower(), name)
        values, known = _strings(value, name, f"{field}.{name}")
        found.extend(Principal(kind, item) for item in values)
        complete = complete and known
    return tuple(found), complete


def _one_of(raw: Mapping[str, Any], positive: str, negative: str, required: bool) -> tuple[str | None, bool]:
    """``(key present, negated)`` for a field that has a ``Not`` twin; both at once is invalid.

    Keys are always known; only the value under one may be unknown, so the caller reads it.
    """
    has_pos, has_neg = has_key(raw, positive), has_key(raw, negative)
    if has_pos and has_neg:
        raise _Invalid(f"both {positive} and {negative}")
    if required and not (has_pos or has_neg):
        raise _Invalid(f"no {positive} or {negative}")
    if has_neg:
        return negative, True
    if has_pos:
        return positive, False
    return None, False


def _statement(index: int, raw: Any) -> Statement | None:
    """The statement with its known parts; ``None`` when its Effect is unknown (it may be a Deny)."""
    if not is_mapping(raw):
        raise _Invalid(f"Statement[{index}] is not an object")
    if is_unknown_at(raw, "Effect"):
        return None
    effect = raw.get("Effect")
    if not isinstance(effect, str) or effect.strip().lower() not in ("allow", "deny"):
        raise _Invalid(f"Statement[{index}] Effect is missing or not Allow/Deny")
    sid = None if is_unknown_at(raw, "Sid") else raw.get("Sid")
    field = f"Statement[{index}]"
    action_key, not_action = _one_of(raw, "Action", "NotAction", required=True)
    assert action_key is not None
    actions, actions_known = _strings(raw, action_key, f"{field}.Action")
    resource_key, not_resource = _one_of(raw, "Resource", "NotResource", required=False)
    resources, resources_known = _strings(raw, resource_key, f"{field}.Resource") if resource_key else ((), True)
    principal_key, not_principal = _one_of(raw, "Principal", "NotPrincipal", required=False)
    principals, principals_known = (
        _principals(raw, principal_key, f"{field}.Principal") if principal_key else ((), True)
    )
    condition_known = not is_unknown_at(raw, "Condition")
    condition = raw.get("Condition") if condition_known else {"unknown": True}
    if condition is not None and not is_mapping(condition):
        raise _Invalid(f"Statement[{index}] Condition is not an object")
    return Statement(
        index=index,
        sid=sid if isinstance(sid, str) and sid else None,
        effect="Allow" if effect.strip().lower() == "allow" else "Deny",
        actions=actions,
        not_action=not_action,
        resources=resources,
        not_resource=not_resource,
        has_resource=resource_key is not None,
        principals=principals,
        not_principal=not_principal,
        has_principal=principal_key is not None,
        has_condition=bool(condition),
        complete=actions_known and resources_known and principals_known,
    )


def parse_document(value: Any) -> Document | ParseError:
    """Normalise ``value`` (JSON text or object) into a :class:`Document`, or say why it cannot be read."""
    if value is None:
        return ParseError("document is missing")
    try:
        root = _load(value)
        if not has_key(root, "Statement"):
            return ParseError("no Statement")
        raw = root["Statement"]
        if is_mapping(raw):
            parsed = [_statement(0, raw)]
        elif is_sequence(raw):
            parsed = [None if is_unknown_at(raw, i) else _statement(i, raw[i]) for i in range(len(raw))]
        else:
            return ParseError("Statement is neither an object nor a list")
        statements = tuple(statement for statement in parsed if statement is not None)
        complete = len(statements) == len(parsed) and all(statement.complete for statement in statements)
        return Document(statements, complete)
    except _Invalid as error:
        return ParseError(str(error))
