"""Closing M12 on the Budgets page once 2027-28 is started (the usual order): the Close dialog says, as a note, that
the underspend retained goes into 2027-28's funding, the close carries it, the page stays on the year just closed,
and the Year end view says where the underspend is; with one month left, the Virement dialog names it alone."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from html import unescape

from driving import only, save
from sqlalchemy import delete, select

from jointlead.domain.calendar import FinancialYear
from jointlead.services import budget_setup
from jointlead.services.budget_month import close_period
from jointlead.store.models import Contribution, ContributionPayment
from jointlead.ui import budget_dialogs

STREAM = "Underspend carried forward from 2026-27"
AFTER_YEAR_END = date(2027, 4, 20)


def to_m11(demo_db, *, start: bool = True) -> None:
    """The demo pool retaining underspend, 2027-28 started (unless not `start`), then 2026-27 closed to M11: M12 is
    the month left, and the year underspent (no actuals from M8)."""
    agreement_id, terms, partners = budget_setup.agreement_terms(demo_db)
    budget_setup.change_agreement(demo_db, agreement_id, replace(terms, underspend_rule="retained in the pool"),
                                  partners)
    if start:
        budget_setup.start_next_year(demo_db, agreement_id, 2026)
    for period in range(8, 12):
        close_period(demo_db, agreement_id, 2026, period, today=AFTER_YEAR_END, closing_without=("NFT", "NCC"))


def budgets_page(make_window, demo_db):
    window = make_window(AFTER_YEAR_END)
    window.set_database(demo_db)
    window.show_page("Budgets")
    return window, window.current_page()


def carried(demo_db) -> int:
    with demo_db.session() as session:
        return sum(session.scalars(select(Contribution.amount_pence).where(Contribution.funding_stream == STREAM,
                                                                           Contribution.year == 2027)))


def test_closing_m12_once_next_year_is_started_carries_the_underspend_and_stays_on_the_year_closed(
        make_window, demo_db, qtbot, messages):
    to_m11(demo_db)
    window, page = budgets_page(make_window, demo_db)
    assert page.close_button.text() == "Close &M12…"
    page.close_month()
    dialog = only(page, budget_dialogs.CloseDialog)
    said = [label.text() for label in dialog.findChildren(budget_dialogs.QLabel)]
    # What closing does to 2027-28's funding is information, shown as such and not as something incomplete.
    assert ("ℹ 2027-28 is started already: closing M12 carries the underspend the pool retains at 2026-27's end "
            "(if any) into 2027-28's funding: each partner's part, as a contribution received on 1 April 2027.") in said
    assert not [words for words in said if words.startswith("✘") and "2027-28" in words]
    dialog.without.setChecked(True)
    save(dialog, qtbot)
    assert messages == [] and carried(demo_db) > 0
    assert "carry forward" in window.undo_stack.undoText()

    # The year just closed stays on screen, for its settlement; the pool's year is the next one now.
    assert page.position.year == FinancialYear(2026) and page.as_at.currentData() == 12
    assert [page.year_choice.itemText(i) for i in range(page.year_choice.count())] == ["2026-27",
                                                                                       "2027-28 (current)"]
    assert page.year_choice.currentText() == "2026-27"
    summary = unescape(page.year_end_summary.text())
    assert "Provisional" not in summary and "M12 is not closed" not in summary
    assert "is retained in the pool, carried forward into 2027-28's funding." in summary

    window.undo_stack.undo()  # the close and what it carried, together
    assert carried(demo_db) == 0
    assert "On this forecast" in unescape(page.year_end_summary.text())


def test_the_year_end_view_says_when_the_underspend_is_not_yet_in_next_years_funding(make_window, demo_db):
    to_m11(demo_db, start=False)
    close_period(demo_db, None, 2026, 12, today=AFTER_YEAR_END, closing_without=("NFT", "NCC"))
    _window, page = budgets_page(make_window, demo_db)
    summary = unescape(page.year_end_summary.text())
    assert "carried forward into 2027-28's funding when 2027-28 is started (Start 2027-28… below)." in summary

    budget_setup.start_next_year(demo_db, None, 2026)
    assert carried(demo_db) > 0
    with demo_db.session() as session:  # taken away by hand (or by a version that did not carry it)
        ids = select(Contribution.id).where(Contribution.funding_stream == STREAM)
        session.execute(delete(ContributionPayment).where(ContributionPayment.contribution_id.in_(ids)))
        session.execute(delete(Contribution).where(Contribution.funding_stream == STREAM))
        session.commit()
    page.year_choice.setCurrentIndex(page.year_choice.findData(2026))
    page.year_choice.activated.emit(page.year_choice.currentIndex())
    assert ("is retained in the pool but is not yet in 2027-28's funding: start 2027-28 again (Start 2027-28… "
            "below) to carry it forward.") in unescape(page.year_end_summary.text())


def test_with_only_m12_open_the_virement_dialog_names_it_alone(make_window, demo_db):
    to_m11(demo_db, start=False)
    _window, page = budgets_page(make_window, demo_db)
    page.virement()
    dialog = only(page, budget_dialogs.VirementDialog)
    intro = " ".join(label.text() for label in dialog.findChildren(budget_dialogs.QLabel))
    assert "Move budget from one line to another for M12 of 2026-27;" in intro and "M12 to M12" not in intro
    dialog.reject()
