"""Which budget line a partner's ledger posting belongs to, and how a posting without an id is recognised."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase


@dataclass(frozen=True)
class LedgerCodeMapping:
    """A cost centre plus a subjective pattern (`5*`, `511?`, `*`) that feeds one budget line."""

    budget_line_id: int
    cost_centre: str
    subjective_pattern: str

    @property
    def specificity(self) -> int:
        """How many characters of the pattern are literal: `5110` beats `51*`, which beats `*`."""
        return sum(1 for ch in self.subjective_pattern if ch not in "*?[]")


def _code(text: str) -> str:
    return text.strip().upper()


def match_budget_line(cost_centre: str, subjective: str, mappings: Sequence[LedgerCodeMapping]) -> int | None:
    """The line whose mapping fits most specifically; None when no mapping fits (the row is unmapped).

    Codes compare without case or surrounding spaces, as ledgers disagree on both.
    """
    centre, account = _code(cost_centre), _code(subjective)
    fitting = [m for m in mappings
               if _code(m.cost_centre) == centre and fnmatchcase(account, _code(m.subjective_pattern) or "*")]
    if not fitting:
        return None
    best = max(fitting, key=lambda m: (m.specificity, -m.budget_line_id))
    return best.budget_line_id


def likely_mapping(cost_centre: str, subjective: str,
                   mappings: Sequence[LedgerCodeMapping]) -> LedgerCodeMapping | None:
    """For a posting no mapping takes in, the partner's mapping it most likely belongs with: one to suggest, never
    to assign by. First by its subjective code: the most specific patterns that take it, at other cost centres. Only
    where no pattern names its subjective, by its cost centre: that centre's mappings. Either way only when those all
    feed one line; None when the codes point to no line, or to more than one (a pattern of `*` says nothing about a
    subjective, so it is a cost centre's)."""
    account, centre = _code(subjective), _code(cost_centre)
    by_subjective = [m for m in mappings if m.specificity and fnmatchcase(account, _code(m.subjective_pattern))]
    if by_subjective:
        most = max(m.specificity for m in by_subjective)
        fitting = [m for m in by_subjective if m.specificity == most]
    else:
        fitting = [m for m in mappings if _code(m.cost_centre) == centre]
    return fitting[0] if len({m.budget_line_id for m in fitting}) == 1 else None


def posting_fingerprint(partner: str, year: int, period: int, cost_centre: str, subjective: str, amount_pence: int,
                        description: str, posting_date: str, occurrence: int) -> str:
    """A stable identity for a posting that has no transaction id of its own.

    `occurrence` tells apart identical postings in one extract (the 2nd £40 taxi on the same day), so the
    same file always yields the same fingerprints and re-importing it changes nothing.
    """
    parts = (partner, str(year), str(period), _code(cost_centre), _code(subjective), str(amount_pence),
             description.strip(), posting_date, str(occurrence))
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
