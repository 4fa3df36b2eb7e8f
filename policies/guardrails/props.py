"""Safe readers for the property shapes the Pulumi engine hands a policy.

At run time ``args.props`` is a read-only proxy: mappings are ``Mapping`` (not ``dict``), lists are
``Sequence`` (not ``list``), numbers arrive as floats (``22.0``), launch-template booleans as strings
(``"false"``), and IAM documents as JSON text or as objects. Reading an unknown value raises
``pulumi_policy.UnknownValueError``: these helpers never catch it, so the SDK reports the policy as
"can't run during preview" instead of passing it silently.

Every reader returns ``None`` (or an empty list) for a missing or oddly-typed value; a rule decides
whether that absence means the AWS default, a pass, or a fail-closed violation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

# Types that AWS exposes under two tokens; rules compare against the canonical (left) one.
TYPE_ALIASES: dict[str, str] = {
    "aws:alb/loadBalancer:LoadBalancer": "aws:lb/loadBalancer:LoadBalancer",
    "aws:alb/listener:Listener": "aws:lb/listener:Listener",
    "aws:alb/listenerRule:ListenerRule": "aws:lb/listenerRule:ListenerRule",
    "aws:alb/targetGroup:TargetGroup": "aws:lb/targetGroup:TargetGroup",
    "aws:alb/targetGroupAttachment:TargetGroupAttachment": "aws:lb/targetGroupAttachment:TargetGroupAttachment",
    "aws:alb/listenerCertificate:ListenerCertificate": "aws:lb/listenerCertificate:ListenerCertificate",
    "aws:elasticloadbalancingv2/loadBalancer:LoadBalancer": "aws:lb/loadBalancer:LoadBalancer",
    "aws:elasticloadbalancingv2/listener:Listener": "aws:lb/listener:Listener",
    "aws:elasticloadbalancingv2/targetGroup:TargetGroup": "aws:lb/targetGroup:TargetGroup",
}


def canonical_type(resource_type: str) -> str:
    """The canonical token for ``resource_type`` (``aws:alb/...`` becomes ``aws:lb/...``)."""
    return TYPE_ALIASES.get(resource_type, resource_type)


def is_mapping(value: Any) -> bool:
    return isinstance(value, Mapping)


def is_sequence(value: Any) -> bool:
    """True for list-like values (the proxy's ``Sequence``), never for text or bytes."""
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes, bytearray))


def get(value: Any, *path: str | int, default: Any = None) -> Any:
    """Walk ``path`` through mappings (str keys) and sequences (int indexes); ``default`` if absent."""
    current = value
    for step in path:
        if isinstance(step, str) and is_mapping(current):
            if step not in current:
                return default
            current = current[step]
        elif isinstance(step, int) and is_sequence(current):
            if not -len(current) <= step < len(current):
                return default
            current = current[step]
        else:
            return default
    return default if current is None else current


def as_list(value: Any) -> list[Any]:
    """A list view: ``None`` -> ``[]``, a scalar or mapping -> ``[value]``, a sequence -> its items."""
    if value is None:
        return []
    if is_sequence(value):
        return list(value)
    return [value]


def as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def as_bool(value: Any) -> bool | None:
    """``True``/``False`` from a bool or its text form (``"true"``, ``"False"``); else ``None``.

    Launch-template booleans travel as strings, and ``"false"`` is truthy in Python.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered == "true":
            return True
        if lowered == "false":
            return False
    return None


def as_int(value: Any) -> int | None:
    """An integer from ``22``, ``22.0`` or ``"22"``; ``None`` for fractions, bools and garbage."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        # ASCII digits only: isdigit() admits "²" and int() reads "٦", which no AWS API would.
        if re.fullmatch(r"[+-]?[0-9]+", text):
            return int(text)
    return None


def to_plain(value: Any) -> Any:
    """A deep copy made of ``dict``/``list`` so it can be serialised (the proxy cannot be).

    Reading through the proxy still raises ``UnknownValueError`` on unknowns, as it should.
    """
    if is_mapping(value):
        return {str(k): to_plain(v) for k, v in value.items()}
    if is_sequence(value):
        return [to_plain(v) for v in value]
    return value
