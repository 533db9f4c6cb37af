"""Columns named by hand (--map, the wizard's mapping) on a real database: they find a header no other name would."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import stored
from exchange import hostile
from jointlead.exchange.problems import FileRefused
from jointlead.services import imports
from jointlead.store.models import Organisation
from jointlead.store.uow import UnitOfWork

TODAY = date(2026, 11, 20)


@pytest.fixture
def council(empty_db):
    with UnitOfWork(empty_db) as uow:
        uow.session.add(Organisation(code="NCC", name="Northshire County Council", kind="county council"))
        uow.commit()
    return empty_db


def payroll_file(path: Path) -> Path:
    """A council payroll list whose headers the import knows none of."""
    return hostile.write_xlsx(path, {"Payroll": [["Payroll Ref", "Worker", "Xyz"], ["00123", "Sam Smith", "x"],
                                                 ["00456", "Ada Jones", "y"]]})


def test_a_staff_list_with_no_header_the_import_knows_is_read_by_the_columns_named_by_hand(council, tmp_path):
    before = stored.digest(council)
    preview = imports.preview_staff_import(council, payroll_file(tmp_path / "payroll.xlsx"), "NCC", today=TODAY,
                                           overrides={"employee_number": "Payroll Ref", "name": "Worker"})
    assert (preview.sheet, preview.header_row, preview.rows_read, len(preview.added)) == ("Payroll", 1, 2, 2)
    assert preview.mapping == (("Employee number", "Payroll Ref"), ("Name", "Worker"))
    assert not preview.rejected
    assert stored.digest(council) == before  # a preview writes nothing


def test_a_misspelt_field_is_named_even_when_no_header_is_known(council, tmp_path):
    with pytest.raises(FileRefused) as refused:
        imports.preview_staff_import(council, payroll_file(tmp_path / "payroll.xlsx"), "NCC", today=TODAY,
                                     overrides={"employee_number": "Payroll Ref", "nmae": "Worker"})
    assert refused.value.message == "'nmae' is not a field of a staff import."
    assert "--map" not in str(refused.value)
