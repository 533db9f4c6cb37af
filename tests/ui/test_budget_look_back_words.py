"""The Budgets page says which point a month's figures are held to once a later month has closed: its close, or
the pack for it sent after."""

from __future__ import annotations

from datetime import date

from jointlead.domain.calendar import format_day
from jointlead.services.budget_month import set_forecast
from jointlead.services.budgets import pool_position
from jointlead.services.packs import export_pack
from jointlead.ui.budget_words import as_it_stood
from small_pool import close, small_pool, virement


def test_figures_held_to_a_pack_sent_say_so_and_when(empty_db, tmp_path):
    lines = small_pool(empty_db)
    close(empty_db, 1)
    set_forecast(empty_db, lines["L1"], 2026, 12, 400_000, "Year-end agency spike expected")
    export_pack(empty_db, "AAA", tmp_path / "sent.xlsx", as_at=1, today=date(2026, 5, 7))
    virement(empty_db, lines)
    close(empty_db, 2)
    position = pool_position(empty_db, as_at=1)
    assert as_it_stood(position) == (f" The budgets and forecasts are as they stood when the M1 pack for AAA was "
                                     f"exported on {format_day(position.stood_at.on)}, without the virement made "
                                     "since.")


def test_figures_held_to_the_close_say_so(empty_db):
    lines = small_pool(empty_db)
    close(empty_db, 1)
    virement(empty_db, lines)
    close(empty_db, 2)
    assert as_it_stood(pool_position(empty_db, as_at=1)) == (" The budgets and forecasts are as they stood when M1 "
                                                             "closed, without the virement made since.")
