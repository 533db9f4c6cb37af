"""The dashboard, as a manager uses it before a board: the service or one organisation, as at a month, and each
tile opening the page behind it already narrowed to what the tile counts."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from mnemonics import clashes, mnemonics, without_letters

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from conftest import DEMO_TODAY
from integration.test_packs import end_the_year
from jointlead.domain.calendar import FinancialYear
from jointlead.domain.findings import Area, Severity
from jointlead.domain.money import format_pounds
from jointlead.services import actions, supervision
from jointlead.services.budget_month import close_period
from jointlead.services.budget_report import report_year
from jointlead.services.budgets import pool_position
from jointlead.services.check import data_quality
from jointlead.services.files import open_existing
from jointlead.services.overview import organisations
from jointlead.services.picture import as_at_picture
from jointlead.ui.widgets import checklist_html


def rows(table) -> list:
    return [table.model.row_at(r) for r in range(table.model.rowCount())]


def click(qtbot, window, title: str):
    qtbot.mouseClick(window.dashboard.tiles[title], Qt.MouseButton.LeftButton)
    return window.current_page()


def test_the_whole_service_matches_the_services_behind_each_tile(window, demo_db):
    window.set_database(demo_db)
    tiles = window.dashboard.tiles
    position = pool_position(demo_db, today=DEMO_TODAY)
    assert tiles["Forecast outturn"].value_text() == format_pounds(position.pool.forecast_outturn)
    assert tiles["Variance to date"].value_text() == format_pounds(position.pool.ytd_variance)
    assert tiles["Risk-share exposure"].value_text() == format_pounds(position.risk_share.total_variance_pence)
    for code, share in position.risk_share.share_by_partner.items():
        assert format_pounds(abs(share)) in tiles["Risk-share exposure"].detail_text() and code in \
            tiles["Risk-share exposure"].detail_text()
    report = supervision.compliance(demo_db, DEMO_TODAY)
    assert tiles["Supervision compliance"].value_text() == report.overall.percent_text
    assert tiles["Overdue actions"].value_text() == str(actions.action_figures(demo_db, DEMO_TODAY).overdue)
    serious = [f for f in data_quality(demo_db, DEMO_TODAY).findings if f.severity != Severity.INFORMATION]
    assert tiles["Data-quality findings"].value_text() == str(len(serious))
    assert tiles["Staff"].value_text() == str(sum(o.staff for o in organisations(demo_db, DEMO_TODAY)))


@pytest.mark.parametrize("code", ["NFT", "NCC"])
def test_one_organisation_sees_its_own_staff_supervision_actions_and_share(window, demo_db, code):
    window.set_database(demo_db)
    dashboard = window.dashboard
    dashboard.organisation.setCurrentIndex(dashboard.organisation.findData(code))
    dashboard.organisation.activated.emit(dashboard.organisation.currentIndex())
    tiles = dashboard.tiles
    staff = {o.code: o.staff for o in organisations(demo_db, DEMO_TODAY)}
    assert tiles["Staff"].value_text() == str(staff[code])
    report = supervision.compliance(demo_db, DEMO_TODAY, organisation=code)
    assert tiles["Supervision compliance"].value_text() == report.overall.percent_text
    assert tiles["Supervision needing action"].value_text() == str(len(report.needing_action))
    # It counts arrangements, and one person can have two: the words say for how many people.
    people = {row.supervisee_id for row in report.needing_action}
    assert f"{len(people)} people: " in tiles["Supervision needing action"].detail_text()
    owned = actions.action_log(demo_db, DEMO_TODAY, organisation=code)
    assert tiles["Overdue actions"].value_text() == str(sum(a.overdue for a in owned))
    assert tiles["Open actions"].value_text() == str(sum(a.is_open for a in owned))
    share = pool_position(demo_db, today=DEMO_TODAY).risk_share.share_by_partner[code]
    assert tiles["Risk-share exposure"].value_text() == format_pounds(share)
    assert code in dashboard.subtitle.text() and not dashboard.organisations.isVisible()
    # The checklist on screen is the one on the cover of this organisation's pack.
    for wording, _ok in as_at_picture(demo_db, DEMO_TODAY, organisation=code).checklist:
        assert wording.replace("'", "&#x27;") in dashboard.checklist.text()


def test_the_as_at_month_switches_the_budget_figures(window, demo_db):
    window.set_database(demo_db)
    dashboard = window.dashboard
    assert dashboard.as_at.currentData() == 7  # the demo's last closed month
    dashboard.as_at.setCurrentIndex(dashboard.as_at.findData(5))
    dashboard.as_at.activated.emit(dashboard.as_at.currentIndex())
    position = pool_position(demo_db, as_at=5, today=DEMO_TODAY)
    assert dashboard.tiles["Variance to date"].value_text() == format_pounds(position.pool.ytd_variance)
    assert "as at M5" in dashboard.subtitle.text()
    assert position.pool.ytd_variance != pool_position(demo_db, today=DEMO_TODAY).pool.ytd_variance


def test_after_year_end_it_is_of_the_year_the_pack_is_of_and_the_new_year_can_be_chosen(make_window, demo_db, qtbot):
    """M12 has closed and the new year's budgets are in, so the pool has moved on; until the new year's M1 closes the
    year-end pack is as at M12, and so is the dashboard, whose "Ready for the pack?" list is that pack's cover."""
    end_the_year(demo_db)
    today = date(2027, 4, 20)
    window = make_window(today)
    window.set_database(demo_db)
    dashboard = window.dashboard
    assert [dashboard.year.itemText(i) for i in range(dashboard.year.count())] == ["2026-27", "2027-28"]
    assert dashboard.year.currentText() == "2026-27" and dashboard.year.isEnabled()
    assert dashboard.as_at.currentData() == 12 and "as at M12" in dashboard.subtitle.text()
    year_end = pool_position(demo_db, year=FinancialYear(2026), today=today)
    assert dashboard.tiles["Forecast outturn"].value_text() == format_pounds(year_end.pool.forecast_outturn)
    pack = as_at_picture(demo_db, today, year=report_year(demo_db, None, None, None, today))
    assert dashboard.checklist.text() == checklist_html(pack.checklist)

    # The new year, as at its start; a tile opens the Budgets page on the year shown.
    dashboard.year.setCurrentIndex(dashboard.year.findData(2027))
    dashboard.year.activated.emit(dashboard.year.currentIndex())
    assert dashboard.as_at.currentData() == 0 and "budget at the start of 2027-28" in dashboard.subtitle.text()
    page = click(qtbot, window, "Forecast outturn")
    assert page.title == "Budgets" and page.year_choice.currentData() == 2027
    window.show_page("Dashboard")
    dashboard.year.setCurrentIndex(dashboard.year.findData(2026))
    dashboard.year.activated.emit(dashboard.year.currentIndex())
    page = click(qtbot, window, "Variance to date")
    assert page.year_choice.currentData() == 2026 and page.as_at.currentData() == 12

    # The year the pack is of, chosen, is followed: once the new year's M1 closes, both move on to it.
    close_period(demo_db, None, 2027, 1, today=date(2027, 5, 8), closing_without=("NFT", "NCC"))
    window.show_page("Dashboard")
    window.refresh()
    assert dashboard.year.currentText() == "2027-28" and dashboard.as_at.currentData() == 1
    # The Budgets page the tile opened on that year follows it too, until another year is chosen there.
    window.show_page("Budgets")
    assert page.year_choice.currentData() == 2027 and page.as_at.currentData() == 1


def test_each_tile_opens_its_page_narrowed_to_what_it_counts(window, demo_db, qtbot):
    window.set_database(demo_db)
    dashboard = window.dashboard
    dashboard.show_for("NCC", as_at=5)

    page = click(qtbot, window, "Overdue actions")
    shown = rows(page.table)
    assert page.title == "Actions" and len(shown) == int(dashboard.tiles["Overdue actions"].value_text())
    assert all(r.overdue and r.organisation == "NCC" for r in shown)

    window.show_page("Dashboard")
    page = click(qtbot, window, "Supervision needing action")
    assert page.title == "Supervision" and page.tabs.currentWidget() is page.needing
    shown = rows(page.needing)
    assert shown and all(r.organisation == "NCC" for r in shown)
    assert len(shown) == int(dashboard.tiles["Supervision needing action"].value_text())
    assert page.overall_tile.value_text() == dashboard.tiles["Supervision compliance"].value_text()

    window.show_page("Dashboard")
    page = click(qtbot, window, "Staff")
    shown = rows(page.table)
    assert page.title == "People & lines" and len(shown) == int(dashboard.tiles["Staff"].value_text())
    assert {r.employer_code for r in shown} == {"NCC"}

    window.show_page("Dashboard")
    page = click(qtbot, window, "Risk-share exposure")
    assert page.title == "Budgets" and page.tabs.currentWidget() is page.risk_tab
    assert page.as_at.currentData() == 5 and "M5" in page.subtitle.text()

    window.show_page("Dashboard")
    page = click(qtbot, window, "Data-quality findings")
    most = next(iter(dashboard.picture.findings_by_area))
    if most == Area.LEDGER:
        assert page.title == "Budgets" and page.tabs.currentWidget() is page.unmapped_tab
    else:
        assert page.title == "People & lines" and page.tabs.currentIndex() == 2


@pytest.mark.parametrize("code", [None, "NFT", "NCC"])
def test_the_findings_tile_and_the_findings_tab_count_the_same_findings_and_say_what_the_others_are(window, demo_db,
                                                                                                   code):
    window.set_database(demo_db)
    dashboard = window.dashboard
    dashboard.show_for(code)
    tile, by_area = dashboard.tiles["Data-quality findings"], dashboard.picture.findings_by_area
    about_people = by_area.get(Area.PEOPLE, 0)  # none of the council's staff: only notes for information
    assert int(tile.value_text()) == sum(by_area.values())
    # On the demo service: 6 for the whole service, 5 about people (the Findings tab's number) and 1 about the ledger.
    assert (code is not None or (int(tile.value_text()), about_people) == (6, 5))
    assert tile.detail_text().startswith("Needing action: ")
    assert (f"{about_people} about people and lines" in tile.detail_text()) == bool(about_people)

    window.open_filtered("People & lines", {"organisation": code, "view": "Findings"})  # as the tile opens it
    page = window.current_page()
    assert page.tabs.tabText(page.tabs.currentIndex()) == (f"F&indings ({about_people})" if about_people
                                                           else "F&indings")
    shown = rows(page.findings)
    needing = [f for f, _name in shown if f.severity.needs_action]
    noted = len(shown) - len(needing)
    assert len(needing) == about_people and noted > 0
    summary = page.findings_summary.text()
    assert (f"{about_people} need action" if about_people else "none needs action") in summary.casefold()
    assert f"{noted} are for information only" in summary
    total = page.findings.model.total_rows
    # The list's own count is the two together: every number on screen adds up.
    assert page.findings.count.text() == (f"{len(shown)} findings" if code is None else
                                          f"{len(shown)} of {total} findings shown")
    assert summary.startswith(f"Of the {len(shown)} shown, ") == (code is not None)


def test_an_organisation_row_opens_its_dashboard_and_an_empty_database_explains_itself(window, demo_db, empty_db):
    window.set_database(demo_db)
    dashboard = window.dashboard
    index = next(dashboard.organisations.model.index(r, 0) for r in range(dashboard.organisations.model.rowCount())
                 if dashboard.organisations.model.row_at(r).code == "NFT")
    dashboard.organisations.view.activated.emit(index)
    assert dashboard.organisation_code == "NFT" and "NFT" in dashboard.subtitle.text()
    # The list is hidden now, so the keys go on from the choice of whom the dashboard is for.
    assert window.focusWidget() is dashboard.organisation

    assert dashboard.year.isVisibleTo(dashboard) and dashboard.year.currentText() == "2026-27"

    window.set_database(empty_db)
    assert dashboard.organisation_code is None and not dashboard.as_at.isEnabled()
    assert not dashboard.year.isVisibleTo(dashboard)  # no year to show: As at says "No pooled budget"
    assert dashboard.tiles["Forecast outturn"].value_text() == "—"
    assert "No pooled budget" in dashboard.checklist.text()
    window.set_database(demo_db)
    assert dashboard.year.isVisibleTo(dashboard)


def test_a_budget_that_cannot_be_worked_out_is_explained_not_a_crash(window, tmp_path, messages):
    """A database from an old version has a line whose months add up to less than its annual budget."""
    path = tmp_path / "old.sqlite"
    shutil.copy(Path(__file__).parents[1] / "fixtures" / "schema-0001.sqlite", path)
    window.set_database(open_existing(path))
    dashboard = window.dashboard
    assert dashboard.tiles["Forecast outturn"].value_text() == "—"
    assert "Budget line MH01" in dashboard.tiles["Forecast outturn"].detail_text()
    assert "Budget line MH01" in dashboard.checklist.text()
    assert dashboard.tiles["Staff"].value_text() == "2"  # the rest of the picture still shows
    window.show_page("Budgets")
    page = window.current_page()
    assert "MH01" in page.no_pool_message.text() and not page.set_up_button.isVisibleTo(page)

    # The manager puts it right from there: the £1.1m the months lack goes evenly over the open months M2 to M12.
    assert page.repair_button.isVisibleTo(page) and "MH01" in page.repair_button.text()
    page.repair_button.click()
    assert page.pool_area.isVisibleTo(page) and not page.no_pool.isVisibleTo(page)
    line = next(line for line in page.position.lines if line.code == "MH01")
    assert line.figures.budget_profile == (10_000_000,) * 12 and line.figures.annual_budget_pence == 120_000_000
    window.undo_stack.undo()  # and can take it back
    assert "MH01" in window.current_page().no_pool_message.text()
    assert messages == []


def test_its_view_kept_as_data_paints_the_same_pixels_before_any_database_opens(make_window, demo_db):
    """The snapshot a start paints while the database opens looks exactly as the dashboard filled from it."""
    live = make_window()
    live.set_database(demo_db)
    kept = json.loads(json.dumps(live.dashboard.view_state()))  # as the snapshot file holds it
    early = make_window()
    early.pages.setEnabled(True)  # as the start does until the database opens
    early.dashboard.show_view_state(kept)
    assert early.dashboard.view_state() == kept
    assert early.dashboard.grab().toImage() == live.dashboard.grab().toImage()


def test_cleared_it_shows_no_figures_as_before_any_database(make_window, demo_db):
    fresh = make_window().dashboard.view_state()
    window = make_window()
    window.set_database(demo_db)
    window.dashboard.clear()
    assert window.dashboard.view_state() == fresh


def test_on_paper_the_choices_are_words_and_the_screen_is_as_it_was_afterwards(window, demo_db, empty_db):
    window.set_database(demo_db)
    dashboard = window.dashboard
    assert dashboard.choices_words() == "As at M7 Oct (closed) · Whole service"
    dashboard.show_for("NCC", as_at=5)
    assert dashboard.choices_words() == "As at M5 Aug (closed) · Northshire County Council (NCC)"
    dashboard.show_for(None, as_at=0)
    assert dashboard.choices_words() == "As at the start of 2026-27 · Whole service"

    shown = dashboard.view_state()
    with dashboard.for_paper():
        assert dashboard.printed_choices.isVisibleTo(dashboard)
        assert dashboard.printed_choices.text() == "As at the start of 2026-27 · Whole service"
        assert not dashboard.as_at.isVisibleTo(dashboard) and not dashboard.organisation.isVisibleTo(dashboard)
        assert "Select a tile" not in dashboard.subtitle.text()
        assert dashboard.subtitle.text().endswith(f"on {dashboard.today:%d %b %Y}.")
        with dashboard.for_paper():  # as a printout measures its pages while it draws them
            pass
        assert dashboard.printed_choices.isVisibleTo(dashboard) and not dashboard.as_at.isVisibleTo(dashboard)
    assert dashboard.view_state() == shown
    assert not dashboard.printed_choices.isVisibleTo(dashboard) and dashboard.as_at.isVisibleTo(dashboard)

    window.set_database(empty_db)
    assert dashboard.choices_words() == "No pooled budget · Whole service"


def test_the_dashboards_choices_have_alt_letters_of_their_own_clear_of_the_menus(window, demo_db):
    window.set_database(demo_db)
    on_page = mnemonics(window.dashboard)
    assert {words: key for words, key in on_page.items() if key} == {
        "Year": "Y", "As at": "A", "For": "O", "Forecast outturn": "U", "Variance to date": "D",
        "Risk-share exposure": "X", "Staff": "S", "Supervision compliance": "C", "Supervision needing action": "N",
        "Data-quality findings": "Q", "Open actions": "P", "Overdue actions": "T", "Due in the next 14 days": "I"}
    assert without_letters(on_page) == []
    assert clashes(mnemonics(window)) == []


def test_a_tiles_alt_letter_opens_the_page_behind_it_and_paper_has_no_letters(window, demo_db, qtbot):
    from PySide6.QtGui import QKeySequence
    from PySide6.QtTest import QTest

    window.set_database(demo_db)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    QTest.keySequence(window, QKeySequence("Alt+T"))
    qtbot.waitUntil(lambda: window.current_page().title == "Actions")
    window.show_page("Dashboard")
    tile = window.dashboard.tiles["Overdue actions"]
    title = next(label for label in tile.findChildren(QLabel) if label.buddy() is tile)
    with window.dashboard.for_paper():
        with window.dashboard.for_paper():  # as a printout measures its pages while it draws them
            assert title.text() == "Overdue actions"
        assert title.text() == "Overdue actions"
    assert title.text() == "Overdue ac&tions"


def test_enter_on_a_tile_opens_the_page_behind_it(window, demo_db, qtbot):
    window.set_database(demo_db)
    qtbot.keyClick(window.dashboard.tiles["Open actions"], Qt.Key.Key_Return)
    assert window.current_page().title == "Actions"
    window.show_page("Dashboard")
    qtbot.keyClick(window.dashboard.tiles["Staff"], Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    assert window.current_page().title == "People & lines"


def test_the_risk_share_tile_is_coloured_by_the_variances_rag_as_the_forecast_outturn_is(window, demo_db):
    """A small overspend (+0.3%) is green on the forecast outturn: the same variance, shared, is not red beside it.
    Its parts, in whole pounds, add up to it as shown."""
    from jointlead.services.budget_month import set_forecast

    line = pool_position(demo_db).lines[0]
    set_forecast(demo_db, line.id, 2026, 12, line.figures.forecast[-1] + 5_000_000, "Agency cover")
    window.set_database(demo_db)
    tiles = window.dashboard.tiles
    assert tiles["Forecast outturn"].tone() == tiles["Risk-share exposure"].tone() == "good"
    shares = pool_position(demo_db, today=DEMO_TODAY).risk_share.share_by_partner
    assert set(shares) == {"NFT", "NCC"} and sum(shares.values()) > 0


def pool_on_budget_with_shares(database) -> None:
    """A pool forecast exactly on budget that still has shares: AAA's fixed-share line £1,200 over and BBB's variable
    line £1,200 under, whose underspend is returned 75:25, so AAA bears a net £300 and £300 returns to BBB."""
    from jointlead.services.budget_month import adjust_actual
    from jointlead.services.budget_setup import (
        AgreementTerms,
        LineTerms,
        PartnerTerms,
        add_budget_line,
        add_contribution,
        set_up_agreement,
    )

    set_up_agreement(database, AgreementTerms(title="Test pool", host="AAA", first_year=2026),
                     (PartnerTerms("AAA", "Trust A"), PartnerTerms("BBB", "Council B")))
    add_contribution(database, 1, "AAA", 2026, "Baseline", 300_000)
    add_contribution(database, 1, "BBB", 2026, "Baseline", 100_000)
    add_budget_line(database, 1, LineTerms("F", "Line F", "pay", "AAA", "fixed"), 2026, 120_000)
    add_budget_line(database, 1, LineTerms("V", "Line V", "pay", "BBB", "variable"), 2026, 240_000)
    lines = {line.code: line.id for line in pool_position(database).lines}
    adjust_actual(database, lines["F"], 2026, 1, 20_000, "April ledger")  # twice its month's budget: £1,200 over
    adjust_actual(database, lines["V"], 2026, 1, 10_000, "April ledger")  # half its month's budget: £1,200 under
    close_period(database, 1, 2026, 1, today=date(2026, 5, 2), closing_without=("AAA", "BBB"))
    assert pool_position(database).pool.full_year_variance == 0


def test_a_pool_on_budget_with_shares_says_who_bears_what_not_that_nothing_is_to_share(make_window, empty_db):
    pool_on_budget_with_shares(empty_db)
    window = make_window(date(2026, 5, 20))
    window.set_database(empty_db)
    tile = window.dashboard.tiles["Risk-share exposure"]

    assert tile.value_text() == "£0"
    assert tile.detail_text() == "The pool is forecast on budget: AAA bears a net £300; £300 returns to BBB"
    window.dashboard.show_for("AAA")
    assert tile.value_text() == "£300"
    assert tile.detail_text() == ("The pool is forecast on budget; AAA bears a net £300: the overspend on its "
                                  "fixed-share lines less its part of the underspend returned")


def test_a_partners_share_net_of_overspend_and_underspend_is_said_as_a_net_share(window, demo_db):
    """The demo pool is forecast £14,579 under; the NHS's share, £14,215, is its fixed-share line's overspend less
    its part of the underspend returned: not £14,215 "of the overspend"."""
    window.set_database(demo_db)
    tile = window.dashboard.tiles["Risk-share exposure"]

    assert tile.detail_text() == "Forecast underspend: NFT bears a net £14,215; £28,794 returns to NCC"
    window.dashboard.show_for("NFT")
    assert tile.detail_text() == ("Of a forecast underspend of £14,579, NFT bears a net £14,215: the overspend on "
                                  "its fixed-share lines less its part of the underspend returned")
    window.dashboard.show_for("NCC")
    assert tile.detail_text() == "Of a forecast underspend of £14,579, £28,794 of underspend returns to NCC"


def test_once_m12_is_closed_the_budget_tiles_say_the_actual_outturn(make_window, demo_db):
    window = make_window(DEMO_TODAY)
    window.set_database(demo_db)
    tiles = window.dashboard.tiles
    assert tiles["Forecast outturn"].keyed_title() == "Forecast o&utturn"
    kept_before = window.dashboard.view_state()
    end_the_year(demo_db)
    window = make_window(date(2027, 4, 20))
    window.set_database(demo_db)
    tiles = window.dashboard.tiles
    assert tiles["Forecast outturn"].keyed_title() == "Actual o&utturn"
    assert tiles["Forecast outturn"].accessibleName().startswith("Actual outturn: £")
    window.dashboard.show_view_state(kept_before)  # a view kept before year end is titled as it was then
    assert tiles["Forecast outturn"].keyed_title() == "Forecast o&utturn"
    window.set_database(demo_db)
    year_end = pool_position(demo_db, year=FinancialYear(2026), today=date(2027, 4, 20))

    assert tiles["Forecast outturn"].detail_text() == (
        f"Actual outturn, M12 closed: budget £12,800,000; {format_pounds(-year_end.pool.full_year_variance)} under "
        "for the year")
    assert tiles["Risk-share exposure"].detail_text().startswith("The year's underspend: ")
    assert "forecast" not in tiles["Risk-share exposure"].detail_text().lower()
    window.dashboard.show_for("NCC")
    assert tiles["Risk-share exposure"].detail_text().startswith(
        f"Of the year's underspend of {format_pounds(-year_end.pool.full_year_variance)}, ")


def test_ready_for_the_pack_lists_every_incomplete_budget_item_as_the_packs_cover_does(window, demo_db):
    from jointlead.services.budget_setup import LineTerms, add_budget_line

    add_budget_line(demo_db, 1, LineTerms("MH17", "New crisis service", "pay", "NFT"), 2026, 12_000_000)
    window.set_database(demo_db)

    assert "1 budget line has no ledger codes, so no actual can reach it: MH17." in window.dashboard.checklist.text()
    pack = as_at_picture(demo_db, DEMO_TODAY, employees=())
    assert window.dashboard.checklist.text() == checklist_html(as_at_picture(demo_db, DEMO_TODAY).checklist)
    assert ("1 budget line has no ledger codes, so no actual can reach it: MH17.", False) in pack.checklist
