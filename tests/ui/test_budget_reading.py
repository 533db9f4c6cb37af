"""Reading the Budgets page: its figures before any contribution is recorded, the key to its colours, its months
named one way, its Alt+letters, and its tables in sight in a laptop's window."""

from __future__ import annotations

from datetime import date
from html import unescape

import pytest
from mnemonics import clashes, letter, mnemonics, without_letters

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from jointlead.services import budget_report, budget_setup
from jointlead.services.budget_month import adjust_actual, close_period
from jointlead.services.budget_setup import AgreementTerms, LineTerms, PartnerTerms, add_budget_line, add_contribution
from jointlead.services.budgets import pool_position
from jointlead.ui import budget_dialogs
from jointlead.ui.budget_words import RAG_TONES, rag_words
from jointlead.ui.printing import printout_for
from jointlead.ui.theme import TONES

TODAY = date(2026, 11, 20)


@pytest.fixture
def page(window, demo_db):
    window.set_database(demo_db)
    window.show_page("Budgets")
    return window.current_page()


def _settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


# --- before any contribution is recorded -----------------------------------------------------------------------


def _pool_without_contributions(database) -> int:
    """Two lines, an April of actuals (one line over, one under) and M1 closed: everything but contributions."""
    budget_setup.set_up_agreement(
        database, AgreementTerms(title="Eastshire Better Care Fund", host="ETR", first_year=2026),
        (PartnerTerms("ETR", "Eastshire Trust", "NHS trust"), PartnerTerms("ECC", "Eastshire Council")))
    add_budget_line(database, 1, LineTerms("L1", "Reablement", "pay", "ETR"), 2026, 120_000_000)
    add_budget_line(database, 1, LineTerms("L2", "Care homes", "commissioned care", "ECC"), 2026, 60_000_000)
    lines = {line.code: line.id for line in pool_position(database, risk_share_optional=True).lines}
    adjust_actual(database, lines["L1"], 2026, 1, 12_000_000, "April ledger")
    adjust_actual(database, lines["L2"], 2026, 1, 4_000_000, "April ledger")
    close_period(database, 1, 2026, 1, today=date(2026, 5, 2), closing_without=("ETR", "ECC"))
    return 1


def test_without_contributions_the_page_shows_every_figure_and_says_the_risk_share_needs_them(window, empty_db,
                                                                                               messages):
    agreement_id = _pool_without_contributions(empty_db)
    window.set_database(empty_db)
    window.show_page("Budgets")
    page = window.current_page()

    # Not "the figures cannot be worked out": the lines, their months and the pool's variance are all there.
    assert page.pool_area.isVisible() and not page.no_pool.isVisible()
    assert [page.lines.model.row_at(r).code for r in range(2)] == ["L1", "L2"]
    assert page.variance_tile.value_text() == "£120,000" and "Overspend +6.7%" in page.variance_tile.detail_text()
    assert "not shared yet: see Risk share" in page.variance_tile.detail_text()
    assert page.months.model.rowCount() == 3  # two lines and the whole pool
    assert not page.charts.is_empty()

    # Where the risk share would be, what it waits on and how to record it.
    for words in map(unescape, (page.risk_share.text(), page.charts.risk_waiting.text(),
                                page.year_end_summary.text())):
        assert "The risk share needs each partner's contribution recorded" in words
        assert "on the Contributions tab, press Add contribution…" in words and "for 2026-27" in words
    assert page.charts.risk_stack.currentWidget() is page.charts.risk_waiting
    assert page.year_end.isHidden()  # no settlement to show without the shares
    assert messages == []

    add_contribution(empty_db, agreement_id, "ETR", 2026, "NHS minimum contribution", 135_000_000)
    add_contribution(empty_db, agreement_id, "ECC", 2026, "Better Care Grant", 45_000_000)
    page.show_data(empty_db, TODAY)
    # In words, to the penny as its steps are (it read "ETR £90,000.00 · ECC £30,000.00", the sign left to be read).
    assert page.risk_share.text().endswith(
        "<b>Each partner's share.</b> ETR bears a net £90,000.00: its part of the overspend shared less its part of "
        "the underspend returned. ECC bears a net £30,000.00: its part of the overspend shared less its part of the "
        "underspend returned.</p>")
    assert page.variance_tile.detail_text().endswith("; ETR bears a net £90,000; ECC bears a net £30,000")
    assert page.charts.risk_stack.currentWidget() is page.charts.risk_view
    assert not page.year_end.isHidden() and page.year_end.model.rowCount() == 2


def test_a_partner_with_no_contribution_recorded_is_said_to_bear_nothing(window, empty_db):
    agreement_id = _pool_without_contributions(empty_db)
    add_contribution(empty_db, agreement_id, "ETR", 2026, "NHS minimum contribution", 135_000_000)
    window.set_database(empty_db)
    window.show_page("Budgets")
    text = window.current_page().risk_share.text()
    assert "ECC has no contribution recorded for 2026-27: where the rules share by contributions, it bears " \
           "nothing." in text
    assert "ETR has no contribution" not in text


# --- the key to the colours ----------------------------------------------------------------------------------------


def test_the_variance_colours_have_a_key_in_words_and_each_coloured_figure_says_its_rag(page):
    for tab, key in ((page.lines_tab, page.lines_key), (page.months_tab, page.months_key)):
        page.tabs.setCurrentWidget(tab)
        assert key.isVisible()
        words = key.text()
        assert "positive is an overspend, negative (-£) an underspend" in words
        assert all(rag in words for rag in ("green (within ±1%)", "amber (within ±3%)", "red (beyond ±3%)"))
    # Colour is never alone: the sign says over or under, and each coloured variance's tooltip says its RAG.
    model = page.lines.model
    for row in range(model.rowCount()):
        for column in (6, 8):  # the variance to date, the forecast variance
            index = model.index(row, column)
            text, tip = index.data(), index.data(Qt.ItemDataRole.ToolTipRole)
            line = model.row_at(row)
            variance, budget = ((line.figures.ytd_variance, line.figures.budget_to_date) if column == 6 else
                                (line.figures.full_year_variance, line.figures.annual_budget_pence))
            assert text.startswith("-") == (variance < 0)
            assert tip.endswith(rag_words(variance, budget)), tip
            colour = index.data(Qt.ItemDataRole.ForegroundRole).color().name()
            rag = next(rag for rag in RAG_TONES if rag_words(variance, budget).startswith(rag.value))
            assert colour.lower() == TONES[RAG_TONES[rag]][0].lower()
    # The tile coloured by the RAG to date says it too.
    assert "(+0.8% over)" in page.actual_tile.detail_text()


@pytest.mark.parametrize("view", ["lines_tab", "months_tab"])
def test_a_view_printed_as_its_table_keeps_the_key_to_its_colours(page, view):
    page.tabs.setCurrentWidget(getattr(page, view))
    subtitle = page.subtitle.text()
    printout = printout_for(page)
    assert "Variance is actual or forecast less budget: positive is an overspend" in printout.html
    assert "green (within ±1%), amber (within ±3%), red (beyond ±3%)" in printout.html
    assert page.subtitle.text() == subtitle  # the screen is as it was


# --- the months named one way ----------------------------------------------------------------------------------


def test_a_month_is_named_the_same_way_wherever_it_is_chosen_or_heads_a_column(page, demo_db):
    assert page.as_at.currentText() == "M7 Oct (closed)"
    page.tabs.setCurrentWidget(page.months_tab)
    headers = [page.months.model.headerData(c, Qt.Orientation.Horizontal) for c in range(2, 14)]
    assert headers[6] == "M7 Oct\nclosed" and headers[7] == "M8 Nov\nforecast"
    assert page.charts.month_axis.categoriesLabels()[6] == "M7<br>Oct"  # the same words, on two lines
    unlock = budget_dialogs.UnlockDialog(page.editor, page, page.frame, TODAY)
    assert unlock.period.itemText(0) == "M7 Oct"
    close = budget_dialogs.CloseDialog(page.editor, page, page.frame, [], [], TODAY)
    assert close.windowTitle() == "Close M8 2026-27"
    assert any(label.text().startswith("Closing M8 Nov locks") for label in close.findChildren(budget_dialogs.QLabel))


# --- Alt+letters ---------------------------------------------------------------------------------------------------


def test_every_view_of_the_page_has_its_own_letters_clear_of_the_menus(window, page):
    # Every view, and each of the charts: what is in sight together, the menu bar included.
    views = [(page.tabs.tabText(i), i, None) for i in range(page.tabs.count()) if page.tabs.widget(i) is not
             page.charts_tab]
    views += [(f"Charts: {page.charts.tabs.tabText(j)}", page.tabs.indexOf(page.charts_tab), j)
              for j in range(page.charts.tabs.count())]
    for name, index, chart in views:
        page.tabs.setCurrentIndex(index)
        if chart is not None:
            page.charts.tabs.setCurrentIndex(chart)
        keys = mnemonics(window)
        assert {"File", "Edit", "View", "Help"} <= set(keys), name
        assert clashes(keys) == [], name
        assert without_letters(keys) == [], (name, without_letters(keys))
    # The same words on two buttons in sight (Virement…) still take two letters, not one that would only move
    # between them.
    page.tabs.setCurrentWidget(page.virements_tab)
    twice = [button.text() for button in (page.virement_button, page.virements_tab.buttons[0])]
    assert [text.replace("&", "") for text in twice] == ["Virement…", "Virement…"]
    assert len({letter(text) for text in twice}) == 2
    # Said again with a month, the close keeps its letter; so does the count of unmapped rows.
    assert letter(page.close_button.text()) == "M" and page.close_button.text() == "Close &M8…"
    assert letter(page.tabs.tabText(page.tabs.indexOf(page.unmapped_tab))) == "W"
    assert letter(page.start_year_buttons[0].text()) == letter(page.start_year_buttons[1].text()) == "2"


def test_before_any_pool_the_set_up_button_has_its_letter(window, empty_db):
    window.set_database(empty_db)
    window.show_page("Budgets")
    keys = mnemonics(window)
    assert keys["Set up a pooled budget…"] == "S" and clashes(keys) == [] and without_letters(keys) == []


def test_each_budget_dialogs_main_button_has_its_letter(page, demo_db):
    line = page.position.lines[0]
    dialogs = [
        budget_dialogs.AgreementDialog(page.editor, page, TODAY),
        budget_dialogs.LineDialog(page.editor, page, page.frame),
        budget_dialogs.LineDialog(page.editor, page, page.frame, line),
        budget_dialogs.ContributionDialog(page.editor, page, page.frame),
        budget_dialogs.PaymentDialog(page.editor, page, budget_setup.instalments(demo_db, 1, 2026)[0], TODAY),
        budget_dialogs.MappingDialog(page.editor, page, page.frame, line,
                                     lambda: budget_setup.ledger_mappings(demo_db, line.id)),
        budget_dialogs.VirementDialog(page.editor, page, page.frame, page.position.lines, TODAY),
        budget_dialogs.CloseDialog(page.editor, page, page.frame, [], ["NCC"], TODAY),
        budget_dialogs.UnlockDialog(page.editor, page, page.frame, TODAY),
        budget_dialogs.AssignDialog(page.editor, page, page.position.lines,
                                    budget_report.unmapped_rows(demo_db, 1, 2026)[:1]),
        budget_dialogs.RollForwardDialog(page.editor, page, budget_setup.roll_forward_preview(demo_db, 1, 2026)),
    ]
    for dialog in dialogs:
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert letter(ok.text()), (dialog.windowTitle(), ok.text())
        assert clashes(mnemonics(dialog)) == [], dialog.windowTitle()
        dialog.deleteLater()


# --- in sight in a laptop's window ---------------------------------------------------------------------------------


def test_at_1280_by_800_each_table_shows_every_column_and_the_lines_names_whole(window, page):
    window.resize(1280, 800)
    _settle()
    tables = {page.lines_tab: [page.lines], page.unmapped_tab: [page.unmapped], page.virements_tab: [page.virements],
              page.contributions_tab: [page.contributions, page.instalments], page.year_end_tab: [page.year_end]}
    for tab, shown in tables.items():
        page.tabs.setCurrentWidget(tab)
        _settle()
        for table in shown:
            header = table.view.horizontalHeader()
            assert header.length() <= table.view.viewport().width(), table.view.accessibleName()
    page.tabs.setCurrentWidget(page.lines_tab)
    _settle()
    view = page.lines.view
    assert view.columnWidth(1) >= view.sizeHintForColumn(1)  # every line's name whole, none cut short


def test_without_contributions_the_dashboard_shows_the_forecast_and_variance_and_what_the_risk_share_waits_on(
        window, empty_db, messages):
    _pool_without_contributions(empty_db)
    window.set_database(empty_db)
    window.show_page("Dashboard")
    tiles = window.dashboard.tiles
    # The forecast and the variance stand without contributions: only who bears the variance waits for them.
    assert tiles["Forecast outturn"].value_text() == "£1,920,000"
    assert tiles["Forecast outturn"].detail_text() == "Budget £1,800,000; £120,000 over for the year"
    assert tiles["Variance to date"].value_text() == "£10,000"  # April: £160,000 against £150,000
    assert tiles["Risk-share exposure"].value_text() == "—"
    assert tiles["Risk-share exposure"].detail_text() == ("The risk share needs each partner's contribution "
                                                          "recorded: see Budgets")
    assert "budget as at M1 2026-27" in window.dashboard.subtitle.text()
    checklist = unescape(window.dashboard.checklist.text())
    # A pack waits for the risk share: it is one of the things to complete.
    assert ("The partners' contributions add up to nothing, so there is nothing to share by. Record each partner's "
            "contribution to the pool.") in checklist
    assert messages == []
