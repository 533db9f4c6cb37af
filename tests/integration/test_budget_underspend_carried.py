"""Underspend retained in the pool at the year end is carried forward: starting next year once the year is final
adds each partner's part of it to next year's funding, already received, and the preview says so."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from jointlead.domain.calendar import FinancialYear
from jointlead.domain.errors import ValidationError
from jointlead.services.budget_setup import (
    CARRIED,
    CARRIED_FORWARD,
    roll_forward_preview,
    start_next_year,
    year_totals,
)
from jointlead.services.edits import undo_edit
from jointlead.services.reconciliation import year_end_reconciliation
from jointlead.store.models import Contribution, ContributionPayment
from small_pool import RETAINED, close, underspent_year

STREAM = "Underspend carried forward from 2026-27"


def forward(plan) -> list[tuple[str, str, int, str]]:
    return [(c.partner_code, c.funding_stream, c.amount_pence, c.status) for c in plan.contributions]


def test_the_underspend_retained_at_a_final_year_end_is_carried_into_next_years_funding(empty_db):
    underspent_year(empty_db, underspend_rule=RETAINED)
    settled = year_end_reconciliation(empty_db, today=date(2027, 4, 20))
    assert settled.final and settled.reconciliation.carried_forward_pence == 100_000

    plan = roll_forward_preview(empty_db, None, 2026)
    assert plan.retained_pence == 100_000 and not plan.underspend_unknown
    assert forward(plan) == [("AAA", "NHS minimum contribution", 1_800_000, CARRIED),
                             ("BBB", "Better Care Grant", 600_000, CARRIED),
                             ("AAA", STREAM, 75_000, CARRIED_FORWARD),  # pro rata to 2026-27's contributions
                             ("BBB", STREAM, 25_000, CARRIED_FORWARD)]
    started = start_next_year(empty_db, None, 2026, seen=plan)
    assert year_totals(empty_db, 1, 2027).contributions_pence == 2_500_000
    with empty_db.session() as session:
        carried = session.execute(
            select(Contribution.amount_pence, Contribution.recurrent, ContributionPayment.received_date,
                   ContributionPayment.received_pence)
            .join(ContributionPayment, ContributionPayment.contribution_id == Contribution.id)
            .where(Contribution.funding_stream == STREAM).order_by(Contribution.id)).all()
    assert carried == [(75_000, False, date(2027, 4, 1), 75_000), (25_000, False, date(2027, 4, 1), 25_000)]
    next_year = year_end_reconciliation(empty_db, year=FinancialYear(2027), today=date(2027, 4, 20))
    assert {p.code: p.paid_pence for p in next_year.reconciliation.partners} == {"AAA": 75_000, "BBB": 25_000}

    undo_edit(empty_db, started)
    assert year_totals(empty_db, 1, 2027).contributions_pence == 0


def test_before_the_year_is_final_the_underspend_is_not_known_and_is_carried_forward_once_it_is(empty_db):
    underspent_year(empty_db, closing_to=11, underspend_rule=RETAINED)
    plan = roll_forward_preview(empty_db, None, 2026)
    assert plan.underspend_unknown and plan.retained_pence == 0
    assert CARRIED_FORWARD not in {c.status for c in plan.contributions}
    start_next_year(empty_db, None, 2026, seen=plan)
    with pytest.raises(ValidationError, match="Nothing is left to carry") as refused:
        roll_forward_preview(empty_db, None, 2026)
    assert refused.value.advice.endswith("The underspend 2026-27 retains in the pool is carried into 2027-28's "
                                         "funding when its M12 is closed.")

    close(empty_db, 12)  # carries it, as test_budget_year_end_undo shows in full
    assert year_totals(empty_db, 1, 2027).contributions_pence == 2_500_000
    with pytest.raises(ValidationError, match="Nothing is left to carry into 2027-28"):
        roll_forward_preview(empty_db, None, 2026)  # carried forward once only


def test_underspend_returned_or_kept_is_not_carried_forward(empty_db):
    underspent_year(empty_db)  # returned pro rata: the partners have it back at the year end
    plan = roll_forward_preview(empty_db, None, 2026)
    assert plan.retained_pence == 0 and not plan.underspend_unknown
    assert {c.status for c in plan.contributions} == {CARRIED}
