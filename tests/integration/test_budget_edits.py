"""Setting up and running a pooled budget through the services: each gesture audited, refused cleanly, undoable."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from jointlead.domain.errors import JointleadError, ValidationError
from jointlead.domain.findings import Area, finding_area
from jointlead.services.budget_month import (
    adjust_actual,
    assign_ledger_rows,
    close_period,
    complete_profile,
    make_virement,
    reprofile_line,
    set_forecast,
    set_month_budget,
    unlock_period,
)
from jointlead.services.budget_report import unmapped_rows
from jointlead.services.budget_setup import (
    AgreementTerms,
    LineTerms,
    PartnerTerms,
    add_budget_line,
    add_contribution,
    add_ledger_mapping,
    record_payment,
    set_annual_budget,
    set_up_agreement,
)
from jointlead.services.budgets import pool_position
from jointlead.services.check import data_quality
from jointlead.services.edits import undo_edit
from jointlead.store.models import (
    Agreement,
    AuditEntry,
    ContributionPayment,
    LedgerMapping,
    LineYear,
    Organisation,
    PeriodClose,
    Virement,
)

TERMS = AgreementTerms(title="Eastshire Better Care Fund", host="ETR", first_year=2026, use_waterfall=True,
                       risk_reserve_pence=5_000_000, delegated_limit_pence=2_500_000)
PARTNERS = (PartnerTerms("ETR", "Eastshire Trust", "NHS trust"), PartnerTerms("ECC", "Eastshire Council"))
YEAR = 2026


def count(database, model) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def audit_count(database) -> int:
    return count(database, AuditEntry)


def set_up(database) -> int:
    set_up_agreement(database, TERMS, PARTNERS)
    with database.session() as session:
        return session.scalar(select(Agreement.id))


def test_an_agreement_is_set_up_from_nothing_and_undone_and_redone(empty_db):
    edit = set_up_agreement(empty_db, TERMS, PARTNERS)
    assert count(empty_db, Organisation) == 2 and count(empty_db, Agreement) == 1
    assert len(edit.entries) == 5  # two organisations, the agreement, two partners
    undone = undo_edit(empty_db, edit)
    assert count(empty_db, Organisation) == 0 and count(empty_db, Agreement) == 0
    undo_edit(empty_db, undone)  # redo
    assert count(empty_db, Agreement) == 1
    with empty_db.session() as session:
        agreement = session.scalar(select(Agreement))
        assert (agreement.title, agreement.risk_reserve_pence) == (TERMS.title, 5_000_000)
        undoing = session.scalars(select(AuditEntry).where(AuditEntry.undoes_id.is_not(None))).all()
    assert len(undoing) == 10 and audit_count(empty_db) == 15  # history only ever grows


@pytest.mark.parametrize(("terms", "partners", "message"), [
    (TERMS, PARTNERS[:1], "at least two partners"),
    (AgreementTerms("X", "NOPE", 2026), PARTNERS, "must be one of the partners"),
    (AgreementTerms("X", "ETR", 2026, risk_basis="fixed percentages"), PARTNERS, "add up to 100%"),
    (AgreementTerms("", "ETR", 2026), PARTNERS, "needs a title"),
])
def test_bad_terms_are_refused_and_change_nothing(empty_db, terms, partners, message):
    with pytest.raises(ValidationError, match=message):
        set_up_agreement(empty_db, terms, partners)
    assert count(empty_db, Organisation) == 0 and audit_count(empty_db) == 0


def test_contributions_lines_and_mappings_make_a_pool(empty_db):
    agreement_id = set_up(empty_db)
    add_contribution(empty_db, agreement_id, "ETR", YEAR, "NHS minimum contribution", 300_000_000)
    add_contribution(empty_db, agreement_id, "ECC", YEAR, "Better Care Grant", 100_000_001, schedule="quarterly")
    with empty_db.session() as session:
        payments = session.scalars(select(ContributionPayment).order_by(ContributionPayment.id)).all()
        assert len(payments) == 16
        assert sum(p.expected_pence for p in payments[12:]) == 100_000_001  # to the penny
        assert all(p.expected_date.weekday() < 5 for p in payments)
        first = payments[0].id
    record_payment(empty_db, first, date(2026, 4, 15), 25_000_000)
    add_budget_line(empty_db, agreement_id, LineTerms("BCF1", "Reablement", "pay", "ETR"), YEAR, 120_000_000)
    add_budget_line(empty_db, agreement_id, LineTerms("BCF2", "Care homes", "commissioned care", None), YEAR,
                    280_000_001, weights=[1] * 11 + [2])
    with pytest.raises(ValidationError, match="already a line with the code BCF1"):
        add_budget_line(empty_db, agreement_id, LineTerms("BCF1", "Again", "pay", None), YEAR, 1)
    position = pool_position(empty_db, year=None, as_at=0, today=date(2026, 5, 1))
    assert position.pool.annual_budget_pence == 400_000_001
    assert position.contributions_by_partner == {"ETR": 300_000_000, "ECC": 100_000_001}
    care_homes = position.lines[1].figures
    assert sum(care_homes.budget_profile) == 280_000_001
    assert abs(care_homes.budget_profile[11] - 2 * care_homes.budget_profile[10]) <= 2
    line_id = position.lines[0].id
    add_ledger_mapping(empty_db, line_id, "ETR", "ce100", "51*")
    with pytest.raises(ValidationError, match="already feeds line BCF1"):
        add_ledger_mapping(empty_db, position.lines[1].id, "etr", "CE100", "51*")
    with pytest.raises(JointleadError, match="no partner with the code"):
        add_ledger_mapping(empty_db, line_id, "XYZ", "CE100")
    assert pool_position(empty_db, as_at=0, today=date(2026, 5, 1)).lines[0].mappings == 1


def _line_id(database, code: str) -> int:
    return next(line.id for line in pool_position(database).lines if line.code == code)


def test_a_forecast_set_by_hand_moves_the_outturn_and_undo_puts_it_back(demo_db):
    before = pool_position(demo_db)
    line = before.lines[0]
    edit = set_forecast(demo_db, line.id, YEAR, 9, line.figures.forecast[1] + 1_000_000, "Agency cover")
    after = pool_position(demo_db)
    assert after.pool.forecast_outturn == before.pool.forecast_outturn + 1_000_000
    assert after.risk_share.total_variance_pence == before.risk_share.total_variance_pence + 1_000_000
    with pytest.raises(ValidationError, match="needs a comment"):
        set_forecast(demo_db, line.id, YEAR, 9, 5, "")
    with pytest.raises(ValidationError, match="M7 2026-27 is closed"):
        set_forecast(demo_db, line.id, YEAR, 7, 5, "too late")
    undo_edit(demo_db, edit)
    assert pool_position(demo_db).pool.forecast_outturn == before.pool.forecast_outturn


def test_a_virement_moves_budget_without_changing_the_pool_and_respects_the_limit(demo_db):
    before = pool_position(demo_db)
    giver, taker = before.lines[0], before.lines[1]
    kwargs = dict(reason="Recovery plan", approved_by="Joint General Manager", approval_date=date(2026, 11, 20))
    with pytest.raises(ValidationError, match="needs the board's approval"):
        make_virement(demo_db, None, YEAR, giver.id, taker.id, 3_000_000, **kwargs)
    edit = make_virement(demo_db, None, YEAR, giver.id, taker.id, 3_000_000, board_approval="JMB 2026/41",
                         **kwargs)
    after = pool_position(demo_db)
    assert after.pool.annual_budget_pence == before.pool.annual_budget_pence
    assert after.lines[0].figures.annual_budget_pence == giver.figures.annual_budget_pence - 3_000_000
    assert after.lines[1].figures.annual_budget_pence == taker.figures.annual_budget_pence + 3_000_000
    # closed months keep the budgets they were closed with
    assert after.lines[0].figures.budget_profile[:7] == giver.figures.budget_profile[:7]
    with demo_db.session() as session:
        virement = session.scalar(select(Virement).order_by(Virement.id.desc()))
        assert (virement.from_period, virement.board_approval) == (8, "JMB 2026/41")
    undo_edit(demo_db, edit)
    assert pool_position(demo_db).lines[0].figures == giver.figures


def test_a_virement_may_not_take_more_than_the_months_left(demo_db):
    lines = pool_position(demo_db).lines
    small = min((line for line in lines if line.figures.annual_budget_pence > 0),
                key=lambda line: line.figures.annual_budget_pence)
    with pytest.raises(ValidationError, match="cannot move out of it"):
        make_virement(demo_db, None, YEAR, small.id, lines[0].id, small.figures.annual_budget_pence,
                      reason="r", approved_by="a", approval_date=date(2026, 11, 20), board_approval="JMB")


def test_periods_close_in_order_and_unlock_with_a_reason(demo_db):
    closes = count(demo_db, PeriodClose)
    with pytest.raises(ValidationError, match="M8 is still open"):
        close_period(demo_db, None, YEAR, 9)
    edit = close_period(demo_db, None, YEAR, 8, today=date(2026, 12, 7))
    assert pool_position(demo_db).as_at.number == 8
    with demo_db.session() as session:
        snapshot = json.loads(session.scalar(select(PeriodClose.snapshot_json).where(PeriodClose.period == 8)))
    assert snapshot["as_at"] == "M8" and "MH01" in snapshot["lines"]
    with pytest.raises(ValidationError, match="already closed"):
        close_period(demo_db, None, YEAR, 8)
    with pytest.raises(ValidationError, match="needs a reason"):
        unlock_period(demo_db, None, YEAR, 8, "  ")
    unlock = unlock_period(demo_db, None, YEAR, 8, "Late NCC journal", today=date(2026, 12, 8))
    assert pool_position(demo_db).as_at.number == 7
    undo_edit(demo_db, unlock)
    assert pool_position(demo_db).as_at.number == 8
    with pytest.raises(JointleadError, match="changed again since"):
        undo_edit(demo_db, unlock)
    undo_edit(demo_db, edit)
    assert count(demo_db, PeriodClose) == closes


def test_unmapped_rows_are_assigned_and_remembered_only_in_open_periods(demo_db):
    rows = unmapped_rows(demo_db, 1, YEAR)
    target = _line_id(demo_db, "MH01")
    with pytest.raises(ValidationError, match="closed"):
        assign_ledger_rows(demo_db, [rows[0].transaction_id], target)
    ncc = [r for r in rows if r.organisation_code == "NCC"]
    for period in range(7, 0, -1):
        unlock_period(demo_db, None, YEAR, period, "Assigning unmapped rows")
    mappings_before = count(demo_db, LedgerMapping)
    actual_before = pool_position(demo_db, as_at=7).pool.actual_to_date
    edit = assign_ledger_rows(demo_db, [ncc[0].transaction_id], target, remember=True)
    remaining = unmapped_rows(demo_db, 1, YEAR)
    same_codes = [r for r in ncc if (r.cost_centre, r.subjective) == (ncc[0].cost_centre, ncc[0].subjective)]
    assert len(remaining) == len(rows) - len(same_codes)
    assert count(demo_db, LedgerMapping) == mappings_before + 1
    assert pool_position(demo_db, as_at=7).pool.actual_to_date == actual_before + sum(
        r.amount_pence for r in same_codes)
    undo_edit(demo_db, edit)
    assert len(unmapped_rows(demo_db, 1, YEAR)) == len(rows)
    assert count(demo_db, LedgerMapping) == mappings_before


def test_an_actual_entered_by_hand_is_one_adjusting_posting(demo_db):
    line = _line_id(demo_db, "MH02")
    with pytest.raises(ValidationError, match="closed"):
        adjust_actual(demo_db, line, YEAR, 7, 1, "journal")
    edit = adjust_actual(demo_db, line, YEAR, 8, 1_234_550, "Accrual for agency invoices")
    figures = pool_position(demo_db, as_at=8).lines[1].figures
    assert figures.actuals[7] == 1_234_550
    undo_edit(demo_db, edit)
    assert pool_position(demo_db, as_at=8).lines[1].figures.actuals[7] is None


def test_a_month_budget_change_moves_the_annual_budget(demo_db):
    line = pool_position(demo_db).lines[2]
    set_month_budget(demo_db, line.id, YEAR, 12, line.figures.budget_profile[11] + 500)
    after = pool_position(demo_db).lines[2].figures
    assert after.annual_budget_pence == line.figures.annual_budget_pence + 500
    assert after.budget_profile[:11] == line.figures.budget_profile[:11]
    with pytest.raises(ValidationError, match="closed"):
        set_month_budget(demo_db, line.id, YEAR, 3, 1)


def test_reprofiling_spreads_the_open_months_again_and_keeps_the_closed_ones(demo_db):
    lines = pool_position(demo_db).lines
    custom = next(line for line in lines if len(set(line.figures.budget_profile[7:])) > 1)
    edit = reprofile_line(demo_db, custom.id, YEAR, "even")
    after = next(line for line in pool_position(demo_db).lines if line.id == custom.id).figures
    assert after.annual_budget_pence == custom.figures.annual_budget_pence
    assert after.budget_profile[:7] == custom.figures.budget_profile[:7]
    assert max(after.budget_profile[7:]) - min(after.budget_profile[7:]) <= 1
    with pytest.raises(ValidationError, match="no actuals for 2025-26"):
        reprofile_line(demo_db, custom.id, YEAR, "last year's actuals")
    undo_edit(demo_db, edit)
    assert next(line for line in pool_position(demo_db).lines if line.id == custom.id).figures == custom.figures


def test_last_years_shape_is_copied_onto_the_open_months(empty_db):
    agreement_id = set_up(empty_db)
    add_contribution(empty_db, agreement_id, "ETR", YEAR, "NHS", 1_300_000)
    add_budget_line(empty_db, agreement_id, LineTerms("A", "A", "pay", "ETR"), YEAR - 1, 1_200_000)
    line_id = pool_position(empty_db, as_at=0, today=date(2025, 5, 1)).lines[0].id
    for period in range(1, 13):
        adjust_actual(empty_db, line_id, YEAR - 1, period, 100_000 * (2 if period == 12 else 1), "last year")
    set_annual_budget(empty_db, line_id, YEAR, 1_300_000)
    with pytest.raises(ValidationError, match="already has a budget"):
        set_annual_budget(empty_db, line_id, YEAR, 1_300_000)
    reprofile_line(empty_db, line_id, YEAR, "last year's actuals")
    profile = pool_position(empty_db, as_at=0, today=date(2026, 5, 1)).lines[0].figures.budget_profile
    assert profile == (100_000,) * 11 + (200_000,)


def test_completing_a_profile_spreads_the_difference_over_the_open_months_or_says_why_not(demo_db):
    position = pool_position(demo_db)
    line = position.lines[0]
    year = position.year.start_year
    with pytest.raises(ValidationError, match="already add up"):
        complete_profile(demo_db, line.id, year)
    with demo_db.session() as session:  # as an older version could leave it: the annual budget raised alone
        line_year = session.scalar(select(LineYear).where(LineYear.budget_line_id == line.id, LineYear.year == year))
        line_year.annual_budget_pence += 500_000  # £5,000 more
        session.commit()
    edit = complete_profile(demo_db, line.id, year)
    after = next(x for x in pool_position(demo_db).lines if x.id == line.id).figures
    closed = position.as_at.number
    assert after.budget_profile[:closed] == line.figures.budget_profile[:closed]  # closed months keep theirs
    assert sum(after.budget_profile) == line.figures.annual_budget_pence + 500_000
    assert {b - a for a, b in zip(line.figures.budget_profile[closed:], after.budget_profile[closed:],
                                  strict=True)} == {100_000}  # £5,000 over the five open months, £1,000 each
    undo_edit(demo_db, edit)
    with pytest.raises(ValidationError, match="adds up to"):
        pool_position(demo_db)


def pool_balance(database) -> list[str]:
    return [f.message for f in data_quality(database, date(2026, 5, 1)).findings if f.code == "pool-not-balanced"]


def test_lines_that_do_not_budget_what_the_partners_put_in_are_a_finding_until_they_do(empty_db):
    agreement_id = set_up(empty_db)
    add_contribution(empty_db, agreement_id, "ETR", YEAR, "NHS minimum contribution", 300_000_000)
    assert pool_balance(empty_db) == []  # contributions without lines: still being set up
    add_contribution(empty_db, agreement_id, "ECC", YEAR, "Better Care Grant", 100_000_000)
    add_budget_line(empty_db, agreement_id, LineTerms("BCF1", "Reablement", "pay", "ETR"), YEAR, 350_000_000)
    assert pool_balance(empty_db) == [
        "The 2026-27 budget lines total £3,500,000, but the partners' contributions total £4,000,000: "
        "£500,000 contributed is in no budget line."]
    add_budget_line(empty_db, agreement_id, LineTerms("BCF2", "Care homes", "commissioned care", None), YEAR,
                    60_000_000)
    assert pool_balance(empty_db) == [
        "The 2026-27 budget lines total £4,100,000, but the partners' contributions total £4,000,000: "
        "the lines budget £100,000 more than was contributed."]
    finding = next(f for f in data_quality(empty_db, date(2026, 5, 1)).findings if f.code == "pool-not-balanced")
    assert finding_area(finding) == Area.BUDGET_LINES  # the dashboard's tile opens the budget lines for it
    add_contribution(empty_db, agreement_id, "ECC", YEAR, "Additional voluntary contribution", 10_000_000)
    assert pool_balance(empty_db) == []


def test_the_demo_pool_budgets_exactly_what_its_partners_contribute(demo_db):
    assert pool_balance(demo_db) == []
