"""What an IAM action pattern means, answered by policy_sentry's offline IAM action database.

A hand-written list of "dangerous actions" goes stale the week AWS ships a service; the database knows
every action's access level (Read, List, Write, Permissions management, Tagging) and whether it can be
scoped to a resource ARN. Queries are cached: a pack sees the same few patterns on every resource,
and the benchmark evaluates thousands of documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from policy_sentry.querying.actions import (
    get_actions_for_service,
    get_actions_that_support_wildcard_arns_only,
    get_actions_with_access_level,
)
from policy_sentry.querying.all import get_all_service_prefixes
from policy_sentry.querying.arns import get_raw_arns_for_service

ACCESS_LEVELS = ("Read", "List", "Write", "Permissions management", "Tagging")
WILDCARD_CHARS = frozenset("*?")


@dataclass(frozen=True)
class ActionInfo:
    """One concrete action: its canonical name, access level and whether it takes resource ARNs."""

    name: str
    access_level: str
    resource_level: bool


def has_wildcard(text: str) -> bool:
    return any(ch in WILDCARD_CHARS for ch in text)


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """IAM glob (``*`` any run, ``?`` one character) as a case-insensitive full-match regex."""
    body = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile(body, re.IGNORECASE | re.DOTALL)


@lru_cache(maxsize=1)
def services() -> tuple[str, ...]:
    return tuple(sorted(get_all_service_prefixes()))


@cache
def service_actions(service: str) -> dict[str, ActionInfo]:
    """Lower-cased action name (``getobject``) to its info, for one service prefix."""
    if service not in get_all_service_prefixes():
        return {}
    levels: dict[str, str] = {}
    for level in ACCESS_LEVELS:
        for name in get_actions_with_access_level(service, level):
            levels[name] = level
    wildcard_only = set(get_actions_that_support_wildcard_arns_only(service))
    index: dict[str, ActionInfo] = {}
    for name in get_actions_for_service(service):
        # Unlisted levels count as Write: an action the database cannot classify is not assumed harmless.
        index[name.split(":", 1)[1].lower()] = ActionInfo(name, levels.get(name, "Write"), name not in wildcard_only)
    return index


def is_full_wildcard(pattern: str) -> bool:
    """``*``, ``s3:*``, ``*:*``, ``S3:**``: the action part (or the whole) is nothing but ``*``."""
    text = pattern.strip()
    action = text.split(":", 1)[1] if ":" in text else text
    return bool(action) and set(action) == {"*"}


@lru_cache(maxsize=8192)
def expand(pattern: str) -> tuple[ActionInfo, ...]:
    """Every database action ``pattern`` matches (case-insensitive); empty when it matches none."""
    text = pattern.strip().lower()
    if ":" not in text:
        if not text or set(text) != {"*"}:
            return ()
        text = "*:*"
    service_part, action_part = text.split(":", 1)
    if has_wildcard(service_part):
        service_re = pattern_regex(service_part)
        candidates = [s for s in services() if service_re.fullmatch(s)]
    else:
        candidates = [service_part]
    found: list[ActionInfo] = []
    if has_wildcard(action_part):
        action_re = pattern_regex(action_part)
        for service in candidates:
            found.extend(info for key, info in service_actions(service).items() if action_re.fullmatch(key))
    else:
        for service in candidates:
            info = service_actions(service).get(action_part)
            if info is not None:
                found.append(info)
    return tuple(found)


# Stand-ins for the names an ARN template leaves open. Nobody names a bucket or role this, so a resource
# pattern that still matches the probe matches every resource of that type: it is "effectively star".
_PROBES = ("zqprobe7", "zqprobe7/zqprobe8")
_DEFAULT_FIELDS = {"Partition": "aws", "Region": "us-east-1", "Account": "000000000000"}
_TEMPLATE_VAR = re.compile(r"\$\{([A-Za-z]+)\}")


def _fill(template: str, fields: dict[str, str], name: str) -> str:
    return _TEMPLATE_VAR.sub(lambda match: fields.get(match.group(1), name), template)


def _probe_arns(candidates: list[str], fields: dict[str, str]) -> list[str]:
    probes: list[str] = []
    known = get_all_service_prefixes()
    for service in candidates:
        templates = get_raw_arns_for_service(service) if service in known else []
        generic = f"arn:${{Partition}}:{service}:${{Region}}:${{Account}}:${{Id}}"
        for template in [*templates, generic]:
            probes.extend(_fill(template, fields, name) for name in _PROBES)
    return probes


def _satisfying(field_pattern: str) -> str:
    """A literal that ``field_pattern`` matches: only the resource part decides star-ness."""
    return field_pattern.replace("*", "").replace("?", "x")


@lru_cache(maxsize=8192)
def is_effectively_star(resource: str) -> bool:
    """True when ``resource`` matches every resource of some type, not just the literal ``*``.

    ``arn:aws:s3:::*``, ``arn:aws:s3:::*/*``, ``arn:aws:iam::*:role/*``, ``arn:aws:*:*:*:*`` and ``*:*`` are;
    ``arn:aws:s3:::my-bucket/*`` and ``arn:aws:iam::*:role/app-*`` are not. Decided by matching the pattern
    against probe ARNs built from the database's ARN templates with names nobody would choose.
    """
    text = resource.strip()
    if not has_wildcard(text):
        return False
    if set(text) <= WILDCARD_CHARS | {":", "/"}:
        return True
    parts = text.split(":", 5)
    fields = dict(_DEFAULT_FIELDS)
    if len(parts) == 6 and parts[0].lower() == "arn":
        for key, value in zip(("Partition", "Region", "Account"), (parts[1], parts[3], parts[4]), strict=True):
            fields[key] = _satisfying(value)
        service_field = parts[2].lower()
        if has_wildcard(service_field):
            service_re = pattern_regex(service_field)
            candidates = [s for s in services() if service_re.fullmatch(s)]
        else:
            candidates = [service_field]
    else:
        candidates = list(services())
    regex = pattern_regex(text)
    return any(regex.fullmatch(probe) for probe in _probe_arns(candidates, fields))
