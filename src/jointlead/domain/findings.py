"""A data-quality finding: what is wrong or missing, how serious, and which record it is about."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"  # the record breaks a rule; reports built on it would be wrong
    WARNING = "warning"  # something a manager should look at, e.g. a gap in supervision or lines
    INFORMATION = "information"  # worth showing, not a problem: e.g. a line that crosses organisations

    @property
    def needs_action(self) -> bool:
        """Whether a finding this serious is for a manager to put right (and counted wherever findings are): errors
        and warnings are; information is only to know."""
        return self is not Severity.INFORMATION


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str
    message: str
    subject: str = ""  # e.g. "person 12" — lets a screen open the record the finding is about


class Area(StrEnum):
    """Where a finding is put right, so a screen can send the manager there."""

    PEOPLE = "people and lines"
    BUDGET_LINES = "budget lines"
    LEDGER = "ledger rows"
    ACTIONS = "actions"


def finding_area(finding: Finding) -> Area:
    kind = finding.subject.partition(" ")[0]
    return {"line": Area.BUDGET_LINES, "pool": Area.BUDGET_LINES, "budgets": Area.LEDGER,
            "action": Area.ACTIONS}.get(kind, Area.PEOPLE)
