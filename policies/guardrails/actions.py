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


class Glob:
    """An IAM wildcard pattern (``*`` any run, ``?`` one character), matched case-insensitively in linear time.

    A regex built from the pattern (``*`` as ``.*``) backtracks: ``iam:********#`` took 12 s against the
    action names, and every further ``*`` multiplies it. Here the pattern is cut at its ``*``s into
    segments of literals and ``?``; the first segment is anchored at the start, the last at the end, and
    each one between is placed at its leftmost fit after the previous one. Leftmost is always safe (a
    segment has a fixed length, so an earlier fit leaves the most room for the rest), so nothing is ever
    retried. ``steps`` counts character comparisons, for the tests that guard this bound.
    """

    __slots__ = ("_head", "_middle", "_minimum", "_star", "_tail", "steps")

    def __init__(self, pattern: str) -> None:
        # Lower-cased a character at a time, as the text is: lengths never change ("İ" lowers to two).
        segments = [_Segment(tuple(ch.lower() for ch in part)) for part in pattern.split("*")]
        self._star = len(segments) > 1
        self._head = segments[0]
        self._tail = segments[-1] if self._star else _Segment(())
        # Runs of ``*`` leave empty segments, which match anywhere: "*****#" is "*#".
        self._middle = tuple(s for s in segments[1:-1] if s.chars)
        self._minimum = len(self._head.chars) + len(self._tail.chars) + sum(len(s.chars) for s in self._middle)
        self.steps = 0

    def _fits(self, segment: _Segment, text: str | list[str], at: int) -> bool:
        if segment.plain is not None and isinstance(text, str):
            self.steps += len(segment.plain)
            return text.startswith(segment.plain, at)
        for i, ch in enumerate(segment.chars):
            self.steps += 1
            if ch != "?" and ch != text[at + i]:
                return False
        return True

    def _find(self, segment: _Segment, text: str | list[str], at: int, last: int) -> int:
        """The leftmost start in ``at``..``last`` where ``segment`` fits, or -1."""
        if segment.plain is not None and isinstance(text, str):
            # str.find scans in linear time (CPython's two-way search); counted as the span it scans.
            found = text.find(segment.plain, at, last + len(segment.plain))
            self.steps += (found if found >= 0 else last) - at + len(segment.plain)
            return found
        if isinstance(text, str) and segment.anchor is not None:
            # Only where the segment's longest literal run occurs can it fit: found by the C search.
            anchor, offset = segment.anchor, segment.offset
            while at <= last:
                found = text.find(anchor, at + offset, last + offset + len(anchor))
                self.steps += (found if found >= 0 else last + offset) - (at + offset) + len(anchor)
                if found < 0:
                    return -1
                if self._fits(segment, text, found - offset):
                    return found - offset
                at = found - offset + 1
            return -1
        while at <= last:
            if self._fits(segment, text, at):
                return at
            at += 1
        return -1

    def matches(self, value: str) -> bool:
        # A pattern needing more characters than the text has is rejected before any comparison, so a
        # 100 KB pattern costs nothing against a 30-character action name.
        if len(value) < self._minimum or (not self._star and len(value) != self._minimum):
            return False
        text: str | list[str] = value.lower()
        if len(text) != len(value):  # a character that lowers to two ("İ"): lower one at a time
            text = [ch.lower() for ch in value]
        if not self._fits(self._head, text, 0):
            return False
        if not self._star:
            return True
        end = len(text) - len(self._tail.chars)
        if not self._fits(self._tail, text, end):
            return False
        at = len(self._head.chars)
        for segment in self._middle:
            found = self._find(segment, text, at, end - len(segment.chars))
            if found < 0:
                return False
            at = found + len(segment.chars)
        return True


class _Segment:
    """The characters between two ``*``s; ``plain`` is them as one string when none is ``?`` (and none
    lowers to two characters), so the C string search can place it."""

    __slots__ = ("anchor", "chars", "offset", "plain")

    def __init__(self, chars: tuple[str, ...]) -> None:
        self.chars = chars
        self.plain = "".join(chars) if all(len(ch) == 1 and ch != "?" for ch in chars) else None
        # The longest run of plain characters and where it starts: the search key for a segment with "?".
        self.anchor: str | None = None
        self.offset = 0
        run_start = 0
        for i in range(len(chars) + 1):
            if i == len(chars) or chars[i] == "?" or len(chars[i]) != 1:
                if i - run_start > len(self.anchor or ""):
                    self.anchor, self.offset = "".join(chars[run_start:i]), run_start
                run_start = i + 1


@lru_cache(maxsize=8192)
def glob(pattern: str) -> Glob:
    return Glob(pattern)


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
        service_glob = glob(service_part)
        candidates = [s for s in services() if service_glob.matches(s)]
    else:
        candidates = [service_part]
    found: list[ActionInfo] = []
    if has_wildcard(action_part):
        action_glob = glob(action_part)
        for service in candidates:
            found.extend(info for key, info in service_actions(service).items() if action_glob.matches(key))
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
    return list(_cached_probes(tuple(candidates), tuple(sorted(fields.items()))))


# A resource pattern without a service (``*****/#``) is tried against every service's probes: those are
# the same ~20,000 strings each time, built once.
@lru_cache(maxsize=256)
def _cached_probes(candidates: tuple[str, ...], fields: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    return tuple(_build_probes(list(candidates), dict(fields)))


def _build_probes(candidates: list[str], fields: dict[str, str]) -> list[str]:
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
            service_glob = glob(service_field)
            candidates = [s for s in services() if service_glob.matches(s)]
        else:
            candidates = [service_field]
    else:
        candidates = list(services())
    pattern = glob(text)
    return any(pattern.matches(probe) for probe in _probe_arns(candidates, fields))
