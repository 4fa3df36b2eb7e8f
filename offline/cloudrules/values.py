"""Reading wire-shaped inputs: unknowns stay undecided, secrets are unwrapped, numbers arrive as floats
and Launch Template booleans as strings."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from offline.wire import SECRET_SIG, SIG_KEY, UNKNOWN


def plain(value: Any) -> Any:
    """The value inside a secret envelope, or the value itself."""
    while isinstance(value, Mapping) and value.get(SIG_KEY) == SECRET_SIG:
        value = value.get("value")
    return value


def is_unknown(value: Any) -> bool:
    return plain(value) == UNKNOWN


def known_str(value: Any) -> str | None:
    """A known string, else None (absent, unknown, or not a string)."""
    value = plain(value)
    return value if isinstance(value, str) and value != UNKNOWN else None


def known_int(value: Any) -> int | None:
    """A known whole number (``22.0`` on the wire, or ``"22"``), else None."""
    value = plain(value)
    if isinstance(value, bool):  # an int to Python, never a number on the wire
        return None
    if isinstance(value, int | float) and float(value).is_integer():
        return int(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    # ASCII digits only, and few of them: "²".isdigit() is True but int("²") raises, and int() refuses
    # more than 4,300 digits; no AWS number has 20.
    digits = text.removeprefix("-")
    if digits.isascii() and digits.isdigit() and len(text) <= 20:
        return int(text)
    return None


def known_number(value: Any) -> float | None:
    value = plain(value)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:  # an unknown (a UUID) is no number either
        return float(value)
    except ValueError:
        return None


def known_bool(value: Any) -> bool | None:
    """True/False from a boolean or the provider's string booleans ("true"/"false"); else None."""
    value = plain(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def items(value: Any) -> list[Any]:
    """A list input as a list (absent or unknown gives [])."""
    value = plain(value)
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [plain(v) for v in value]
    return []


def mapping(value: Any) -> Mapping[str, Any]:
    value = plain(value)
    if isinstance(value, str) and value.startswith("{"):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):  # JSONDecodeError, too-long integers, depth
            return {}
    return value if isinstance(value, Mapping) else {}


def tags_of(value: Any) -> dict[str, Any]:
    return {str(k): plain(v) for k, v in mapping(value).items()}


def default_tags_of(provider_inputs: Mapping[str, Any]) -> dict[str, str]:
    """``defaultTags.tags`` of a provider: an object, or JSON text as provider inputs travel on the wire."""
    tags = mapping(mapping(provider_inputs.get("defaultTags")).get("tags"))
    return {str(k): v for k, v in tags.items() if isinstance(v, str)}


def bad_chars(text: str, allowed: str) -> list[str]:
    """Characters of ``text`` not in ``allowed`` (a set of characters), in order, each once."""
    seen: list[str] = []
    for char in text:
        if char not in allowed and char not in seen:
            seen.append(char)
    return seen


def shown(chars: Sequence[str]) -> str:
    return ", ".join(json.dumps(c) for c in chars)
