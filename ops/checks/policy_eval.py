"""Does a set of IAM documents allow one action on one resource? Read with the project's own IAM parser.

This is the fallback when the account refuses ``iam:SimulatePrincipalPolicy``: the role's inline and
attached documents (and its permissions boundary) are parsed by ``guardrails.iam`` and evaluated the
way IAM evaluates identity policies: an explicit Deny wins, else an Allow is needed. What it cannot see
(service control policies, the bucket policy, session policies) is said in the evidence.
"""

from __future__ import annotations

import json
import sys
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

_POLICIES = str(Path(__file__).resolve().parents[2] / "policies")
if _POLICIES not in sys.path:
    sys.path.insert(0, _POLICIES)

from guardrails.actions import glob  # noqa: E402
from guardrails.iam import Document, ParseError, Statement, parse_document  # noqa: E402


class Decision(StrEnum):
    ALLOWED = "allowed"
    IMPLICIT_DENY = "implicitDeny"
    EXPLICIT_DENY = "explicitDeny"
    # An Allow exists, but only under a Condition this evaluation cannot resolve.
    CONDITIONAL = "conditional"


@dataclass(frozen=True)
class Source:
    """One named document: ``inline policy 'app-read'`` or ``attached policy arn:...``."""

    label: str
    document: Any


@dataclass(frozen=True)
class Verdict:
    decision: Decision
    # Why: the statement that decided, or the documents that were read.
    reason: str


def load_document(value: Any) -> Any:
    """IAM's API returns documents URL-encoded; boto3 usually decodes them, an emulator may not."""
    if isinstance(value, str):
        text = value.strip()
        if not text.startswith("{"):
            text = urllib.parse.unquote(text)
        try:
            return json.loads(text)
        except ValueError:
            return value
    return value


def _matches(patterns: Iterable[str], value: str) -> bool:
    return any(glob(p).matches(value) for p in patterns)


def statement_applies(statement: Statement, action: str, resource: str) -> bool:
    action_hit = _matches(statement.actions, action) != statement.not_action
    if not action_hit or not statement.has_resource:
        return False
    return _matches(statement.resources, resource) != statement.not_resource


def evaluate(sources: Iterable[Source], action: str, resource: str) -> Verdict:
    allow: str | None = None
    conditional: str | None = None
    for source in sources:
        document = parse_document(load_document(source.document))
        if isinstance(document, ParseError):
            continue
        assert isinstance(document, Document)
        for statement in document.statements:
            if not statement_applies(statement, action, resource):
                continue
            where = f"{source.label} {statement.label}"
            if not statement.allows:
                if not statement.has_condition:
                    return Verdict(Decision.EXPLICIT_DENY, f"{where} denies {action}")
                conditional = conditional or f"{where} denies {action} under a Condition"
            elif statement.has_condition:
                conditional = conditional or f"{where} allows {action} only under a Condition"
            else:
                allow = allow or f"{where} allows {action} on {', '.join(statement.resources)}"
    if allow:
        return Verdict(Decision.ALLOWED, allow)
    if conditional:
        return Verdict(Decision.CONDITIONAL, conditional)
    return Verdict(Decision.IMPLICIT_DENY, f"no statement allows {action} on {resource}")


def trusts_service(document: Any, service: str) -> bool:
    """An unconditioned Allow of ``sts:AssumeRole`` to the service principal."""
    parsed = parse_document(load_document(document))
    if isinstance(parsed, ParseError):
        return False
    return any(
        s.allows
        and not s.not_principal
        and _matches(s.actions, "sts:AssumeRole") != s.not_action
        and any(p.kind == "Service" and p.value == service for p in s.principals)
        for s in parsed.statements
    )
