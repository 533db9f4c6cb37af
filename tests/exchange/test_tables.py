"""Finding the table in a sheet: rows under the header are read, and what only looks like a row is skipped."""

from __future__ import annotations

from pathlib import Path

from exchange import hostile
from jointlead.exchange.reading import open_source
from jointlead.exchange.tables import Field, RecordKind, find_table, read_rows
from jointlead.exchange.values import parse_code, parse_money

KIND = RecordKind("ledger", (Field("ref", "Ref", parse_code, required=True),
                             Field("amount", "Amount", parse_money, required=True)))


def test_a_header_repeated_on_a_shorter_row_is_skipped_like_any_repeated_header(tmp_path: Path) -> None:
    # A CSV's rows are as long as each was written, as are the rows of a worksheet read in slices.
    path = hostile.write_csv(tmp_path / "pages.csv", [["Ref", "Amount", "", ""], ["J1", "1.00"], ["Ref", "Amount"],
                                                      ["J2", "2.00", "", ""]])
    rows = list(read_rows(find_table(open_source(path), KIND), KIND))
    assert [(row.row, row.values, row.problems) for row in rows] == [(2, {"ref": "J1", "amount": 100}, ()),
                                                                      (4, {"ref": "J2", "amount": 200}, ())]
