"""Setting up and running a pooled budget through the services: each gesture audited, refused cleanly, undoable."""

from __future__ import annotations

import json
from datetime import date

import openpyxl
import pytest
from sqlalchemy import func, select

import stored
from jointlead.domain.budget import custom_profile, even_profile
from jointlead.domain.calendar import FinancialYear
from jointlead.domain.errors import JointleadError, ValidationError
from jointlead.domain.findings import Area, finding_area
from jointlead.domain.money import format_exact
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
    ALREADY,
    CARRIED,
    NOT_RECURRENT,
    AgreementTerms,
    LineTerms,
    PartnerTerms,
    YearTotals,
    add_budget_line,
    add_contribution,
    add_ledger_mapping,
    change_budget_line,
    instalments,
    ledger_mappings,
    record_payment,
    remove_ledger_mapping,
    roll_forward_preview,
    set_annual_budget,
    set_up_agreement,
    start_next_year,
    year_totals,
)
from jointlead.services.budgets import agreed_figures, pool_position
from jointlead.services.check import data_quality
from jointlead.services.edits import Edit, undo_edit
from jointlead.services.imports import apply_import, preview_ledger_import
from jointlead.store.errors import ChangedBySomeoneElse
from jointlead.store.models import (
    Agreement,
    AuditEntry,
    BudgetLine,
    ContributionPayment,
    LedgerMapping,
    LedgerTransaction,
    LineMonth,
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
    (AgreementTerms("X", "ETR", 2026, last_year=2025), PARTNERS, "cannot end \\(2025-26\\) before it begins"),
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
    with pytest.raises(ValidationError) as refused:
        make_virement(demo_db, None, YEAR, small.id, lines[0].id, small.figures.annual_budget_pence,
                      reason="r", approved_by="a", approval_date=date(2026, 11, 20), board_approval="JMB")
    left = sum(small.figures.budget_profile[7:])  # M8 to M12: M7 is the demo's last closed month
    assert refused.value.message == (f"Line {small.code} has {format_exact(left)} of budget left in M8 to M12, so "
                                     f"{format_exact(small.figures.annual_budget_pence)} cannot move out of it: no "
                                     "line's budget may go below nil.")


def test_a_month_closes_once_it_is_over_and_with_every_partners_ledger_in_or_said_to_be_nil(demo_db):
    before = stored.digest(demo_db)
    with pytest.raises(ValidationError) as refused:
        close_period(demo_db, None, YEAR, 8, today=date(2026, 11, 30), closing_without=("NFT", "NCC"))
    assert refused.value.message == ("M8 2026-27 is not over until the end of 30 November 2026: its figures cannot "
                                     "be agreed yet.")
    with pytest.raises(ValidationError) as refused:
        close_period(demo_db, None, YEAR, 8, today=date(2026, 12, 7))
    assert refused.value.message == ("No ledger from NFT or NCC is loaded for M8 2026-27: closing now would agree "
                                     "their actuals for the month without it (as nil, or as only what was entered "
                                     "by hand).")
    with pytest.raises(ValidationError, match="No ledger from NCC is loaded"):
        close_period(demo_db, None, YEAR, 8, today=date(2026, 12, 7), closing_without=("NFT",))
    assert stored.digest(demo_db) == before
    close_period(demo_db, None, YEAR, 8, today=date(2026, 12, 1), closing_without=("NFT", "NCC"))
    assert pool_position(demo_db).as_at.number == 8


def test_a_change_to_a_month_closed_since_is_not_undone_until_the_month_is_unlocked(demo_db):
    line = pool_position(demo_db).lines[0]
    adjusted = adjust_actual(demo_db, line.id, YEAR, 8, 12_345_600, "Late journal")
    moved = set_month_budget(demo_db, line.id, YEAR, 8, line.figures.budget_profile[7] + 500)
    close_period(demo_db, None, YEAR, 8, today=date(2026, 12, 7), closing_without=("NFT", "NCC"))
    before = stored.digest(demo_db)
    for edit in (moved, adjusted):  # was: undone, the closed month's agreed figures changed
        with pytest.raises(JointleadError) as refused:
            undo_edit(demo_db, edit)
        assert (refused.value.message, refused.value.advice) == (
            "That change cannot be undone: M8 2026-27 has been closed since, and its figures were agreed then.",
            "Nothing was changed. To change M8 2026-27's figures, unlock it on the Budgets page (Unlock…, giving the "
            "reason) and change them there: once unlocked, Edit > Undo would take back the unlock first.")
    assert stored.digest(demo_db) == before
    unlock_period(demo_db, None, YEAR, 8, "The late journal was posted twice", today=date(2026, 12, 8))
    undo_edit(demo_db, moved)
    undo_edit(demo_db, adjusted)
    assert next(x for x in pool_position(demo_db).lines if x.id == line.id).figures == line.figures


def test_periods_close_in_order_and_unlock_with_a_reason(demo_db):
    closes = count(demo_db, PeriodClose)
    with pytest.raises(ValidationError, match="M8 is still open"):
        close_period(demo_db, None, YEAR, 9)
    edit = close_period(demo_db, None, YEAR, 8, today=date(2026, 12, 7), closing_without=("NFT", "NCC"))
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
    undone = undo_edit(demo_db, edit)
    # The close stays on the record, unlocked, with the reason said; redoing it closes the month again.
    assert count(demo_db, PeriodClose) == closes + 1
    assert pool_position(demo_db).as_at.number == 7
    assert stored.rows(demo_db, "SELECT unlocked_by IS NOT NULL, unlock_reason FROM period_close WHERE period = 8 "
                                "ORDER BY id") == [(1, "The close was undone (Edit > Undo).")]
    assert stored.rows(demo_db, "SELECT verb FROM audit_entry ORDER BY id DESC LIMIT 1") == [("undo close period",)]
    undo_edit(demo_db, undone)
    assert pool_position(demo_db).as_at.number == 8
    assert stored.rows(demo_db, "SELECT unlocked_on, unlock_reason FROM period_close WHERE period = 8") == [
        (None, None)]


def test_a_removal_recorded_before_a_field_the_record_needs_is_not_undone_and_says_why(demo_db):
    # A virement removed before 0009, on a shared server whose older window still offers to Redo it.
    [(line_a, line_b)] = stored.rows(demo_db, "SELECT MIN(id), MAX(id) FROM budget_line")
    old = {"id": [999, None], "agreement_id": [1, None], "year": [2026, None], "from_period": [8, None],
           "from_line_id": [line_a, None], "to_line_id": [line_b, None], "amount_pence": [100, None],
           "recurrent": [False, None], "reason": ["Demand", None], "approved_by": ["JGM", None],
           "approval_date": ["2026-11-02", None], "board_approval": [None, None]}
    stored.change(demo_db, "INSERT INTO audit_entry (at, os_user, verb, entity, entity_id, changes_json) VALUES "
                           "('2026-11-02 09:00:00', 'someone', 'undo make virement', 'virement', 999, :changes)",
                  changes=json.dumps(old))
    entry = stored.scalar(demo_db, "SELECT MAX(id) FROM audit_entry")
    with pytest.raises(JointleadError, match="recorded by an earlier version of jointlead"):
        undo_edit(demo_db, Edit("move £1 from one line to another", (entry,)))
    assert stored.scalar(demo_db, "SELECT COUNT(*) FROM virement WHERE id = 999") == 0


def test_an_undo_never_closes_a_month_closed_again_since_nor_one_after_an_open_month(demo_db):
    december = date(2026, 12, 7)
    close = close_period(demo_db, None, YEAR, 8, today=december, closing_without=("NFT", "NCC"))
    undone = undo_edit(demo_db, close)
    close_period(demo_db, None, YEAR, 8, today=december, closing_without=("NFT", "NCC"))  # closed again, by hand
    with pytest.raises(JointleadError, match="M8 2026-27 has been closed again since"):
        undo_edit(demo_db, undone)  # a redo would make two closes in force for M8
    unlock = unlock_period(demo_db, None, YEAR, 7, "Late journal", today=december)
    close_period(demo_db, None, YEAR, 7, today=december)
    with pytest.raises(JointleadError, match="M7 2026-27 has been closed again since"):
        undo_edit(demo_db, unlock)
    assert stored.rows(demo_db, "SELECT period, COUNT(*) FROM period_close WHERE unlocked_on IS NULL "
                                "AND period IN (7, 8) GROUP BY period ORDER BY period") == [(7, 1), (8, 1)]

    unlock_eight = unlock_period(demo_db, None, YEAR, 8, "Late NCC journal", today=december)
    unlock_period(demo_db, None, YEAR, 7, "Late NFT journal", today=december)
    with pytest.raises(JointleadError, match="it would close M8 2026-27, but M7 is open") as refused:
        undo_edit(demo_db, unlock_eight)
    # Not "then undo the change": once M7 is closed, Edit > Undo would take back that close first.
    assert refused.value.advice == ("Close M7 first, then close M8 again (Close… on the Budgets page): once M7 is "
                                    "closed, Edit > Undo would take back that close first.")


def test_an_undo_never_closes_a_month_again_on_figures_changed_since_it_was_closed(demo_db):
    # On a shared server: one manager undoes M8's close; another enters a late journal while it is open.
    december = date(2026, 12, 7)
    close = close_period(demo_db, None, YEAR, 8, today=december, closing_without=("NFT", "NCC"))
    undone = undo_edit(demo_db, close)
    line = pool_position(demo_db).lines[0]
    journal = adjust_actual(demo_db, line.id, YEAR, 8, 12_345_600, "Late journal")
    before = stored.digest(demo_db)
    with pytest.raises(JointleadError) as refused:
        undo_edit(demo_db, undone)  # the first manager's Redo
    assert (refused.value.message, refused.value.advice) == (
        "That change cannot be undone: the budget or actuals to M8 2026-27 have changed since the month was closed, "
        "so closing it again would lock in figures nobody has agreed.",
        "Check M8's figures, then close it afresh (Close M8… on the Budgets page), which keeps them as they are "
        "then.")
    assert stored.digest(demo_db) == before
    undo_edit(demo_db, journal)  # the figures as they were closed: the month closes again on them
    undo_edit(demo_db, undone)
    assert pool_position(demo_db).as_at.number == 8


def test_an_unlock_is_undone_whatever_changed_while_the_month_stayed_closed(demo_db):
    # The demo's M7 is closed. Later months' forecasts, a line's code and forecast method, a new line: none of them
    # changes M7's budget or actuals to date, though some change what it kept of the forecast outturn.
    line = pool_position(demo_db).lines[0]
    set_forecast(demo_db, line.id, YEAR, 11, 1_000_000, "Expected spike")
    change_budget_line(demo_db, line.id, LineTerms(f"{line.code}X", line.name, line.category, line.responsible_code,
                                                   line.share_profile, "profile"))
    add_budget_line(demo_db, None, LineTerms("MH99", "Crisis beds", "commissioned care", None), YEAR, 120_000_00)
    unlock = unlock_period(demo_db, None, YEAR, 7, "Opened by mistake", today=date(2026, 12, 1))
    undo_edit(demo_db, unlock)
    assert pool_position(demo_db).as_at.number == 7


def test_the_demo_months_keep_the_figures_they_were_closed_on(demo_db):
    with demo_db.session() as session:
        for close in session.scalars(select(PeriodClose)):
            assert json.loads(close.snapshot_json) == agreed_figures(session, close.agreement_id, close.year,
                                                                     close.period)
            assert json.loads(close.snapshot_json)["as_at"] == f"M{close.period}"


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
    # An actual typed on the host's ledger is not the host's extract: the month still waits for it.
    with pytest.raises(ValidationError, match="No ledger from NFT or NCC is loaded"):
        close_period(demo_db, None, YEAR, 8, today=date(2026, 12, 7))
    undo_edit(demo_db, edit)
    assert pool_position(demo_db, as_at=8).lines[1].figures.actuals[7] is None


def test_a_line_added_after_months_have_closed_spreads_its_budget_over_the_open_months(demo_db):
    before = pool_position(demo_db, as_at=7).pool.budget_to_date
    add_budget_line(demo_db, None, LineTerms("MH99", "Crisis beds", "commissioned care", None), YEAR, 120_000_01)
    added = next(line for line in pool_position(demo_db, as_at=7).lines if line.code == "MH99").figures
    # M1 to M7 are closed with the budget they had: none for a line that did not exist.
    assert added.budget_profile == (0,) * 7 + (2_400_001, 2_400_000, 2_400_000, 2_400_000, 2_400_000)
    assert added.annual_budget_pence == 12_000_001 and added.budget_to_date == 0
    assert pool_position(demo_db, as_at=7).pool.budget_to_date == before

    weights = [1] * 7 + [1, 1, 1, 1, 2]  # the closed months' weights count for nothing
    add_budget_line(demo_db, None, LineTerms("MH98", "Step-down", "pay", None), YEAR, 600_000, weights)
    shaped = next(line for line in pool_position(demo_db, as_at=7).lines if line.code == "MH98").figures
    assert shaped.budget_profile == (0,) * 7 + (100_000,) * 4 + (200_000,)
    with pytest.raises(ValidationError, match="nothing in the open months, M8 to M12"):
        add_budget_line(demo_db, None, LineTerms("MH97", "Later", "pay", None), YEAR, 1_000, [1] * 7 + [0] * 5)


def test_a_line_added_by_mistake_after_months_have_closed_is_undone_and_redone(demo_db):
    before = pool_position(demo_db)
    added = add_budget_line(demo_db, None, LineTerms("MH99", "Added by mistake", "pay", None), YEAR, 50_000_00)
    undone = undo_edit(demo_db, added)  # its empty months in the closed M1 to M7 change none of their figures
    assert pool_position(demo_db).lines == before.lines
    undo_edit(demo_db, undone)
    assert "MH99" in {line.code for line in pool_position(demo_db).lines}


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


def test_a_line_cannot_take_a_code_another_line_has(empty_db):
    agreement_id = set_up(empty_db)
    add_budget_line(empty_db, agreement_id, LineTerms("A", "Nursing", "pay", "ETR"), YEAR, 1_200_000)
    add_budget_line(empty_db, agreement_id, LineTerms("B", "Social work", "pay", "ETR"), YEAR, 1_200_000)
    line_id = pool_position(empty_db, as_at=0, today=date(2026, 5, 1)).lines[1].id
    before = stored.digest(empty_db)
    with pytest.raises(ValidationError) as refused:  # was: the database's UNIQUE constraint, an unexpected error
        change_budget_line(empty_db, line_id, LineTerms(" A ", "Social work", "pay", "ETR"))
    assert (refused.value.message, refused.value.advice) == ("There is already a line with the code A.",
                                                             "Keep its code, or choose one not in use.")
    assert stored.digest(empty_db) == before
    change_budget_line(empty_db, line_id, LineTerms("B", "Social work team", "pay", "ETR"))  # its own code is fine


def test_an_income_line_takes_the_shape_of_last_years_credits(empty_db):
    agreement_id = set_up(empty_db)
    add_contribution(empty_db, agreement_id, "ETR", YEAR, "NHS", 1_300_000)
    add_budget_line(empty_db, agreement_id, LineTerms("I", "Client income", "income", "ETR"), YEAR - 1, -1_200_000)
    line_id = pool_position(empty_db, as_at=0, today=date(2025, 5, 1)).lines[0].id
    for period in range(1, 13):
        adjust_actual(empty_db, line_id, YEAR - 1, period, -100_000 * (2 if period == 12 else 1), "last year")
    set_annual_budget(empty_db, line_id, YEAR, -1_300_000)
    reprofile_line(empty_db, line_id, YEAR, "last year's actuals")  # was: "weights cannot be negative", unexpected
    profile = pool_position(empty_db, as_at=0, today=date(2026, 5, 1)).lines[0].figures.budget_profile
    assert profile == (-100_000,) * 11 + (-200_000,)


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


def test_completing_an_income_lines_profile_spreads_more_income_and_refuses_to_make_spending(empty_db):
    agreement_id = set_up(empty_db)
    add_budget_line(empty_db, agreement_id, LineTerms("I", "Client income", "income", "ETR"), YEAR, -1_200_000)
    line_id = pool_position(empty_db, as_at=0, today=date(2026, 5, 1)).lines[0].id

    def annual_alone(pence: int) -> None:  # as an older version could leave it: the annual budget changed alone
        with empty_db.session() as session:
            session.scalar(select(LineYear).where(LineYear.budget_line_id == line_id)).annual_budget_pence = pence
            session.commit()

    annual_alone(-2_400_000)  # £12,000 more income expected: was "would leave M1 below nothing"
    complete_profile(empty_db, line_id, YEAR)
    assert pool_position(empty_db, as_at=0, today=date(2026, 5, 1)).lines[0].figures.budget_profile == \
        (-200_000,) * 12
    with empty_db.session() as session:  # a month with little income in it, and less expected in the year
        session.scalar(select(LineMonth).where(LineMonth.budget_line_id == line_id, LineMonth.period == 1)
                       ).budget_pence = -10_000
        session.commit()
    annual_alone(-2_000_000)
    with pytest.raises(ValidationError, match=r"Taking £2,100 of income from the open months of line I would "
                                              "leave M1 as spending"):
        complete_profile(empty_db, line_id, YEAR)


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


# --- starting the next year -------------------------------------------------------------------------------------
NEXT = YEAR + 1
ROLLED_TABLES = ("line_year", "line_month", "contribution", "contribution_payment")


def rolled(database) -> dict[str, list[tuple]]:
    """What starting a year writes, row by row (without the version, which an undo moves on)."""
    return {table: stored.contents(database, table) for table in ROLLED_TABLES}


def next_months(database, year: int = NEXT) -> dict[str, tuple[int, ...]]:
    position = pool_position(database, year=FinancialYear(year), as_at=0)
    return {line.code: line.figures.budget_profile for line in position.lines if line.figures.annual_budget_pence
            or any(line.figures.budget_profile)}


def virement(database, giver: int, taker: int, pence: int, *, recurrent: bool):
    return make_virement(database, None, YEAR, giver, taker, pence, reason="Demand", approved_by="JGM",
                         approval_date=date(2026, 7, 20), recurrent=recurrent)


@pytest.fixture
def a_year(empty_db):
    """A 2026-27 pool with M1 to M3 closed, and budget moved from M4 by a one-off and by a recurrent virement (and
    by one undone)."""
    agreement_id = set_up(empty_db)
    add_contribution(empty_db, agreement_id, "ETR", YEAR, "NHS minimum contribution", 300_000_001)
    add_contribution(empty_db, agreement_id, "ECC", YEAR, "Better Care Grant", 100_000_000, schedule="quarterly")
    add_contribution(empty_db, agreement_id, "ECC", YEAR, "Winter pressures", 5_000_000, recurrent=False,
                     schedule="annual")
    add_budget_line(empty_db, agreement_id, LineTerms("A", "Reablement", "pay", "ETR"), YEAR, 120_000_001)
    add_budget_line(empty_db, agreement_id, LineTerms("B", "Care homes", "commissioned care", None), YEAR,
                    280_000_000, weights=[1] * 11 + [2])
    add_budget_line(empty_db, agreement_id, LineTerms("C", "Equipment", "non-pay", None), YEAR, 5_000_000)
    for period in (1, 2, 3):
        close_period(empty_db, None, YEAR, period, today=date(2026, 7, 10), closing_without=("ETR", "ECC"))
    one_off = virement(empty_db, _line_id(empty_db, "A"), _line_id(empty_db, "C"), 1_000_000, recurrent=False)
    undo_edit(empty_db, undo_edit(empty_db, one_off))  # undone and redone: still in force
    virement(empty_db, _line_id(empty_db, "B"), _line_id(empty_db, "C"), 2_000_001, recurrent=True)
    undo_edit(empty_db, virement(empty_db, _line_id(empty_db, "A"), _line_id(empty_db, "B"), 500_000,
                                 recurrent=False))  # undone: as if never made
    return empty_db


def test_next_year_carries_each_lines_budget_without_its_one_off_virements_to_the_penny(a_year):
    this_year = {line.code: line.figures for line in pool_position(a_year, year=FinancialYear(YEAR)).lines}
    assert this_year["A"].annual_budget_pence == 119_000_001 and this_year["C"].annual_budget_pence == 8_000_001
    plan = roll_forward_preview(a_year, None, YEAR)
    lines = {line.code: line for line in plan.lines}
    assert {code: (line.budget_pence, line.one_off_pence, line.next_pence, line.status)
            for code, line in lines.items()} == {
        "A": (119_000_001, -1_000_000, 120_000_001, CARRIED),  # what the one-off virement took comes back
        "B": (277_999_999, 0, 277_999_999, CARRIED),  # the recurrent virement carries on
        "C": (8_000_001, 1_000_000, 7_000_001, CARRIED)}
    assert lines["A"].virements == ("gave £10,000 to C from M4: Demand",)
    edit = start_next_year(a_year, None, YEAR, seen=plan)
    months = next_months(a_year)
    assert {code: sum(m) for code, m in months.items()} == {"A": 120_000_001, "B": 277_999_999, "C": 7_000_001}
    # Even stays even, though the virements made A and C's months this year uneven (and their profile custom).
    assert months["A"] == even_profile(120_000_001) and months["C"] == even_profile(7_000_001)
    # Custom keeps its weights: this year's care homes shape (March double), not where the virement landed.
    assert months["B"] == custom_profile(277_999_999, custom_profile(280_000_000, [1] * 11 + [2]))
    assert [line.next_months for line in plan.lines] == [months["A"], months["B"], months["C"]]
    with a_year.session() as session:
        profiles = dict(session.execute(select(LineYear.budget_line_id, LineYear.profile)
                                        .where(LineYear.year == NEXT)).all())
    assert sorted(profiles.values()) == ["custom", "even", "even"]
    assert len(edit.entries) == 3 * 13 + 2 + 12 + 4  # each line's year and months; two contributions, instalments


def test_a_line_added_once_months_had_closed_and_then_given_a_virement_is_even_next_year(a_year):
    """Added even after M1 to M3 closed, it had no budget in them: they were before it began. A virement into it
    made it custom; next year it is still even, over all twelve months, not over M4 to M12."""
    add_budget_line(a_year, None, LineTerms("D", "Crisis beds", "commissioned care", None), YEAR, 9_000_000)
    virement(a_year, _line_id(a_year, "A"), _line_id(a_year, "D"), 900_000, recurrent=True)
    shaped = [0] * 3 + [1] * 9  # one shaped on purpose to have none in M1 to M3 keeps that shape
    add_budget_line(a_year, None, LineTerms("E", "Winter beds", "commissioned care", None), YEAR, 9_000_000, shaped)
    virement(a_year, _line_id(a_year, "A"), _line_id(a_year, "E"), 900_000, recurrent=True)
    lines = {line.code: line for line in roll_forward_preview(a_year, None, YEAR).lines}
    assert lines["D"].next_months == even_profile(9_900_000)
    assert lines["E"].next_months == custom_profile(9_900_000, [0] * 3 + [1] * 9)


def test_a_custom_line_added_once_months_had_closed_keeps_their_typed_weights_next_year(a_year):
    """Added after M1 to M3 closed, with weights typed for all twelve months: the closed months got no budget, but
    next year they are open and get what was typed for them, for spending and for income alike."""
    winter = [2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1]
    add_budget_line(a_year, None, LineTerms("F", "Winter beds", "commissioned care", None), YEAR, 9_000_000, winter)
    virement(a_year, _line_id(a_year, "A"), _line_id(a_year, "F"), 900_000, recurrent=True)
    add_budget_line(a_year, None, LineTerms("G", "Client contributions", "income", None), YEAR, -6_000_003, winter)
    this_year = {line.code: line.figures for line in pool_position(a_year, year=FinancialYear(YEAR)).lines}
    assert this_year["F"].annual_budget_pence == 9_900_000  # none of it in the closed months
    with a_year.session() as session:
        months = dict(session.execute(select(LineMonth.period, LineMonth.budget_pence).where(
            LineMonth.budget_line_id == _line_id(a_year, "F"), LineMonth.year == YEAR)).all())
    assert [months[p] for p in (1, 2, 3)] == [0, 0, 0]
    lines = {line.code: line for line in roll_forward_preview(a_year, None, YEAR).lines}
    assert lines["F"].next_months == custom_profile(9_900_000, winter)
    assert lines["G"].next_months == custom_profile(-6_000_003, winter)
    start_next_year(a_year, None, YEAR)
    assert next_months(a_year)["F"] == custom_profile(9_900_000, winter)


def test_a_custom_line_added_with_every_month_open_keeps_this_years_shape_zeros_set_by_hand_included(empty_db):
    agreement_id = set_up(empty_db)
    add_budget_line(empty_db, agreement_id, LineTerms("H", "Respite", "commissioned care", None), YEAR, 12_000_000,
                    [1] * 12)
    set_month_budget(empty_db, _line_id(empty_db, "H"), YEAR, 1, 0)  # no respite in April after all
    with empty_db.session() as session:
        assert session.scalars(select(LineYear.weights_json)).all() == [None]  # no month was closed when added
    lines = {line.code: line for line in roll_forward_preview(empty_db, None, YEAR).lines}
    assert lines["H"].next_months == (0,) + (1_000_000,) * 11


def test_next_year_carries_the_recurrent_contributions_with_their_payment_schedules(a_year):
    plan = roll_forward_preview(a_year, None, YEAR)
    assert [(c.partner_code, c.funding_stream, c.amount_pence, c.schedule, c.status) for c in plan.contributions] == [
        ("ECC", "Better Care Grant", 100_000_000, "quarterly", CARRIED),
        ("ECC", "Winter pressures", 5_000_000, "annual", NOT_RECURRENT),
        ("ETR", "NHS minimum contribution", 300_000_001, "monthly", CARRIED)]
    assert (plan.next_lines_pence, plan.next_contributions_pence, plan.unbudgeted_pence) == (
        405_000_001, 400_000_001, -5_000_000)  # the one-off winter money was budgeted; next year it is not there
    start_next_year(a_year, None, YEAR)
    due = instalments(a_year, 1, NEXT)
    assert [(i.partner_code, i.expected_date) for i in due if i.partner_code == "ECC"] == [
        ("ECC", date(2027, 4, 15)), ("ECC", date(2027, 7, 15)), ("ECC", date(2027, 10, 15)),
        ("ECC", date(2028, 1, 17))]  # the 15th, or the Monday after a weekend
    assert sum(i.expected_pence for i in due if i.partner_code == "ETR") == 300_000_001
    assert len([i for i in due if i.partner_code == "ETR"]) == 12
    assert year_totals(a_year, 1, NEXT) == YearTotals(FinancialYear(NEXT), 3, 405_000_001, 400_000_001)
    assert pool_balance(a_year) == [
        "The 2027-28 budget lines total £4,050,000.01, but the partners' contributions total £4,000,000.01: the "
        "lines budget £50,000 more than was contributed."]


def test_undoing_a_started_year_takes_all_of_it_back(a_year):
    before = rolled(a_year)
    edit = start_next_year(a_year, None, YEAR)
    assert rolled(a_year) != before
    redo = undo_edit(a_year, edit)
    assert rolled(a_year) == before
    undo_edit(a_year, redo)
    assert year_totals(a_year, 1, NEXT).lines == 3


def test_what_next_year_already_has_is_left_alone_and_listed(a_year):
    set_annual_budget(a_year, _line_id(a_year, "C"), NEXT, 9_000_000)
    add_contribution(a_year, 1, "ECC", NEXT, "better care grant", 110_000_000)
    plan = roll_forward_preview(a_year, None, YEAR)
    assert [(line.code, line.next_pence, line.status) for line in plan.lines] == [
        ("A", 120_000_001, CARRIED), ("B", 277_999_999, CARRIED), ("C", 9_000_000, ALREADY)]
    assert [(c.funding_stream, c.amount_pence, c.status) for c in plan.contributions] == [
        ("better care grant", 110_000_000, ALREADY), ("Winter pressures", 5_000_000, NOT_RECURRENT),
        ("NHS minimum contribution", 300_000_001, CARRIED)]
    kept = stored.rows(a_year, "SELECT id, annual_budget_pence FROM line_year WHERE year = :y", y=NEXT)
    start_next_year(a_year, None, YEAR, seen=plan)
    assert set(kept) <= set(stored.rows(a_year, "SELECT id, annual_budget_pence FROM line_year WHERE year = :y",
                                        y=NEXT))
    assert year_totals(a_year, 1, NEXT).contributions_pence == 410_000_001


def test_the_demo_year_starts_without_its_one_off_virement_and_its_one_off_contribution(demo_db):
    this_year = {line.code: line for line in pool_position(demo_db, year=FinancialYear(YEAR)).lines}
    plan = roll_forward_preview(demo_db, None, YEAR)
    lines = {line.code: line for line in plan.lines}
    # The demo's £40,000 non-recurrent virement gave MH01's budget to MH10; its recurrent one (MH02 to MH03) stays.
    assert lines["MH01"].next_pence == this_year["MH01"].figures.annual_budget_pence + 4_000_000 == 255_000_000
    assert lines["MH10"].next_pence == this_year["MH10"].figures.annual_budget_pence - 4_000_000 == 147_000_000
    assert lines["MH02"].next_pence == this_year["MH02"].figures.annual_budget_pence == 146_200_000
    assert all(line.next_pence == this_year[code].figures.annual_budget_pence
               for code, line in lines.items() if code not in ("MH01", "MH10"))
    assert [c.funding_stream for c in plan.contributions if c.status == NOT_RECURRENT] == [
        "Community mental health transformation"]
    assert plan.unbudgeted_pence == -120_000_000
    start_next_year(demo_db, None, YEAR)
    months = next_months(demo_db)
    # Custom this year: the seasonal shape carries on, without the months the one-off virement moved budget into.
    assert months["MH10"] == custom_profile(147_000_000, (8, 8, 8, 8, 8, 8, 8, 9, 9, 9, 9, 8))
    assert months["MH15"] == custom_profile(lines["MH15"].next_pence, this_year["MH15"].figures.budget_profile)
    # Lines made custom only by virements are even again.
    assert months["MH01"] == even_profile(255_000_000) and months["MH02"] == even_profile(146_200_000)
    assert months["MH16"] == even_profile(-35_000_000)  # an income line, even


def _refused(database, year: int, message: str) -> None:
    before = stored.digest(database)
    with pytest.raises(ValidationError, match=message):
        roll_forward_preview(database, None, year)
    with pytest.raises(ValidationError, match=message):
        start_next_year(database, None, year)
    assert stored.digest(database) == before


def test_a_year_beyond_the_agreement_is_not_started_and_nothing_changes(empty_db):
    set_up_agreement(empty_db, AgreementTerms("Short pool", "ETR", YEAR, last_year=YEAR), PARTNERS)
    add_budget_line(empty_db, 1, LineTerms("A", "Reablement", "pay", "ETR"), YEAR, 1_200)
    _refused(empty_db, YEAR, "Short pool runs to 2026-27, so 2027-28 cannot be started")
    with pytest.raises(ValidationError) as refusal:
        roll_forward_preview(empty_db, None, YEAR)
    assert "change its last year" in refusal.value.advice


def test_a_year_is_started_only_from_the_latest_with_budgets_and_only_once(a_year):
    _refused(a_year, YEAR - 1, "No budget line has a budget for 2025-26")
    set_annual_budget(a_year, _line_id(a_year, "A"), YEAR + 2, 1_200)
    _refused(a_year, YEAR, "2028-29 already has budgets")
    a_year_later = stored.rows(a_year, "SELECT id FROM line_year WHERE year = :y", y=YEAR + 2)[0][0]
    stored.change(a_year, "DELETE FROM line_month WHERE year = :y", y=YEAR + 2)
    stored.change(a_year, "DELETE FROM line_year WHERE id = :id", id=a_year_later)
    start_next_year(a_year, None, YEAR)
    _refused(a_year, YEAR, "Nothing is left to carry into 2027-28")


def test_a_preview_changed_since_it_was_shown_is_refused_and_nothing_changes(a_year):
    plan = roll_forward_preview(a_year, None, YEAR)
    line = next(line for line in pool_position(a_year).lines if line.code == "A")
    set_month_budget(a_year, line.id, YEAR, 12, line.figures.budget_profile[11] + 100)
    before = stored.digest(a_year)
    with pytest.raises(ChangedBySomeoneElse):
        start_next_year(a_year, None, YEAR, seen=plan)
    assert stored.digest(a_year) == before


# --- removing a ledger mapping ---------------------------------------------------------------------------------
def _extract(path, rows) -> object:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Detail"
    sheet.append(["Cost Centre", "Subjective", "Period", "Transaction", "Description", "Amount"])
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def test_a_removed_mapping_keeps_imported_rows_on_their_line_but_later_imports_leave_them_unmapped(empty_db,
                                                                                                   tmp_path):
    agreement_id = set_up(empty_db)
    add_budget_line(empty_db, agreement_id, LineTerms("A", "Reablement", "pay", "ETR"), YEAR, 1_200_000)
    line = _line_id(empty_db, "A")
    add_ledger_mapping(empty_db, line, "ETR", "CE100", "51*")
    extract = _extract(tmp_path / "ETR M1.xlsx", [("CE100", "5110", 1, "T1", "Agency", 1_000)])
    apply_import(empty_db, preview_ledger_import(empty_db, extract, "ETR", year=FinancialYear(YEAR)))
    on_the_line = "SELECT budget_line_id FROM ledger_transaction WHERE removed_by_batch_id IS NULL"
    assert stored.rows(empty_db, on_the_line) == [(line,)]
    [mapping] = ledger_mappings(empty_db, line)
    assert str(mapping) == "ETR CE100 51*"
    with pytest.raises(ChangedBySomeoneElse):
        remove_ledger_mapping(empty_db, mapping.id, seen_version=mapping.version + 1)
    edit = remove_ledger_mapping(empty_db, mapping.id, seen_version=mapping.version)
    assert edit.description == "stop ETR CE100 51* feeding A"
    assert ledger_mappings(empty_db, line) == () and stored.rows(empty_db, on_the_line) == [(line,)]
    again = preview_ledger_import(empty_db, extract, "ETR", year=FinancialYear(YEAR))
    assert (again.unmapped, [c.detail for c in again.changed]) == (1, ["budget line changed"])
    undo_edit(empty_db, edit)
    assert ledger_mappings(empty_db, line) == (mapping,)
    with pytest.raises(JointleadError, match="no longer recorded"):
        remove_ledger_mapping(empty_db, mapping.id + 1)


def test_once_m12_closes_and_the_next_year_has_budgets_the_pool_moves_on_to_it(demo_db):
    from jointlead.services import overview
    from jointlead.services.budget_report import report_periods

    today = date(2027, 4, 20)
    agreement_id = pool_position(demo_db, today=today).agreement_id
    start_next_year(demo_db, agreement_id, 2026)
    for period in range(8, 13):
        assert pool_position(demo_db, today=today).year == FinancialYear(2026)  # until M12 has closed
        close_period(demo_db, agreement_id, 2026, period, today=today, closing_without=("NFT", "NCC"))
    position = pool_position(demo_db, today=today)
    assert (position.year, position.as_at) == (FinancialYear(2027), None)
    assert position.pool.annual_budget_pence > 0  # next year's budgets, as started
    assert report_periods(demo_db, today).year == FinancialYear(2027)
    assert overview.pools(demo_db, today)[0].year == FinancialYear(2027)
    assert overview.pool_years(demo_db, agreement_id) == (FinancialYear(2026), FinancialYear(2027))
    ended = overview.pools(demo_db, today, FinancialYear(2026))[0]  # still there to look back on
    assert ended.as_at == FinancialYear(2026).period(12)
    close_period(demo_db, agreement_id, 2027, 1, today=date(2027, 5, 7), closing_without=("NFT", "NCC"))
    assert pool_position(demo_db, today=today).as_at == FinancialYear(2027).period(1)


def test_a_line_added_after_months_closed_is_forecast_at_the_run_rate_of_its_own_months(empty_db):
    agreement_id = set_up(empty_db)
    add_contribution(empty_db, agreement_id, "ETR", YEAR, "NHS minimum contribution", 132_000_000)
    add_budget_line(empty_db, agreement_id, LineTerms("OLD", "Existing line", "pay", "ETR"), YEAR, 120_000_000)
    for period in range(1, 8):
        adjust_actual(empty_db, _line_id(empty_db, "OLD"), YEAR, period, 10_000_000, "ledger")
        close_period(empty_db, agreement_id, YEAR, period, today=date(2026, 12, 1), closing_without=("ETR", "ECC"))
    # A new service from M8: £120,000 over M8 to M12, £24,000 a month, spent exactly so in M8.
    add_budget_line(empty_db, agreement_id, LineTerms("NEW", "New service", "pay", "ETR"), YEAR, 12_000_000)
    adjust_actual(empty_db, _line_id(empty_db, "NEW"), YEAR, 8, 2_400_000, "ledger")
    adjust_actual(empty_db, _line_id(empty_db, "OLD"), YEAR, 8, 10_000_000, "ledger")
    close_period(empty_db, agreement_id, YEAR, 8, today=date(2026, 12, 1), closing_without=("ETR", "ECC"))

    position = pool_position(empty_db, year=FinancialYear(YEAR))
    new = next(line for line in position.lines if line.code == "NEW").figures
    # Averaged over M1 to M8 it was £3,000 a month: £84,000 "underspent", and returned to the partners.
    assert new.forecast == (2_400_000,) * 4
    assert new.full_year_variance == 0
    assert position.risk_share.total_variance_pence == 0
    with empty_db.session() as session:  # the close keeps the same forecast outturn
        kept = json.loads(session.scalar(select(PeriodClose.snapshot_json).where(PeriodClose.period == 8)))
    assert kept["lines"]["NEW"]["forecast_outturn"] == 12_000_000


def test_a_virement_moves_budget_only_between_lines_of_its_own_pool(empty_db):
    first = set_up(empty_db)
    set_up_agreement(empty_db, AgreementTerms(title="Other pool", host="ECC", first_year=2026), PARTNERS)
    with empty_db.session() as session:
        other = session.scalar(select(Agreement.id).where(Agreement.title == "Other pool"))
    add_budget_line(empty_db, first, LineTerms("A1", "Reablement", "pay", "ETR"), YEAR, 120_000_000)
    add_budget_line(empty_db, other, LineTerms("B1", "Equipment", "non-pay", "ECC"), YEAR, 60_000_000)
    for period in (1, 2, 3):
        close_period(empty_db, other, YEAR, period, today=date(2026, 8, 1), closing_without=("ETR", "ECC"))
    with empty_db.session() as session:
        a1, b1 = (session.scalar(select(BudgetLine.id).where(BudgetLine.code == code)) for code in ("A1", "B1"))
    before = audit_count(empty_db)
    for giver, taker in ((a1, b1), (b1, a1)):
        with pytest.raises(ValidationError) as refused:
            make_virement(empty_db, first, YEAR, giver, taker, 6_000_000, reason="r", approved_by="JGM",
                          approval_date=date(2026, 4, 10), board_approval="JMB 1", today=date(2026, 8, 1))
        assert refused.value.message == ("Line B1 (Equipment) is in another pooled budget, Other pool, not Eastshire "
                                         "Better Care Fund: a virement moves budget between lines of one pool, and "
                                         "never changes a pool's total.")
        assert refused.value.advice == "Choose two lines of Eastshire Better Care Fund."
    assert audit_count(empty_db) == before
    assert year_totals(empty_db, other, YEAR).lines_pence == 60_000_000
    assert year_totals(empty_db, first, YEAR).lines_pence == 120_000_000


def test_months_close_in_order_across_the_year_end(empty_db):
    from jointlead.services.budget_report import budget_checklist

    agreement_id = set_up(empty_db)
    add_budget_line(empty_db, agreement_id, LineTerms("L1", "Line", "pay", "ETR"), YEAR, 120_000_000)
    set_annual_budget(empty_db, _line_id(empty_db, "L1"), YEAR + 1, 120_000_000)
    today = date(2027, 6, 1)
    # The agreement's first year: the year before it has no budget, so nothing to close first.
    close_period(empty_db, agreement_id, YEAR, 1, today=today, closing_without=("ETR", "ECC"))
    for period in range(2, 12):
        close_period(empty_db, agreement_id, YEAR, period, today=today, closing_without=("ETR", "ECC"))
    assert any(item.wording.startswith("M12 2026-27 is not closed") and not item.ok
               for item in budget_checklist(empty_db, agreement_id, YEAR + 1, 1, closing=True))
    with pytest.raises(ValidationError) as refused:
        close_period(empty_db, agreement_id, YEAR + 1, 1, today=today, closing_without=("ETR", "ECC"))
    assert refused.value.message == ("M12 2026-27 is still open: months close in order, and M1 2027-28 comes after "
                                     "it.")
    assert refused.value.advice.startswith("Close M12 2026-27 first")
    assert count(empty_db, PeriodClose) == 11
    twelve = close_period(empty_db, agreement_id, YEAR, 12, today=today, closing_without=("ETR", "ECC"))
    one = close_period(empty_db, agreement_id, YEAR + 1, 1, today=today, closing_without=("ETR", "ECC"))
    # Edit > Undo keeps to the same order: M1's close undone, then M12's, then M1's redone, is refused.
    redo_one = undo_edit(empty_db, one)
    undo_edit(empty_db, twelve)
    with pytest.raises(JointleadError, match="it would close M1 2027-28, but M12 2026-27 is open"):
        undo_edit(empty_db, redo_one)


def test_the_close_checklist_says_when_the_year_before_is_still_open(empty_db):
    from jointlead.services.budget_report import budget_checklist

    agreement_id = set_up(empty_db)
    add_budget_line(empty_db, agreement_id, LineTerms("L1", "Line", "pay", "ETR"), YEAR, 120_000_000)
    set_annual_budget(empty_db, _line_id(empty_db, "L1"), YEAR + 1, 120_000_000)
    wording = [item.wording for item in budget_checklist(empty_db, agreement_id, YEAR + 1, 1, closing=True)]
    assert wording[0] == ("M12 2026-27 is not closed: months close in order across the year end, so close it before "
                          "any month of 2027-28.")
    assert "M12 2026-27" not in " ".join(item.wording for item in budget_checklist(empty_db, agreement_id, YEAR, 1,
                                                                                    closing=True))


def test_a_year_the_pool_skipped_does_not_hold_up_the_next(empty_db):
    agreement_id = set_up(empty_db)
    add_budget_line(empty_db, agreement_id, LineTerms("L1", "Line", "pay", "ETR"), YEAR, 120_000_000)
    set_annual_budget(empty_db, _line_id(empty_db, "L1"), YEAR + 2, 120_000_000)
    today = date(2029, 6, 1)
    for period in range(1, 13):
        close_period(empty_db, agreement_id, YEAR, period, today=today, closing_without=("ETR", "ECC"))
    # 2027-28 has no line budget: it was never monitored, and has nothing to close before 2028-29's M1.
    close_period(empty_db, agreement_id, YEAR + 2, 1, today=today, closing_without=("ETR", "ECC"))
    assert count(empty_db, PeriodClose) == 13


def test_a_skipped_year_does_not_let_a_month_close_before_the_last_monitored_years_m12(empty_db):
    agreement_id = set_up(empty_db)
    add_budget_line(empty_db, agreement_id, LineTerms("L1", "Line", "pay", "ETR"), YEAR, 120_000_000)
    set_annual_budget(empty_db, _line_id(empty_db, "L1"), YEAR + 2, 120_000_000)
    with pytest.raises(ValidationError, match="M12 2026-27 is still open: months close in order, and M1 2028-29"):
        close_period(empty_db, agreement_id, YEAR + 2, 1, today=date(2029, 6, 1), closing_without=("ETR", "ECC"))


def test_a_month_closes_before_the_partners_contributions_are_recorded(empty_db):
    agreement_id = set_up(empty_db)
    add_budget_line(empty_db, agreement_id, LineTerms("L1", "Line", "pay", "ETR"), YEAR, 120_000_000)
    adjust_actual(empty_db, _line_id(empty_db, "L1"), YEAR, 1, 9_000_000, "April ledger")
    close_period(empty_db, agreement_id, YEAR, 1, today=date(2026, 5, 2), closing_without=("ETR", "ECC"))
    with empty_db.session() as session:
        kept = json.loads(session.scalar(select(PeriodClose.snapshot_json)))
    assert kept == {"as_at": "M1", "lines": {"L1": {"budget_to_date": 10_000_000, "actual_to_date": 9_000_000,
                                                    "forecast_outturn": 108_000_000}}}


def test_a_pool_a_few_pence_out_of_balance_says_so_to_the_penny(empty_db):
    agreement_id = set_up(empty_db)
    add_contribution(empty_db, agreement_id, "ETR", YEAR, "NHS minimum contribution", 90_000_000)
    add_contribution(empty_db, agreement_id, "ECC", YEAR, "Better Care Grant", 30_000_000)
    add_budget_line(empty_db, agreement_id, LineTerms("L1", "Line 1", "pay", "ETR"), YEAR, 60_000_000)
    add_budget_line(empty_db, agreement_id, LineTerms("L2", "Line 2", "pay", "ECC"), YEAR, 60_000_000 - 40)
    assert pool_balance(empty_db) == [
        "The 2026-27 budget lines total £1,199,999.60, but the partners' contributions total £1,200,000: "
        "£0.40 contributed is in no budget line."]
    with pytest.raises(ValidationError, match=r"^£25,000\.40 is above the delegated limit of £25,000, so"):
        make_virement(empty_db, agreement_id, YEAR, _line_id(empty_db, "L1"), _line_id(empty_db, "L2"), 2_500_040,
                      reason="r", approved_by="JGM", approval_date=date(2026, 4, 10), today=date(2026, 5, 1))


def test_an_actual_by_hand_goes_only_on_the_ledger_of_one_of_the_pools_partners(empty_db):
    agreement_id = set_up(empty_db)
    set_up_agreement(empty_db, AgreementTerms(title="Other pool", host="VSO", first_year=2026),
                     (PartnerTerms("VSO", "Voluntary organisation"), PartnerTerms("ECC", "")))
    add_budget_line(empty_db, agreement_id, LineTerms("L1", "Line", "pay", "ETR"), YEAR, 12_000_000)
    line, before = _line_id(empty_db, "L1"), audit_count(empty_db)
    with pytest.raises(ValidationError) as outside:
        adjust_actual(empty_db, line, YEAR, 1, 500_000, "typed", partner="VSO")
    assert outside.value.message == ("VSO is not a partner in Eastshire Better Care Fund, so an actual cannot be "
                                     "entered on its ledger for the pool.")
    assert outside.value.advice == "Name one of the pool's partners (ETR, ECC), or none for the host's ledger."
    with pytest.raises(ValidationError, match=r"^There is no organisation with the code XXX, so an actual"):
        adjust_actual(empty_db, line, YEAR, 1, 600_000, "typed", partner="XXX")
    assert audit_count(empty_db) == before
    adjust_actual(empty_db, line, YEAR, 1, 700_000, "typed", partner="ecc")  # a partner's, however it is typed
    with empty_db.session() as session:
        assert session.execute(select(Organisation.code, LedgerTransaction.amount_pence).join(
            LedgerTransaction, LedgerTransaction.organisation_id == Organisation.id)).all() == [("ECC", 700_000)]


def test_an_agreement_whose_month_was_closed_and_the_close_undone_is_refused_undoing_for_good(empty_db):
    """Undoing a close keeps the close on the record, unlocked: it points at the agreement for good, so undoing the
    set-up is refused once and for all (Undo must not offer it again and again), not "until nothing points at it"."""
    from jointlead.domain.errors import StillPointedAt

    setup = set_up_agreement(empty_db, TERMS, PARTNERS)
    add_budget_line(empty_db, 1, LineTerms("L1", "Reablement", "pay", "ETR"), 2026, 1_200_000)
    close = close_period(empty_db, 1, 2026, 1, today=date(2026, 5, 2), closing_without=("ETR", "ECC"))
    undo_edit(empty_db, close)
    with pytest.raises(JointleadError, match="kept on the record for good") as refused:
        undo_edit(empty_db, setup)
    assert not isinstance(refused.value, StillPointedAt)
    assert "1 month closed linked to it is kept on the record for good" in refused.value.message
    assert count(empty_db, Agreement) == 1
