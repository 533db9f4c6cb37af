"""The supervision workbook's compliance % is the figure the app shows: never one that reads as a target not met."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import openpyxl
import pytest

from jointlead.domain.supervision import MonthFigure, Tally
from jointlead.services import supervision_export
from jointlead.services.demo import DEMO_TODAY
from jointlead.services.supervision import ComplianceReport, compliance

JUST_SHORT = Tally("professional", in_date=379, overdue=20)  # 94.99%: one short of 95%


def test_the_headline_says_the_figure_the_app_shows():
    """`f"{0.9499:.1%}"` is "95.0%": a headline of 95.0% against a target of 95% that it does not meet."""
    assert JUST_SHORT.percent_text == "94.9%" and not JUST_SHORT.meets(95)
    report = ComplianceReport(DEMO_TODAY, None, 95, (), JUST_SHORT, (), (), (), (), (), (), ())
    assert supervision_export.compliance_headline(report) == (
        "379 of 399 arrangements in date (94.9%) against a target of 95%.")


@pytest.mark.parametrize(("tally", "shown"), [
    (JUST_SHORT, 0.949),
    (Tally("x", in_date=35, overdue=2), 0.946),  # 94.59%: to the nearest tenth, as the app shows it
    (Tally("x", in_date=19, overdue=1), 0.95),  # exactly the target
    (Tally("x", in_date=3), 1.0),
    (Tally("x", not_in_place=2), None),  # nothing in scope: no figure
])
def test_a_compliance_cell_holds_the_figure_the_app_shows(tally, shown):
    assert supervision_export.shown_fraction(tally) == shown
    if shown is not None:  # as the cell's 0.0% format shows it: the app's figure, to a tenth
        assert f"{shown:.1%}".removesuffix(".0%").removesuffix("%") == tally.percent_text.removesuffix("%")


def test_the_workbook_never_shows_the_target_reached_when_it_is_not(demo_db, tmp_path, monkeypatch):
    """The demo's figures, with every compliance figure made 379 of 399: each cell, formatted as Excel shows it,
    reads 94.9%, as the app does, beside "Meets target: No"; the headline says 94.9% too."""
    report = compliance(demo_db, DEMO_TODAY, organisation="NFT")
    short = replace(report, overall=JUST_SHORT, by_type=(JUST_SHORT,),
                    by_team=(replace(JUST_SHORT, group="North"),),
                    by_profession=(replace(JUST_SHORT, group="mental health nurse"),),
                    trend=(MonthFigure(2026, 11, DEMO_TODAY, JUST_SHORT),))
    monkeypatch.setattr(supervision_export, "compliance", lambda *args, **kwargs: short)

    result = supervision_export.export_supervision(demo_db, "NFT", tmp_path / "s.xlsx", as_at=DEMO_TODAY,
                                                   generated_on=datetime(2026, 11, 20, 9, 30))

    book = openpyxl.load_workbook(result.path)
    for title in ("Summary", "By team", "By profession", "Trend"):
        rows = list(book[title].iter_rows())
        headers = [cell.value for cell in rows[0]]
        for row in rows[1:]:
            cell, meets = row[headers.index("Compliance %")], row[headers.index("Meets target")]
            assert cell.number_format == "0.0%"
            assert (f"{cell.value:.1%}", meets.value) == ("94.9%", "No"), title
    cover = "\n".join(" ".join(str(v) for v in row if v is not None)
                      for row in book["Cover"].iter_rows(values_only=True))
    assert "379 of 399 arrangements in date (94.9%) against a target of 95%." in cover
    assert "95.0%" not in cover
