"""The action tracker round trip: exported, edited by an owner in a spreadsheet, previewed, conflicts decided, and
imported as one undoable Edit — with anything typed kept as text, formulas included."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import date, datetime

import openpyxl
import pytest
from sqlalchemy import func, select

from jointlead.domain.actions import ActionStatus
from jointlead.domain.calendar import format_day
from jointlead.domain.errors import JointleadError
from jointlead.exchange.action_tracker import CONTROL_SHEET, STATUS_CHOICES, TRACKER_SHEET
from jointlead.exchange.problems import FileRefused
from jointlead.exchange.writing import CHOICE_ROWS_BELOW, Cover, ExportColumn, ExportWorkbook
from jointlead.services import actions
from jointlead.services.action_tracker import (
    EXPORT_VERB,
    ChangeKind,
    apply_tracker_import,
    export_action_tracker,
    preview_tracker_import,
)
from jointlead.services.demo import DEMO_TODAY
from jointlead.services.edits import undo_edit
from jointlead.store.database import open_database
from jointlead.store.models import Action, AuditEntry, ImportBatch

GENERATED_ON = datetime(2026, 11, 20, 9, 30)
FORMULA = "=SUM(A1:A2)"
LINK = '=HYPERLINK("http://example.com","click me")'


def _export(database, path, **scope):
    return export_action_tracker(database, path, today=DEMO_TODAY, generated_on=GENERATED_ON, **scope)


class Owner:
    """Edits a tracker the way an action owner does in Excel: types into cells of the Actions sheet, and saves."""

    def __init__(self, path):
        self.path = path
        self.workbook = openpyxl.load_workbook(path)
        self.sheet = self.workbook[TRACKER_SHEET]
        self.columns = {cell.value: cell.column for cell in self.sheet[1]}

    def row_of(self, reference):
        return next(cell.row for cell in self.sheet["A"] if cell.value == reference)

    def type(self, reference, header, value):
        self.sheet.cell(self.row_of(reference), self.columns[header]).value = value  # None clears the cell

    def add_row(self, **values):
        row = self.sheet.max_row + 1
        for header, value in values.items():
            self.sheet.cell(row, self.columns[header], value)
        return row

    def save(self):
        self.workbook.save(self.path)
        return self.path


def _log(database):
    return {r.reference: r for r in actions.action_log(database, DEMO_TODAY)}


def _detail(database, reference):
    return actions.action_detail(database, _log(database)[reference].id, DEMO_TODAY)


# --- export -----------------------------------------------------------------------------------------------------------

def test_the_tracker_has_the_open_actions_the_new_columns_a_status_drop_down_and_a_hidden_sheet(demo_db, tmp_path):
    result = _export(demo_db, tmp_path / "nft.xlsx", organisation="NFT")
    expected = [r for r in actions.action_log(demo_db, DEMO_TODAY, organisation="NFT") if r.is_open]
    assert result.rows == len(expected) > 0
    workbook = openpyxl.load_workbook(result.path)
    assert workbook.sheetnames == ["Cover", TRACKER_SHEET, CONTROL_SHEET]
    assert workbook[CONTROL_SHEET].sheet_state == "hidden"
    assert CONTROL_SHEET not in [c.value for c in workbook["Cover"]["A"]]
    sheet = workbook[TRACKER_SHEET]
    assert [c.value for c in sheet[1]] == ["Ref", "Action", "Owner", "Due", "Status", "RAG", "Updated on",
                                          "Latest update", "New update", "New status", "New due date",
                                          "Reason for new due date"]
    assert {sheet.cell(r, 1).value for r in range(2, result.rows + 2)} == {r.reference for r in expected}
    [validation] = sheet.data_validations.dataValidation
    assert validation.type == "list"
    assert validation.formula1 == '"' + ",".join(STATUS_CHOICES) + '"'
    assert str(validation.sqref) == f"J2:J{result.rows + 1 + CHOICE_ROWS_BELOW}"  # rows added beneath get it too
    control = dict(workbook[CONTROL_SHEET].iter_rows(min_row=2, values_only=True))
    assert control["Export id"] == result.export_id
    assert set(control) - {"Export id", "Format"} == {r.reference for r in expected}


def test_the_export_is_recorded_and_byte_identical_for_a_fixed_generated_time(demo_db, tmp_path):
    first = _export(demo_db, tmp_path / "one.xlsx", owner="Lucy Roberts")
    second = _export(demo_db, tmp_path / "two.xlsx", owner="lucy roberts")
    assert first.path.read_bytes() == second.path.read_bytes()
    with demo_db.session() as session:
        entities = session.scalars(select(AuditEntry.entity).where(AuditEntry.verb == "export_action_tracker")).all()
    assert sorted(entities) == ["action_tracker", "action_tracker", "export", "export"]


def test_an_owners_tracker_holds_only_their_open_actions(demo_db, tmp_path):
    result = _export(demo_db, tmp_path / "lucy.xlsx", owner="Lucy Roberts")
    sheet = openpyxl.load_workbook(result.path)[TRACKER_SHEET]
    assert {sheet.cell(r, 3).value for r in range(2, result.rows + 2)} == {"Lucy Roberts"}
    assert "Lucy Roberts" in openpyxl.load_workbook(result.path)["Cover"]["B4"].value


@pytest.mark.parametrize("scope, words", [({}, "organisation or an owner"),
                                          ({"organisation": "NFT", "owner": "Lucy Roberts"}, "not both"),
                                          ({"organisation": "XYZ"}, "no organisation"),
                                          ({"owner": "Nobody Atall"}, "Nobody called")])
def test_the_tracker_is_for_one_organisation_or_one_owner_who_must_exist(demo_db, tmp_path, scope, words):
    with pytest.raises(JointleadError, match=words):
        _export(demo_db, tmp_path / "x.xlsx", **scope)


# --- the round trip ---------------------------------------------------------------------------------------------------

def test_an_owners_edits_come_back_as_exactly_those_changes_with_a_formula_kept_as_text(demo_db, tmp_path):
    path = _export(demo_db, tmp_path / "nft.xlsx", organisation="NFT").path
    before = _log(demo_db)
    owner = Owner(path)
    owner.type("A-0011", "New status", "Complete")
    owner.type("A-0011", "New update", "Protocol signed by both Caldicott guardians.")
    owner.type("A-0019", "New update", FORMULA)
    owner.type("A-0023", "New update", LINK)
    new_row = owner.add_row(**{"Action": "Set up the joint duty rota", "Owner": "Lucy Roberts",
                               "Due": date(2026, 12, 31)})
    owner.save()

    preview = preview_tracker_import(demo_db, path, today=DEMO_TODAY)
    assert preview.problems == () and preview.conflicts == ()
    assert sorted((c.reference, c.kind.value) for c in preview.changes) == sorted(
        [("A-0011", "update"), ("A-0011", "status"), ("A-0019", "update"), ("A-0023", "update"), ("", "new action")])
    assert [c.row for c in preview.changes if c.kind == ChangeKind.NEW_ACTION] == [new_row]
    assert [r.reference or "new" for r in preview.reviews].count("A-0011") == 1

    result = apply_tracker_import(demo_db, preview)
    assert result.new_references == ("A-0041",)

    after = _log(demo_db)
    changed = {ref for ref in before if after[ref] != before[ref]}
    assert changed == {"A-0011", "A-0019", "A-0023"}
    assert set(after) - set(before) == {"A-0041"}
    completed = _detail(demo_db, "A-0011")
    assert (completed.row.status, completed.row.completed_on, completed.evidence) == (
        ActionStatus.COMPLETE, DEMO_TODAY, "Protocol signed by both Caldicott guardians.")
    assert completed.updates[-1].text == "Protocol signed by both Caldicott guardians."
    assert (completed.updates[-1].author, completed.updates[-1].on) == ("Jasmine Richards", DEMO_TODAY)
    assert _detail(demo_db, "A-0019").updates[-1].text == FORMULA
    assert _detail(demo_db, "A-0023").updates[-1].text == LINK
    new = after["A-0041"]
    assert (new.title, new.owner, new.organisation, new.due, new.raised, new.status) == (
        "Set up the joint duty rota", "Lucy Roberts", "NFT", date(2026, 12, 31), DEMO_TODAY, ActionStatus.OPEN)

    # Exactly those rows were written, all under the one import gesture.
    with demo_db.session() as session:
        written = session.execute(select(AuditEntry.entity, AuditEntry.verb).where(
            AuditEntry.id.in_(result.edit.entries))).all()
    assert sorted(entity for entity, _ in written) == ["action", "action", "action_update", "action_update",
                                                      "action_update", "import_batch"]
    assert {verb for _, verb in written} == {"import action tracker"}

    # Re-exported, the formulas are text, never formulas.
    again = export_action_tracker(demo_db, tmp_path / "again.xlsx", organisation="NFT", today=DEMO_TODAY)
    sheet = openpyxl.load_workbook(again.path)[TRACKER_SHEET]
    cells = {sheet.cell(r, 1).value: sheet.cell(r, 8) for r in range(2, again.rows + 2)}
    for reference, text in (("A-0019", FORMULA), ("A-0023", LINK)):
        assert (cells[reference].value, cells[reference].data_type) == (text, "s")
        assert cells[reference].quotePrefix
    assert "A-0011" not in cells  # complete: no longer on a tracker of open actions


def test_the_import_is_one_edit_that_undo_takes_back_whole(demo_db, tmp_path):
    path = _export(demo_db, tmp_path / "nft.xlsx", organisation="NFT").path
    before = _log(demo_db)
    owner = Owner(path)
    owner.type("A-0019", "New status", "In progress")
    owner.type("A-0010", "New due date", date(2027, 1, 15))
    owner.type("A-0010", "Reason for new due date", "Waiting for the council's figures.")
    owner.add_row(**{"Action": "Review lone working policy", "Owner": "Emma White", "Due": date(2027, 1, 29)})
    owner.save()
    result = apply_tracker_import(demo_db, preview_tracker_import(demo_db, path, today=DEMO_TODAY))
    moved = _detail(demo_db, "A-0010")
    assert (moved.row.due, moved.row.original_due) == (date(2027, 1, 15), before["A-0010"].original_due)
    assert moved.due_changes[-1].reason == "Waiting for the council's figures."
    undo_edit(demo_db, result.edit)
    assert _log(demo_db) == before
    with demo_db.session() as session:
        assert session.scalar(select(func.count()).select_from(ImportBatch).where(ImportBatch.kind == "actions")) == 0


def test_a_tracker_is_imported_once(demo_db, tmp_path):
    path = _export(demo_db, tmp_path / "nft.xlsx", organisation="NFT").path
    owner = Owner(path)
    owner.type("A-0019", "New update", "Started.")
    owner.save()
    apply_tracker_import(demo_db, preview_tracker_import(demo_db, path, today=DEMO_TODAY))
    with pytest.raises(FileRefused, match="imported already"):
        preview_tracker_import(demo_db, path, today=DEMO_TODAY)


def _first_return(database, path):
    """An owner's first return of the tracker at `path`, imported: an update, a due date moved, a new action."""
    owner = Owner(path)
    owner.type("A-0019", "New update", "Started.")
    owner.type("A-0010", "New due date", date(2027, 1, 15))
    owner.type("A-0010", "Reason for new due date", "Waiting for the council's figures.")
    owner.type("A-0011", "New status", "In progress")
    owner.add_row(**{"Action": "Brief the new AMHP lead", "Owner": "Lucy Roberts", "Due": date(2026, 12, 31)})
    owner.save()
    return apply_tracker_import(database, preview_tracker_import(database, path, today=DEMO_TODAY))


def test_a_tracker_corrected_and_sent_again_gives_only_what_is_new_in_it(demo_db, tmp_path):
    path = _export(demo_db, tmp_path / "nft.xlsx", organisation="NFT").path
    assert _first_return(demo_db, path).new_references == ("A-0041",)
    taken = _log(demo_db)
    owner = Owner(path)  # the owner adds to the same copy and sends it again
    owner.type("A-0023", "New update", "Panel booked for January.")
    owner.type("A-0019", "New update", "  Started. ")  # what was taken, retyped with spaces
    owner.save()

    preview = preview_tracker_import(demo_db, path, today=DEMO_TODAY)
    assert (preview.problems, preview.conflicts) == ((), ())  # the first import's own changes conflict with nothing
    assert [(c.reference, c.kind) for c in preview.changes] == [("A-0023", ChangeKind.UPDATE)]
    with demo_db.session() as session:
        day = format_day(session.scalar(select(ImportBatch.imported_at).where(ImportBatch.kind == "actions")).date())
    assert sorted(n for n in preview.notices if "not taken again" in n) == sorted([
        f"A-0010: its new due date (15 January 2027) was taken when this tracker was imported on {day}, so it is not "
        "taken again.",
        f"A-0011: its new status (in progress) was taken when this tracker was imported on {day}, so it is not taken "
        "again.",
        f"A-0019: its new update was added when this tracker was imported on {day}, so it is not taken again.",
        f"Row {owner.sheet.max_row}: this new action was added as A-0041 when this tracker was imported on {day}, so "
        "it is not taken again; change A-0041 itself in jointlead."])
    result = apply_tracker_import(demo_db, preview)
    after = _log(demo_db)
    assert set(after) == set(taken) and result.new_references == ()  # no second "Brief the new AMHP lead"
    assert [u.text for u in _detail(demo_db, "A-0019").updates].count("Started.") == 1
    assert _detail(demo_db, "A-0023").updates[-1].text == "Panel booked for January."

    owner = Owner(path)  # a third copy with nothing new in it gives nothing, and refuses nothing
    owner.type("A-0019", "New update", "Started.")
    owner.save()
    third = preview_tracker_import(demo_db, path, today=DEMO_TODAY)
    assert (third.problems, third.changes) == ((), ())


def test_a_change_made_here_after_an_earlier_import_of_the_tracker_is_still_a_conflict(demo_db, tmp_path):
    path = _export(demo_db, tmp_path / "nft.xlsx", organisation="NFT").path
    _first_return(demo_db, path)
    actions.add_update(demo_db, _log(demo_db)["A-0019"].id, "Chased by the JGM.", today=DEMO_TODAY)
    owner = Owner(path)
    owner.type("A-0019", "New update", "Draft agreed.")
    owner.save()
    preview = preview_tracker_import(demo_db, path, today=DEMO_TODAY)
    [conflict] = preview.conflicts
    assert conflict.text == "Draft agreed."
    assert conflict.conflict.count("an update added") == 1  # the JGM's, not the first import's


def _only_the_owners_new_update_comes_back(database, path) -> None:
    """The owner adds an update to A-0011 in the tracker at `path`: that, and no conflict, is what its preview finds."""
    owner = Owner(path)
    owner.type("A-0011", "New update", "Draft agreed.")
    owner.save()
    preview = preview_tracker_import(database, path, today=DEMO_TODAY)
    assert preview.conflicts == ()
    assert [(c.reference, c.kind) for c in preview.changes] == [("A-0011", ChangeKind.UPDATE)]


def test_a_tracker_imported_undone_and_redone_finds_no_change_here_when_sent_again(demo_db, tmp_path):
    """Undo and redo move the actions' bookkeeping version on, not what they say: the owner's own changes, put back
    by the redo, are not "changed here" when a corrected copy comes back."""
    path = _export(demo_db, tmp_path / "nft.xlsx", organisation="NFT").path
    undone = undo_edit(demo_db, _first_return(demo_db, path).edit)
    undo_edit(demo_db, undone)  # Edit > Redo
    _only_the_owners_new_update_comes_back(demo_db, path)


def test_a_tracker_exported_before_0010_still_matches_the_actions_unchanged_since(demo_db, tmp_path):
    """Until revision 0010 an action's version digested its bookkeeping version column too: a tracker sent then
    must not find every action changed here when it comes back."""
    from jointlead.services.action_tracker import versions
    from jointlead.store.uow import UnitOfWork

    path = _export(demo_db, tmp_path / "nft.xlsx", organisation="NFT").path
    with UnitOfWork(demo_db) as uow:  # the tracker and its registration as the earlier version wrote them
        ids = list(uow.session.scalars(select(Action.id)))
        then = dict(zip(versions(uow.session, ids).values(),
                        versions(uow.session, ids, as_digested_until_0010=True).values(), strict=True))
        entry = uow.session.scalars(select(AuditEntry).where(AuditEntry.verb == EXPORT_VERB)
                                    .order_by(AuditEntry.id.desc())).first()
        for new, old in then.items():
            entry.changes_json = entry.changes_json.replace(new, old)
        uow.commit()
    book = openpyxl.load_workbook(path)
    for row in book[CONTROL_SHEET].iter_rows():
        for cell in row:
            cell.value = then.get(cell.value, cell.value)
    book.save(path)
    _only_the_owners_new_update_comes_back(demo_db, path)


def test_a_tracker_whose_import_was_undone_gives_everything_again(demo_db, tmp_path):
    path = _export(demo_db, tmp_path / "nft.xlsx", organisation="NFT").path
    undo_edit(demo_db, _first_return(demo_db, path).edit)
    owner = Owner(path)
    owner.type("A-0023", "New update", "Panel booked for January.")
    owner.save()
    preview = preview_tracker_import(demo_db, path, today=DEMO_TODAY)
    assert len(preview.changes) == 5 and not any("not taken again" in n for n in preview.notices)


def _import_day(database) -> str:
    """The day the last import of a tracker was made, as a notice or a conflict says it."""
    with database.session() as session:
        return format_day(session.scalar(select(ImportBatch.imported_at).where(ImportBatch.kind == "actions")
                                         .order_by(ImportBatch.id.desc())).date())


def _copy(owner, tmp_path, name):
    """The owner's tracker as they send it again: a copy, with whatever they changed since."""
    owner.workbook.save(tmp_path / name)
    return tmp_path / name


def test_a_change_rejected_before_and_sent_again_unchanged_is_rejected_again_unless_accepted(demo_db, tmp_path):
    path = _export(demo_db, tmp_path / "nft.xlsx", organisation="NFT").path
    owner = Owner(path)
    owner.type("A-0011", "New update", "Protocol drafted.")
    owner.type("A-0019", "New due date", date(2027, 6, 15))
    owner.type("A-0019", "Reason for new due date", "Waiting for HR.")
    owner.save()
    due = _log(demo_db)["A-0019"].due
    first = apply_tracker_import(demo_db, preview_tracker_import(demo_db, path, today=DEMO_TODAY),
                                 decisions={"A-0019 due date": False})
    assert [c.key for c in first.rejected] == ["A-0019 due date"]
    day = _import_day(demo_db)

    owner.type("A-0018", "New update", "Lead identified.")  # the owner adds to the same copy and sends it again
    again = preview_tracker_import(demo_db, _copy(owner, tmp_path, "again.xlsx"), today=DEMO_TODAY)
    changes = {c.key: c for c in again.changes}
    assert sorted(changes) == ["A-0018 update", "A-0019 due date"]
    assert not changes["A-0018 update"].conflict
    rejected = changes["A-0019 due date"]
    assert rejected.conflict == rejected.unless_accepted == (
        f"This new due date (15 June 2027) was rejected when this tracker was imported on {day}, and has been sent "
        "again unchanged: it is rejected again unless you accept it.")
    assert [r.conflict for r in again.reviews if r.reference == "A-0019"] == [rejected.conflict]

    # Another reason, or another date, is asked anew: heard as any change is.
    owner.type("A-0019", "Reason for new due date", "HR have confirmed a June start.")
    assert [c.conflict for c in preview_tracker_import(demo_db, _copy(owner, tmp_path, "reason.xlsx"),
                                                       today=DEMO_TODAY).changes if c.reference == "A-0019"] == [""]
    owner.type("A-0019", "Reason for new due date", "Waiting for HR.")

    # Left undecided, it is rejected again, and the rest imported.
    second = apply_tracker_import(demo_db, again)
    assert ([c.key for c in second.applied], [c.key for c in second.rejected]) == (["A-0018 update"],
                                                                                  ["A-0019 due date"])
    assert _log(demo_db)["A-0019"].due == due
    assert _detail(demo_db, "A-0018").updates[-1].text == "Lead identified."

    # The manager may still accept it, deliberately.
    owner.type("A-0023", "New update", "Journals posted.")
    third = preview_tracker_import(demo_db, _copy(owner, tmp_path, "third.xlsx"), today=DEMO_TODAY)
    assert [c.key for c in third.changes if c.unless_accepted] == ["A-0019 due date"]
    apply_tracker_import(demo_db, third, decisions={"A-0019 due date": True})
    assert _log(demo_db)["A-0019"].due == date(2027, 6, 15)


@pytest.mark.parametrize("rows_above", [0, 1], ids=["on the same row", "a row above it deleted"])
def test_a_new_row_sent_again_with_its_title_corrected_is_not_added_twice_unless_accepted(demo_db, tmp_path,
                                                                                          rows_above):
    path = _export(demo_db, tmp_path / "lucy.xlsx", owner="Lucy Roberts").path
    owner = Owner(path)
    row = owner.add_row(**{"Action": "Set up joint inducton pack", "Due": date(2026, 12, 31)})
    owner.save()
    assert apply_tracker_import(demo_db, preview_tracker_import(demo_db, path, today=DEMO_TODAY)
                                ).new_references == ("A-0041",)
    day = _import_day(demo_db)

    owner.sheet.cell(row, owner.columns["Action"]).value = "Set up joint induction pack"  # the typo corrected
    owner.sheet.cell(row, owner.columns["New update"]).value = "Draft circulated."
    if rows_above:
        owner.sheet.delete_rows(owner.row_of("A-0010"))
    preview = preview_tracker_import(demo_db, _copy(owner, tmp_path, "again.xlsx"), today=DEMO_TODAY)
    [change] = preview.changes
    now = row - rows_above
    assert (change.kind, change.row, change.title) == (ChangeKind.NEW_ACTION, now, "Set up joint induction pack")
    assert change.conflict == change.unless_accepted == (
        f"Row {now} may be A-0041 with its title changed: A-0041 was added from row {row} when this tracker was "
        f"imported on {day}, as 'Set up joint inducton pack'. It is not added again unless you accept it as another "
        "action; if it is A-0041, change A-0041 itself in jointlead and add its new update there.")
    before = _log(demo_db)
    result = apply_tracker_import(demo_db, preview)  # left undecided: not added again
    assert (result.applied, result.new_references, _log(demo_db)) == ((), (), before)
    undo_edit(demo_db, result.edit)  # to reconsider
    assert apply_tracker_import(demo_db, preview, decisions={change.key: True}).new_references == ("A-0042",)


def test_another_action_typed_over_a_new_row_imported_before_is_added_as_new(demo_db, tmp_path):
    """On an owner's tracker every row has the same owner: a different action in the row's place is not the one
    added from it with its title corrected."""
    path = _export(demo_db, tmp_path / "lucy.xlsx", owner="Lucy Roberts").path
    owner = Owner(path)
    row = owner.add_row(**{"Action": "Set up joint induction pack", "Due": date(2026, 12, 31)})
    owner.save()
    apply_tracker_import(demo_db, preview_tracker_import(demo_db, path, today=DEMO_TODAY))

    owner.sheet.cell(row, owner.columns["Action"]).value = "Recruit two social workers for the night team"
    [change] = preview_tracker_import(demo_db, _copy(owner, tmp_path, "again.xlsx"), today=DEMO_TODAY).changes
    assert (change.kind, change.title, change.conflict) == (ChangeKind.NEW_ACTION,
                                                            "Recruit two social workers for the night team", "")


def test_a_tracker_with_every_change_rejected_is_remembered_and_reconsidered_by_undoing_it(demo_db, tmp_path):
    path = _export(demo_db, tmp_path / "nft.xlsx", organisation="NFT").path
    owner = Owner(path)
    owner.type("A-0019", "New due date", date(2027, 6, 15))
    owner.type("A-0019", "Reason for new due date", "Waiting for HR.")
    owner.save()
    before = _log(demo_db)
    preview = preview_tracker_import(demo_db, path, today=DEMO_TODAY)
    result = apply_tracker_import(demo_db, preview, decisions={"A-0019 due date": False})
    assert (result.applied, [c.key for c in result.rejected], _log(demo_db)) == ((), ["A-0019 due date"], before)
    assert result.edit.description == "reject every change in the action tracker nft.xlsx"
    day = _import_day(demo_db)

    # The same file again is refused, saying so; a copy sent again has the change rejected unless accepted.
    with pytest.raises(FileRefused) as refused:
        preview_tracker_import(demo_db, path, today=DEMO_TODAY)
    assert refused.value.message == f"This tracker was imported already, with every change in it rejected, on {day}."
    owner.type("A-0011", "New update", "Protocol drafted.")
    [again] = [c for c in preview_tracker_import(demo_db, _copy(owner, tmp_path, "again.xlsx"),
                                                 today=DEMO_TODAY).changes if c.reference == "A-0019"]
    assert again.unless_accepted.startswith(f"This new due date (15 June 2027) was rejected when this tracker was "
                                            f"imported on {day}")

    # Undone, the rejection is forgotten: the same file can be imported again, and decided afresh.
    undo_edit(demo_db, result.edit)
    [change] = preview_tracker_import(demo_db, path, today=DEMO_TODAY).changes
    assert not change.conflict


def test_a_tracker_whose_earlier_imports_kept_no_rejections_or_new_rows_still_imports(demo_db, tmp_path):
    """Imports made by earlier versions of jointlead kept each rejected change's name alone, and no note of where
    their new rows were: what they took is still known, the rest is heard as new."""
    path = _export(demo_db, tmp_path / "nft.xlsx", organisation="NFT").path
    owner = Owner(path)
    owner.type("A-0019", "New due date", date(2027, 6, 15))
    owner.type("A-0019", "Reason for new due date", "Waiting for HR.")
    owner.type("A-0011", "New update", "Protocol drafted.")
    row = owner.add_row(**{"Action": "Brief the new AMHP lead", "Owner": "Lucy Roberts", "Due": date(2026, 12, 31)})
    owner.save()
    apply_tracker_import(demo_db, preview_tracker_import(demo_db, path, today=DEMO_TODAY),
                         decisions={"A-0019 due date": False})
    with demo_db.session() as session:
        batch = session.scalar(select(ImportBatch).where(ImportBatch.kind == "actions"))
        mapping = json.loads(batch.mapping_json)
        mapping["rejected"] = ["A-0019 due date"]
        del mapping["added"]
        batch.mapping_json = json.dumps(mapping)
        session.commit()
    owner.sheet.cell(row, owner.columns["Action"]).value = "Brief the new AMHP leads"
    preview = preview_tracker_import(demo_db, _copy(owner, tmp_path, "again.xlsx"), today=DEMO_TODAY)
    assert preview.problems == () and preview.conflicts == ()
    assert sorted(c.key for c in preview.changes) == ["A-0019 due date", f"row {row} new action"]
    assert any(n.startswith("A-0011: its new update was added") for n in preview.notices)


def test_an_owners_tracker_gives_a_new_row_without_an_owner_to_that_owner(demo_db, tmp_path):
    path = _export(demo_db, tmp_path / "lucy.xlsx", owner="Lucy Roberts").path
    owner = Owner(path)
    owner.add_row(**{"Action": "Book the team away day", "Due": date(2027, 2, 5), "New update": "Venue found."})
    owner.save()
    preview = preview_tracker_import(demo_db, path, today=DEMO_TODAY)
    assert preview.notices == ()  # a new row's Status left empty is not a status cleared
    [added] = preview.changes
    assert added.summary == "New action for Lucy Roberts, due 5 February 2027, with the update: Venue found."
    apply_tracker_import(demo_db, preview)
    new = _detail(demo_db, "A-0041")
    assert (new.row.owner, new.updates[0].text, new.updates[0].author) == ("Lucy Roberts", "Venue found.",
                                                                           "Lucy Roberts")


def test_a_tracker_sent_with_no_open_actions_comes_back_with_the_owners_new_row(demo_db, tmp_path):
    owner_name = "Lucy Roberts"
    for row in actions.action_log(demo_db, DEMO_TODAY):
        if row.owner == owner_name and row.is_open:
            actions.change_status(demo_db, row.id, "complete", evidence="Minutes", today=DEMO_TODAY)
    path = _export(demo_db, tmp_path / "lucy.xlsx", owner=owner_name).path
    untouched = preview_tracker_import(demo_db, path, today=DEMO_TODAY)
    assert (untouched.problems, untouched.changes) == ((), ())  # the note under the headings is not a reference

    owner = Owner(path)
    owner.sheet.cell(2, owner.columns["Action"], "Plan the winter rota")  # on the row of the note, as it invites
    owner.sheet.cell(2, owner.columns["Due"], date(2027, 1, 8))
    owner.save()
    preview = preview_tracker_import(demo_db, path, today=DEMO_TODAY)
    assert preview.problems == ()
    [added] = preview.changes
    assert (added.kind, added.title) == (ChangeKind.NEW_ACTION, "Plan the winter rota")


# --- conflicts --------------------------------------------------------------------------------------------------------

def test_a_change_made_here_after_the_export_is_a_conflict_the_manager_decides(demo_db, tmp_path):
    path = _export(demo_db, tmp_path / "nft.xlsx", organisation="NFT").path
    a0011, a0010 = _log(demo_db)["A-0011"], _log(demo_db)["A-0010"]
    actions.change_status(demo_db, a0011.id, "in progress", today=DEMO_TODAY)  # here, after the export
    actions.revise_due_date(demo_db, a0010.id, date(2027, 2, 1), "Estates review.", today=DEMO_TODAY)
    owner = Owner(path)
    owner.type("A-0011", "New status", "Cancelled")
    owner.type("A-0011", "New update", "No longer needed: the ICB's protocol covers it.")
    owner.type("A-0019", "New update", "Draft with the leads.")
    owner.save()

    preview = preview_tracker_import(demo_db, path, today=DEMO_TODAY)
    assert {c.key for c in preview.conflicts} == {"A-0011 status", "A-0011 update"}
    assert "status open → in progress" in preview.conflicts[0].conflict
    assert not any(c.conflict for c in preview.changes if c.reference == "A-0019")
    assert preview.notices == ()  # the Status and Due cells the owner left alone are not their edits

    before = _log(demo_db)
    with pytest.raises(JointleadError, match="Accept or reject each one"):
        apply_tracker_import(demo_db, preview)
    assert _log(demo_db) == before  # nothing changed

    result = apply_tracker_import(demo_db, preview, decisions={"A-0011 status": False, "A-0011 update": True})
    assert [c.key for c in result.rejected] == ["A-0011 status"]
    after = _detail(demo_db, "A-0011")
    assert after.row.status == ActionStatus.IN_PROGRESS  # the change made here stands
    assert after.updates[-1].text == "No longer needed: the ICB's protocol covers it."
    assert _detail(demo_db, "A-0019").updates[-1].text == "Draft with the leads."


def test_an_accepted_conflict_is_applied_and_a_preview_gone_stale_is_refused(demo_db, tmp_path):
    path = _export(demo_db, tmp_path / "nft.xlsx", organisation="NFT").path
    a0019 = _log(demo_db)["A-0019"]
    actions.add_update(demo_db, a0019.id, "Chased by the JGM.", today=DEMO_TODAY)
    owner = Owner(path)
    owner.type("A-0019", "New status", "In progress")
    owner.save()
    preview = preview_tracker_import(demo_db, path, today=DEMO_TODAY)
    assert "an update added" in preview.conflicts[0].conflict
    actions.add_update(demo_db, a0019.id, "Chased again.", today=DEMO_TODAY)
    with pytest.raises(JointleadError, match="changed here after the tracker was previewed"):
        apply_tracker_import(demo_db, preview, decisions={"A-0019 status": True})
    preview = preview_tracker_import(demo_db, path, today=DEMO_TODAY)
    apply_tracker_import(demo_db, preview, decisions={"A-0019 status": True})
    assert _log(demo_db)["A-0019"].status == ActionStatus.IN_PROGRESS


# --- all or nothing -------------------------------------------------------------------------------------------------

def test_bad_rows_are_reported_and_nothing_changes_unless_the_valid_rows_are_accepted(demo_db, tmp_path):
    path = _export(demo_db, tmp_path / "nft.xlsx", organisation="NFT").path
    owner = Owner(path)
    owner.type("A-0019", "New update", "Good news.")
    owner.type("A-0010", "New due date", date(2027, 1, 15))  # no reason
    owner.type("A-0023", "New status", "Cancelled")  # no reason why
    owner.add_row(**{"Action": "Half a new action"})  # no owner, no due date
    owner.add_row(**{"Action": "Owner unknown", "Owner": "Nobody Atall", "Due": date(2027, 1, 8)})
    owner.add_row(**{"Ref": "A-0099", "New update": "Not ours."})
    owner.save()
    preview = preview_tracker_import(demo_db, path, today=DEMO_TODAY)
    messages = "\n".join(str(p) for p in preview.problems)
    assert preview.rows_with_problems == 5
    for words in ("reason for the new due date", "Cancelled needs a reason", "no Owner or Due",
                  "Nobody called 'Nobody Atall'", "A-0099 was not in this tracker"):
        assert words in messages
    assert all(p.reference.startswith("Actions!") for p in preview.problems)
    before = _log(demo_db)
    with pytest.raises(JointleadError, match="5 rows of the tracker have problems"):
        apply_tracker_import(demo_db, preview)
    assert _log(demo_db) == before
    result = apply_tracker_import(demo_db, preview, accept_valid=True)
    assert [c.key for c in result.applied] == ["A-0019 update"]
    assert result.skipped_rows == 5


def test_a_value_that_is_not_a_date_or_a_status_is_a_problem_with_its_cell(demo_db, tmp_path):
    path = _export(demo_db, tmp_path / "nft.xlsx", organisation="NFT").path
    owner = Owner(path)
    owner.type("A-0019", "New status", "Finished-ish")
    owner.type("A-0010", "New due date", "=TODAY()+7")
    owner.type("A-0010", "Reason for new due date", "Later.")
    owner.save()
    problems = preview_tracker_import(demo_db, path, today=DEMO_TODAY).problems
    assert sorted(p.reference.split("!")[1][0] for p in problems) == ["J", "K"]


def test_a_mistyped_year_in_a_due_date_is_a_problem_not_an_action_never_overdue(demo_db, tmp_path):
    path = _export(demo_db, tmp_path / "nft.xlsx", organisation="NFT").path
    owner = Owner(path)
    owner.type("A-0010", "New due date", date(2072, 1, 15))
    owner.type("A-0010", "Reason for new due date", "Waiting for the estates review.")
    someone = owner.sheet.cell(owner.row_of("A-0010"), owner.columns["Owner"]).value
    owner.add_row(**{"Action": "Agree the winter plan", "Owner": someone, "Due": date(2062, 12, 1)})
    owner.save()
    preview = preview_tracker_import(demo_db, path, today=DEMO_TODAY)
    assert preview.rows_with_problems == 2
    assert all("more than 5 years after the action was raised" in str(p) for p in preview.problems)
    before = _log(demo_db)
    with pytest.raises(JointleadError, match="2 rows of the tracker have problems"):
        apply_tracker_import(demo_db, preview)
    assert _log(demo_db) == before


def test_every_edit_the_import_does_not_take_is_named_in_a_notice_and_changes_nothing(demo_db, tmp_path):
    path = _export(demo_db, tmp_path / "nft.xlsx", organisation="NFT").path
    before = _log(demo_db)
    owner = Owner(path)
    owner.type("A-0019", "New update", "Draft with the leads.")  # taken, beside every cell jointlead wrote, overtyped:
    for header, value in (("Action", "Record lines for OTs"), ("Owner", "Lucy Roberts"), ("Due", date(2027, 3, 1)),
                          ("Status", "Complete"), ("RAG", "Green"), ("Updated on", date(2026, 11, 20)),
                          ("Latest update", "Nearly there.")):
        owner.type("A-0019", header, value)
    owner.type("A-0010", "Action", "Review the risk reserve")  # with nothing in the owner's columns
    owner.type("A-0010", "Latest update", None)
    for header, value in (("Due", date(2027, 1, 15)), ("New due date", date(2027, 1, 15)),
                          ("Reason for new due date", "Waiting for the estates review.")):
        owner.type("A-0023", header, value)  # Due says what New due date asks: taken that way
    owner.sheet.cell(1, 13, "Comments")
    owner.sheet.cell(owner.row_of("A-0011"), 13, "Call me about this one.")
    owner.sheet.delete_rows(owner.row_of("A-0033"))
    new_row = owner.add_row(**{"Action": "Set up the joint duty rota", "Owner": "Lucy Roberts",
                               "Due": date(2026, 12, 31), "Status": "In progress", "Latest update": "Rota drafted."})
    owner.save()
    a11, a19, a10 = (owner.row_of(reference) for reference in ("A-0011", "A-0019", "A-0010"))  # after the deletion

    preview = preview_tracker_import(demo_db, path, today=DEMO_TODAY)
    assert preview.problems == ()
    assert sorted(c.key for c in preview.changes) == ["A-0019 update", "A-0023 due date", f"row {new_row} new action"]
    taken = "so it was not taken."
    assert preview.notices == (
        f"A-0011: the workbook has 'Call me about this one.' in Actions!M{a11}, a column the tracker does not read "
        "('Comments'), so it was not taken; updates go in 'New update'.",
        f"A-0019: the title was changed in the workbook to 'Record lines for OTs' (Actions!B{a19}); titles are "
        f"changed in jointlead, {taken}",
        f"A-0019: the owner was changed in the workbook to 'Lucy Roberts' (Actions!C{a19}); an action is given to "
        f"another owner in jointlead, {taken}",
        f"A-0019: the due date was changed in the workbook to '01/03/2027' (Actions!D{a19}); a due date is moved "
        f"with 'New due date' and a reason, {taken}",
        f"A-0019: the status was changed in the workbook to 'Complete' (Actions!E{a19}); a status is changed with "
        f"'New status', {taken}",
        f"A-0019: the RAG was changed in the workbook to 'Green' (Actions!F{a19}); the RAG is worked out in "
        f"jointlead (a manager may override it there), {taken}",
        f"A-0019: the date of the latest update was changed in the workbook to '20/11/2026' (Actions!G{a19}); "
        f"updates are added with 'New update' and dated the day they are imported, {taken}",
        f"A-0019: the latest update was changed in the workbook to 'Nearly there.' (Actions!H{a19}); updates are "
        f"only added, with 'New update', {taken}",
        f"A-0010: the title was changed in the workbook to 'Review the risk reserve' (Actions!B{a10}); titles are "
        f"changed in jointlead, {taken}",
        f"A-0010: the latest update was cleared in the workbook (Actions!H{a10}); updates are only added, with "
        f"'New update', {taken}",
        f"Row {new_row}: the status was changed in the workbook to 'In progress' (Actions!E{new_row}); a status is "
        f"changed with 'New status', {taken}",
        f"Row {new_row}: the latest update was changed in the workbook to 'Rota drafted.' (Actions!H{new_row}); "
        f"updates are only added, with 'New update', {taken}",
        "A-0033: its row is no longer in the workbook (deleted, or its Ref changed), so nothing was taken for it; "
        "an action is closed by choosing Complete or Cancelled in 'New status'.",
    )

    apply_tracker_import(demo_db, preview)
    after = _log(demo_db)
    assert {ref for ref in before if after[ref] != before[ref]} == {"A-0019", "A-0023"}
    kept = ("title", "owner", "due", "status", "rag")
    assert [getattr(after["A-0019"], name) for name in kept] == [getattr(before["A-0019"], name) for name in kept]
    update = _detail(demo_db, "A-0019").updates[-1]
    assert (update.text, update.author) == ("Draft with the leads.", "Lucy Roberts")  # the owner named on the row
    assert after["A-0023"].due == date(2027, 1, 15)
    [new] = set(after) - set(before)
    assert (after[new].status, after[new].latest_update) == (ActionStatus.OPEN, "")


def test_a_tracker_registered_without_its_cells_says_their_edits_cannot_be_found(demo_db, tmp_path):
    path = _export(demo_db, tmp_path / "nft.xlsx", organisation="NFT").path
    with demo_db.session() as session:  # as an export by a version of jointlead from before cells were noted
        entry = session.scalar(select(AuditEntry).where(AuditEntry.entity == "action_tracker"))
        registered = json.loads(entry.changes_json)
        del registered["cells"]
        entry.changes_json = json.dumps(registered)
        session.commit()
    owner = Owner(path)
    owner.type("A-0019", "Action", "Retitled")
    owner.save()
    preview = preview_tracker_import(demo_db, path, today=DEMO_TODAY)
    assert preview.changes == ()
    assert preview.notices == ("This tracker was exported by an earlier version of jointlead, which kept no note of "
                               "the cells it wrote, so changes to them cannot be found: look over the columns before "
                               "'New update' by eye.",)


# --- files this database did not export -------------------------------------------------------------------------------

def test_a_tracker_exported_by_another_database_is_refused(demo_db, demo_path, tmp_path):
    other_path = tmp_path / "other" / "demo.sqlite"
    other_path.parent.mkdir()
    shutil.copyfile(demo_path, other_path)
    other = open_database(other_path)
    try:
        path = export_action_tracker(other, tmp_path / "theirs.xlsx", organisation="NFT", today=DEMO_TODAY).path
    finally:
        other.close()
    with pytest.raises(FileRefused, match="not exported from this database"):
        preview_tracker_import(demo_db, path, today=DEMO_TODAY)


def test_no_tracker_is_sent_from_a_database_open_read_only_for_it_could_never_come_back(demo_db, tmp_path):
    # A file in a read-only place, or a shared database's account that may only read: no record of the tracker
    # can be kept, and its return would be refused as "not exported from this database".
    with pytest.raises(JointleadError) as refused:
        export_action_tracker(replace(demo_db, read_only=True), tmp_path / "nft.xlsx", organisation="NFT",
                              today=DEMO_TODAY)
    assert refused.value.message.startswith("This database is open read-only, so no tracker can be sent from it")
    assert not (tmp_path / "nft.xlsx").exists()


def test_a_workbook_without_the_tracker_details_is_refused(demo_db, tmp_path):
    cover = Cover("Actions", "Somewhere", "today", "me", GENERATED_ON, "x.sqlite")
    with ExportWorkbook(cover) as workbook:
        workbook.add_table(TRACKER_SHEET, (ExportColumn("Ref"), ExportColumn("Action"), ExportColumn("New update")),
                           [("A-0019", "Something", "Done")])
        path = workbook.save(tmp_path / "homemade.xlsx")
    with pytest.raises(FileRefused, match="not an action tracker exported by jointlead"):
        preview_tracker_import(demo_db, path, today=DEMO_TODAY)
    csv = tmp_path / "tracker.csv"
    csv.write_text("Ref,Action,New update\nA-0019,Something,Done\n", encoding="utf-8")
    with pytest.raises(FileRefused, match="CSV"):
        preview_tracker_import(demo_db, csv, today=DEMO_TODAY)


def test_a_tracker_whose_hidden_sheet_was_changed_is_refused(demo_db, tmp_path):
    path = _export(demo_db, tmp_path / "nft.xlsx", organisation="NFT").path
    workbook = openpyxl.load_workbook(path)
    workbook[CONTROL_SHEET].append(["A-0001", "0000000000000000"])
    workbook.save(path)
    with pytest.raises(FileRefused, match="hidden sheet no longer matches"):
        preview_tracker_import(demo_db, path, today=DEMO_TODAY)


# --- the writer's drop-downs and hidden sheets ------------------------------------------------------------------------

@pytest.mark.parametrize("choices", [("Yes, really", "No"), ('Say "no"',), ("",), ("x" * 300,)])
def test_a_drop_down_choice_must_be_plain_text_excel_can_list(tmp_path, choices):
    cover = Cover("Test", "Somewhere", "today", "me", GENERATED_ON, "x.sqlite")
    with ExportWorkbook(cover) as workbook, pytest.raises(ValueError):
        workbook.add_table("Sheet", (ExportColumn("Answer", choices=choices),), [("Yes",)])


def test_the_command_line_exports_a_tracker_and_takes_it_back(demo_path, tmp_path, capsys):
    from jointlead.cli import main

    out = tmp_path / "ncc tracker.xlsx"
    assert main(["export", "actions", "--db", str(demo_path), "--org", "NCC", "--out", str(out)]) == 0
    owner = Owner(out)
    reference = next(cell.value for cell in owner.sheet["A"][1:] if cell.value)
    owner.type(reference, "New update", "Met the provider; plan agreed.")
    owner.save()
    assert main(["import", "actions", str(out), "--db", str(demo_path), "--dry-run"]) == 0
    assert "Dry run, nothing changed. 12 rows read from Actions: 1 change to 1 action, 0 in conflict, 0 rows with " \
           "problems." in capsys.readouterr().out
    assert main(["import", "actions", str(out), "--db", str(demo_path)]) == 0
    assert "Imported 1 change (batch" in capsys.readouterr().out
    assert main(["import", "actions", str(out), "--db", str(demo_path)]) == 1  # the same file twice is refused


def test_the_command_line_rejects_again_a_change_rejected_before_saying_why(demo_path, tmp_path, capsys):
    """It cannot ask, and needs not: a change rejected unless accepted is rejected, and the rest imported."""
    from jointlead.cli import main
    from jointlead.store.database import open_database

    out = tmp_path / "nft tracker.xlsx"
    assert main(["export", "actions", "--db", str(demo_path), "--org", "NFT", "--out", str(out)]) == 0
    owner = Owner(out)
    owner.type("A-0019", "New due date", date(2027, 6, 15))
    owner.type("A-0019", "Reason for new due date", "Waiting for HR.")
    owner.type("A-0011", "New update", "Protocol drafted.")
    owner.save()
    database = open_database(demo_path)
    try:
        apply_tracker_import(database, preview_tracker_import(database, out, today=DEMO_TODAY),
                             decisions={"A-0019 due date": False})
    finally:
        database.close()
    owner.type("A-0018", "New update", "Lead identified.")
    capsys.readouterr()
    assert main(["import", "actions", str(_copy(owner, tmp_path, "again.xlsx")), "--db", str(demo_path)]) == 0
    said = capsys.readouterr().out
    assert "rejected: A-0019 due date: This new due date (15 June 2027) was rejected when this tracker was imported" \
           in said
    assert "Imported 1 change (batch" in said and "0 in conflict" in said

    # Sent once more with nothing else new, every change is rejected: said so, and remembered again.
    owner.type("A-0018", "New update", "")
    owner.type("A-0011", "New update", "")
    assert main(["import", "actions", str(_copy(owner, tmp_path, "third.xlsx")), "--db", str(demo_path)]) == 0
    assert "Every change was rejected, and that is remembered (batch" in capsys.readouterr().out


def test_an_update_on_a_row_whose_owner_was_cleared_is_credited_to_the_actions_owner(demo_db, tmp_path):
    path = _export(demo_db, tmp_path / "nft.xlsx", organisation="NFT").path
    owner = Owner(path)
    recorded = owner.sheet.cell(owner.row_of("A-0019"), owner.columns["Owner"]).value
    owner.type("A-0019", "Owner", None)
    owner.type("A-0019", "New update", "Rota agreed with both duty teams.")
    owner.save()
    apply_tracker_import(demo_db, preview_tracker_import(demo_db, path, today=DEMO_TODAY))
    update = _detail(demo_db, "A-0019").updates[-1]
    assert (update.text, update.author) == ("Rota agreed with both duty teams.", recorded)
    assert recorded and recorded != "Action owner"


# --- what the import must not guess --------------------------------------------------------------------------------

@pytest.mark.parametrize("copy_first", [True, False], ids=["copy kept first", "copy worked in at the end"])
def test_two_sheets_with_the_trackers_headings_are_refused_naming_both_never_one_read_silently(demo_db, tmp_path,
                                                                                               copy_first):
    path = _export(demo_db, tmp_path / "nft.xlsx", organisation="NFT").path
    owner = Owner(path)
    copy = owner.workbook.copy_worksheet(owner.sheet)
    copy.title = "Actions (2)"
    if copy_first:  # a backup kept as it came, the original edited
        owner.workbook.move_sheet(copy, offset=-(len(owner.workbook.sheetnames) - 1))
        owner.type("A-0011", "New status", "Complete")
    else:  # the copy edited, the original left as it came
        row = next(cell.row for cell in copy["A"] if cell.value == "A-0011")
        copy.cell(row, owner.columns["New status"]).value = "Complete"
    owner.save()
    with pytest.raises(FileRefused) as refused:
        preview_tracker_import(demo_db, path, today=DEMO_TODAY)
    said = str(refused.value)
    assert "two sheets that look like the action tracker" in said
    assert "'Actions'" in said and "'Actions (2)'" in said
    assert "Keep the sheet the owner edited and delete any other copy" in said


def test_a_row_whose_ref_was_cleared_or_retyped_to_another_actions_is_a_problem_not_a_silent_change(demo_db,
                                                                                                    tmp_path):
    path = _export(demo_db, tmp_path / "nft.xlsx", organisation="NFT").path
    owner = Owner(path)
    owner.type("A-0023", "New update", "Journals posted.")
    owner.sheet.cell(owner.row_of("A-0023"), 1).value = None  # cleared: not a new action repeating A-0023
    owner.sheet.delete_rows(owner.row_of("A-0019"))
    owner.type("A-0011", "New status", "Complete")
    owner.type("A-0011", "New update", "Protocol signed.")
    retyped = owner.row_of("A-0011")
    owner.sheet.cell(retyped, 1).value = "A-0019"  # A-0011's row, now saying it is A-0019's
    owner.type("A-0010", "New update", "Still waiting.")  # a row as it was sent
    owner.save()
    preview = preview_tracker_import(demo_db, path, today=DEMO_TODAY)
    assert [c.key for c in preview.changes] == ["A-0010 update"]
    problems = {p.reference: p.message for p in preview.problems}
    assert len(problems) == 2
    retyped_problem = problems[f"Actions!A{retyped}"]
    assert retyped_problem.startswith("The Ref says A-0019, but the row's Action, Owner and Due are those A-0011 was "
                                      "sent with")
    assert "Put back the Ref it was sent with (A-0011)" in retyped_problem
    cleared_problem = next(m for m in problems.values() if m.startswith("The Ref is empty"))
    assert "those A-0023 was sent with" in cleared_problem and "add A-0023 again" in cleared_problem
    before = _log(demo_db)
    result = apply_tracker_import(demo_db, preview, accept_valid=True)
    assert result.new_references == ()
    after = _log(demo_db)
    assert set(after) == set(before)
    assert (after["A-0011"].status, after["A-0019"].status) == (before["A-0011"].status, before["A-0019"].status)


def _sort_cells_without_the_ref(owner, first, second):
    """As sorting the table by a column without selecting Ref does: the two rows' cells from Action on are swapped,
    each row keeping its Ref."""
    one, two = owner.row_of(first), owner.row_of(second)
    for column in range(2, owner.sheet.max_column + 1):
        top, bottom = owner.sheet.cell(one, column), owner.sheet.cell(two, column)
        top.value, bottom.value = bottom.value, top.value


@pytest.mark.parametrize("overtyped, cells", [("Due", "Action and Owner"), ("Action", "Owner and Due")])
def test_a_row_holding_another_actions_cells_with_one_overtyped_is_a_problem_not_a_change_to_its_ref(
        demo_db, tmp_path, overtyped, cells):
    path = _export(demo_db, tmp_path / "nft.xlsx", organisation="NFT").path
    owner = Owner(path)
    _sort_cells_without_the_ref(owner, "A-0019", "A-0034")  # A-0019's row now holds A-0034's cells, and back
    rows = {reference: owner.row_of(reference) for reference in ("A-0019", "A-0034", "A-0023")}
    owner.type("A-0019", overtyped, date(2026, 12, 20) if overtyped == "Due" else "Agree locum cover for South")
    owner.type("A-0019", "New update", "Locum agreed from January.")
    owner.type("A-0019", "New status", "Complete")
    owner.type("A-0023", "Due", date(2027, 1, 8))  # its Ref cleared, and its Due overtyped: not a second A-0023
    owner.type("A-0023", "New update", "Journals posted.")
    owner.sheet.cell(owner.row_of("A-0023"), 1).value = None
    owner.type("A-0010", "New update", "Still waiting.")
    owner.save()
    preview = preview_tracker_import(demo_db, path, today=DEMO_TODAY)
    assert [c.key for c in preview.changes] == ["A-0010 update"]
    problems = {p.row: p.message for p in preview.problems}
    assert sorted(problems) == sorted(rows.values())
    assert problems[rows["A-0034"]].startswith("The Ref says A-0034, but the row's Action, Owner and Due are those "
                                               "A-0019 was sent with")
    sorted_row = problems[rows["A-0019"]]
    assert sorted_row.startswith(f"The Ref says A-0019, but the row's {cells} are those A-0034 was sent with "
                                 "('Agree locum ")
    assert "not A-0019's" in sorted_row and "nothing on the row was taken" in sorted_row
    assert "Put back the Ref it was sent with (A-0034)" in sorted_row
    assert problems[rows["A-0023"]].startswith("The Ref is empty, but the row's Action and Owner are those A-0023 "
                                               "was sent with")
    before = _log(demo_db)
    assert apply_tracker_import(demo_db, preview, accept_valid=True).new_references == ()
    after = _log(demo_db)
    assert set(after) == set(before)
    assert [after[ref].status for ref in ("A-0019", "A-0034")] == [before[ref].status for ref in ("A-0019", "A-0034")]
    assert after["A-0019"].latest_update == before["A-0019"].latest_update


def test_an_owners_own_cells_overtyped_like_another_of_their_actions_are_notices_not_problems(demo_db, tmp_path):
    """On an owner's tracker every row has the same Owner, and two actions may be due the same day: a row whose Due
    is overtyped to another's, and its title reworded, is still its Ref's."""
    path = _export(demo_db, tmp_path / "lucy.xlsx", owner="Lucy Roberts").path
    owner = Owner(path)
    taken = owner.sheet.cell(owner.row_of("A-0023"), owner.columns["Due"]).value  # A-0037's too
    owner.type("A-0010", "Due", taken)
    owner.type("A-0010", "Action", "Review the risk reserve")
    owner.type("A-0010", "New update", "Waiting for the forecast.")
    owner.save()
    preview = preview_tracker_import(demo_db, path, today=DEMO_TODAY)
    assert preview.problems == ()
    assert [c.key for c in preview.changes] == ["A-0010 update"]
    assert len([n for n in preview.notices if n.startswith("A-0010: the ")]) == 2


def test_a_cancellation_needs_its_update_accepted_and_a_completion_keeps_no_rejected_evidence(demo_db, tmp_path):
    path = _export(demo_db, tmp_path / "nft.xlsx", organisation="NFT").path
    owner = Owner(path)
    owner.type("A-0019", "New status", "Cancelled")
    owner.type("A-0019", "New update", "Superseded by the OT workforce review.")
    owner.type("A-0011", "New status", "Complete")
    owner.type("A-0011", "New update", "Protocol signed.")
    owner.save()
    preview = preview_tracker_import(demo_db, path, today=DEMO_TODAY)
    before = _log(demo_db)
    with pytest.raises(JointleadError, match="A-0019: its cancellation was accepted but its new update, the reason "
                                             "for cancelling, was rejected") as refused:
        apply_tracker_import(demo_db, preview, decisions={"A-0019 update": False})
    assert "Accept both the update and the cancellation, or reject both" in refused.value.advice
    assert _log(demo_db) == before  # nothing changed

    apply_tracker_import(demo_db, preview, decisions={"A-0019 update": False, "A-0019 status": False,
                                                      "A-0011 update": False})
    completed = _detail(demo_db, "A-0011")
    assert completed.row.status == ActionStatus.COMPLETE
    assert completed.evidence == ""  # the update was rejected: its text is kept nowhere
    assert all(u.text != "Protocol signed." for u in completed.updates)
    assert _log(demo_db)["A-0019"].status == before["A-0019"].status


def test_cells_merged_over_several_rows_are_a_problem_naming_them_not_taken_for_the_first_row(demo_db, tmp_path):
    path = _export(demo_db, tmp_path / "nft.xlsx", organisation="NFT").path
    owner = Owner(path)
    rows = [owner.row_of(reference) for reference in ("A-0011", "A-0019", "A-0010")]
    owner.type("A-0011", "New status", "Complete")
    owner.type("A-0011", "New update", "All three closed at the JMB.")
    owner.sheet.merge_cells(f"J{rows[0]}:J{rows[-1]}")  # New status, over three actions' rows
    owner.sheet.merge_cells(f"I{rows[0]}:I{rows[-1]}")
    owner.sheet.merge_cells("E5:F5")  # across one row: one cell, on one row, as Excel keeps it
    owner.type("A-0023", "New update", "Journals posted.")
    owner.save()
    preview = preview_tracker_import(demo_db, path, today=DEMO_TODAY)
    assert [c.key for c in preview.changes] == ["A-0023 update"]
    assert preview.rows_with_problems == 3
    merged = [p for p in preview.problems if p.message.startswith(f"Actions!J{rows[0]}:J{rows[-1]} are merged:")]
    assert [p.row for p in merged] == rows
    assert "Unmerge them" in merged[0].message and "fill in each row" in merged[0].message


def test_a_title_kept_with_a_tab_or_line_break_comes_back_on_its_owners_untouched_row(demo_db, tmp_path):
    from sqlalchemy import update

    from jointlead.store.models import Action

    with demo_db.session() as session:  # as titles were kept before they were put on one line
        session.execute(update(Action).where(Action.reference == "A-0019")
                        .values(title="Record professional lines\nfor new OTs"))
        session.execute(update(Action).where(Action.reference == "A-0011").values(title="Agree rota\tNFT and LA"))
        session.commit()
    path = _export(demo_db, tmp_path / "nft.xlsx", organisation="NFT").path
    owner = Owner(path)
    owner.type("A-0019", "New update", "Leads now recorded for both OTs.")
    owner.type("A-0011", "New update", "Rota drafted.")
    owner.add_row(**{"Action": "Agree the\trota\nfor both teams", "Owner": "Lucy  Roberts", "Due": date(2026, 12, 18)})
    owner.save()
    preview = preview_tracker_import(demo_db, path, today=DEMO_TODAY)
    assert (preview.problems, preview.notices) == ((), ())
    assert sorted(c.key for c in preview.changes) == ["A-0011 update", "A-0019 update", "row 14 new action"]
    result = apply_tracker_import(demo_db, preview)
    assert _log(demo_db)[result.new_references[0]].title == "Agree the rota for both teams"


def test_a_new_row_added_by_another_copy_of_the_tracker_since_the_preview_is_refused_not_added_twice(demo_db,
                                                                                                      tmp_path):
    path = _export(demo_db, tmp_path / "nft.xlsx", organisation="NFT").path
    owner = Owner(path)
    owner.add_row(**{"Action": "Audit the duty rota", "Owner": "Lucy Roberts", "Due": date(2026, 12, 18)})
    owner.save()
    owner.sheet.cell(1, 13).value = "Comments"
    copy = tmp_path / "copy.xlsx"  # a second copy, slightly different, previewed alongside
    owner.workbook.save(copy)
    first = preview_tracker_import(demo_db, path, today=DEMO_TODAY)
    second = preview_tracker_import(demo_db, copy, today=DEMO_TODAY)
    assert apply_tracker_import(demo_db, first).new_references == ("A-0041",)
    before = _log(demo_db)
    with pytest.raises(JointleadError, match=r"Another copy of this tracker was imported after this one was "
                                             r"previewed: row 14's new action \('Audit the duty rota'\) was added "
                                             "as A-0041") as refused:
        apply_tracker_import(demo_db, second)
    assert "Preview the tracker again" in refused.value.advice
    assert _log(demo_db) == before


def test_a_conflict_says_what_changed_in_the_domains_words_naming_the_owner_and_the_meeting(demo_db, tmp_path):
    path = _export(demo_db, tmp_path / "nft.xlsx", organisation="NFT").path
    log = _log(demo_db)
    actions.edit_action(demo_db, log["A-0019"].id, owner_id=log["A-0010"].owner_id, priority="high",
                        workstream="Workforce")
    meeting = actions.meetings(demo_db)[0]
    actions.edit_action(demo_db, log["A-0011"].id, meeting_id=meeting.id, detail="More detail")
    owner = Owner(path)
    owner.type("A-0019", "New update", "Done for one OT.")
    owner.type("A-0011", "New update", "Drafted.")
    owner.save()
    conflicts = {c.reference: c.conflict for c in preview_tracker_import(demo_db, path, today=DEMO_TODAY).changes}
    assert (f"owner {log['A-0019'].owner} → {log['A-0010'].owner}, priority medium → high, workstream edited ("
            in conflicts["A-0019"])
    assert f"meeting {log['A-0011'].meeting} on " in conflicts["A-0011"]
    assert f"→ {meeting.name} on {format_day(meeting.on)}, detail edited (" in conflicts["A-0011"]
    assert " id" not in conflicts["A-0019"] + conflicts["A-0011"]


def test_a_duplicated_heading_is_refused_with_advice_the_tracker_import_can_follow(demo_db, tmp_path):
    path = _export(demo_db, tmp_path / "nft.xlsx", organisation="NFT").path
    owner = Owner(path)
    owner.sheet.cell(1, 13).value = "New update"
    owner.save()
    with pytest.raises(FileRefused) as refused:
        preview_tracker_import(demo_db, path, today=DEMO_TODAY)
    assert "New update could be any of" in str(refused.value)
    assert "--map" not in refused.value.advice and "wizard" not in refused.value.advice
    assert "Give each column back the heading it was sent with, each heading once" in refused.value.advice


def test_a_due_date_moved_by_an_owner_name_too_long_to_keep_is_a_problem_never_cut_short(demo_db, tmp_path):
    path = _export(demo_db, tmp_path / "nft.xlsx", organisation="NFT").path
    owner = Owner(path)
    owner.type("A-0019", "Owner", "O" * 150)
    owner.type("A-0019", "New due date", date(2027, 1, 5))
    owner.type("A-0019", "Reason for new due date", "OT starters delayed.")
    owner.save()
    preview = preview_tracker_import(demo_db, path, today=DEMO_TODAY)
    assert preview.changes == ()
    assert "which is 150 characters long: at most 100 fit" in str(preview.problems[0])
    assert "Shorten the name in 'Owner'" in str(preview.problems[0])
