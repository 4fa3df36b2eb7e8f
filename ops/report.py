"""The doctor's report: one entry per check, in the order the checks ran, and the first failure marked.

JSON shape: ``{"stack", "checks": [{"id", "title", "status", "evidence", "fix"}]}``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    SKIP = "skip"


SYMBOLS = {Status.PASS: "✅", Status.FAIL: "❌", Status.WARN: "⚠", Status.SKIP: "⏭"}


@dataclass(frozen=True)
class Check:
    """One check's outcome. ``evidence`` is one line: the actual rule, route, statement or error seen."""

    id: str
    title: str
    status: Status
    evidence: str
    # What to do about a failure; empty unless the check failed or warned.
    fix: str = ""

    @classmethod
    def passed(cls, id: str, title: str, evidence: str) -> Check:
        return cls(id, title, Status.PASS, evidence)

    @classmethod
    def failed(cls, id: str, title: str, evidence: str, fix: str) -> Check:
        return cls(id, title, Status.FAIL, evidence, fix)

    @classmethod
    def warned(cls, id: str, title: str, evidence: str, fix: str = "") -> Check:
        return cls(id, title, Status.WARN, evidence, fix)

    @classmethod
    def skipped(cls, id: str, title: str, evidence: str) -> Check:
        return cls(id, title, Status.SKIP, evidence)


def one_line(text: str) -> str:
    """Evidence and fixes stay on one line, whatever AWS put in a message."""
    return " ".join(str(text).split())


@dataclass
class Report:
    stack: str
    checks: list[Check] = field(default_factory=list)

    def add(self, check: Check) -> None:
        self.checks.append(Check(check.id, check.title, check.status, one_line(check.evidence), one_line(check.fix)))

    @property
    def first_failure(self) -> Check | None:
        """Where to look first: the first failing check in the lab's order."""
        return next((c for c in self.checks if c.status is Status.FAIL), None)

    @property
    def exit_code(self) -> int:
        return 1 if self.first_failure else 0

    def to_json(self) -> dict[str, Any]:
        return {"stack": self.stack, "checks": [{**asdict(c), "status": c.status.value} for c in self.checks]}

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"

    def render(self) -> str:
        first = self.first_failure
        lines: list[str] = []
        for check in self.checks:
            marker = "   👉 look here first" if check is first else ""
            lines.append(f"{SYMBOLS[check.status]} [{check.id}] {check.title}{marker}")
            lines.append(f"     {check.evidence}")
            if check.fix and check.status in (Status.FAIL, Status.WARN):
                lines.append(f"     fix: {check.fix}")
        counts = {s: sum(1 for c in self.checks if c.status is s) for s in Status}
        summary = ", ".join(f"{counts[s]} {s.value}" for s in Status if counts[s])
        lines.append("")
        if first is not None:
            lines.append(f"stack {self.stack}: {summary}. Look here first: [{first.id}] {first.title}")
        else:
            lines.append(f"stack {self.stack}: {summary}.")
        return "\n".join(lines) + "\n"
