"""Recorded edits: every row a gesture creates, changes or deletes is audited, so any gesture can be undone.

Each change is one audit entry per row with every field as [old, new]. A created row records its "id" as
[None, id] and a deleted row as [id, None]; the other fields of both are recorded whole, which is what lets
`undo_edit` put a deleted row back exactly. Undo never erases: it makes the compensating change and appends audit
entries that point at the ones they undo, so redo is simply undoing the undo.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from jointlead.domain.errors import JointleadError
from jointlead.store.database import Database
from jointlead.store.errors import ChangedBySomeoneElse
from jointlead.store.models import AuditEntry, Base
from jointlead.store.uow import UnitOfWork

# What erasing a person (`services.erasure`) leaves in place of their values in the audit log. An entry holding it
# cannot be undone: the values it would put back are gone.
ERASED = "[erased]"


@dataclass(frozen=True)
class Edit:
    """What one gesture did: its description (for Edit > Undo "…") and the audit entries it appended."""

    description: str
    entries: tuple[int, ...]


def _model_for(table: str) -> type[Base]:
    for mapper in Base.registry.mappers:
        if mapper.local_table.name == table:
            return mapper.class_
    raise LookupError(f"no table called {table}")


def _fields(row: Base) -> dict[str, Any]:
    """A row's own fields; its version (store.models.Versioned) is the database's bookkeeping, not the user's data."""
    mapper = inspect(type(row))
    return {column.key: getattr(row, column.key) for column in mapper.columns if column is not mapper.version_id_col}


def _what(row: Base) -> str:
    """'This person', 'This action': what a refused edit was about, in words."""
    return "This " + row.__tablename__.replace("_", " ")


class Recorder:
    """Makes a gesture's row changes inside one unit of work and audits each one under the gesture's verb."""

    def __init__(self, uow: UnitOfWork, verb: str) -> None:
        self.uow = uow
        self.verb = verb
        self.undoes: int | None = None  # set while undoing: the audit entry being compensated
        self._entries: list[AuditEntry] = []

    @property
    def session(self) -> Session:
        return self.uow.session

    @property
    def changed(self) -> bool:
        return bool(self._entries)

    def create(self, row: Base) -> Base:
        self.session.add(row)
        self.session.flush()
        self._entries.append(self.uow.audit(self.verb, row.__tablename__, row.id,
                                            {k: (None, v) for k, v in _fields(row).items()}, self.undoes))
        return row

    def update(self, row: Base, *, seen_version: int | None = None, **values: Any) -> bool:
        """Set the fields given; only those that really change are applied and recorded. True if any did.

        `seen_version` is the row's version when the user was shown it (a dialog filled from it): if it has changed
        since, someone else saved first and the edit is refused rather than overwriting theirs.
        """
        self.check_seen(row, seen_version)
        changes = {k: (getattr(row, k), v) for k, v in values.items() if getattr(row, k) != v}
        if not changes:
            return False
        for key, (_old, new) in changes.items():
            setattr(row, key, new)
        self._flush(row)
        self._entries.append(self.uow.audit(self.verb, row.__tablename__, row.id, changes, self.undoes))
        return True

    def check_seen(self, row: Base, seen_version: int | None) -> None:
        """Refuse a gesture made from a copy of `row` older than what is stored (None: nothing was shown)."""
        if seen_version is not None and row.version != seen_version:
            raise ChangedBySomeoneElse(_what(row))

    def delete(self, row: Base) -> None:
        self._entries.append(self.uow.audit(self.verb, row.__tablename__, row.id,
                                            {k: (v, None) for k, v in _fields(row).items()}, self.undoes))
        self.session.delete(row)
        self._flush(row)

    def _flush(self, row: Base) -> None:
        try:
            self.session.flush()
        except StaleDataError as error:
            # Another connection changed or removed the row between this gesture reading it and writing it: the
            # version the UPDATE or DELETE asked for was gone (store.models.Versioned).
            raise ChangedBySomeoneElse(_what(row)) from error

    def commit(self, description: str) -> Edit:
        self.uow.commit()
        return Edit(description, tuple(entry.id for entry in self._entries))


def _value(model: type[Base], key: str, stored: Any) -> Any:
    """A field as the audit log stored it (JSON), back as the column's own type."""
    if stored is None:
        return None
    column_type = inspect(model).columns[key].type
    if isinstance(column_type, DateTime):
        return datetime.fromisoformat(stored)
    if isinstance(column_type, Date):
        return date.fromisoformat(stored)
    return stored


def _compensate(recorder: Recorder, entry: AuditEntry) -> None:
    if ERASED in entry.changes_json and any(ERASED in pair for pair in json.loads(entry.changes_json).values()):
        raise JointleadError("That change cannot be undone: it involved a person whose record has since been erased.",
                             "")
    model = _model_for(entry.entity)
    changes = {k: (_value(model, k, old), _value(model, k, new))
               for k, (old, new) in json.loads(entry.changes_json).items()}
    session = recorder.session
    row = session.get(model, entry.entity_id)
    created = "id" in changes and changes["id"][0] is None
    deleted = "id" in changes and changes["id"][1] is None
    if deleted:
        if row is not None:
            raise JointleadError("That change cannot be undone: the record it removed is back already.", "")
        recorder.create(model(**{k: old for k, (old, _new) in changes.items()}))
        return
    if row is None:
        raise JointleadError("That change cannot be undone: the record it made has since been removed.",
                             "Undo the later changes first.")
    current = _fields(row)
    if any(current[k] != new for k, (_old, new) in changes.items()):
        raise JointleadError("That change cannot be undone: the record has been changed again since.",
                             "Undo the later changes first.")
    if created:
        recorder.delete(row)
    else:
        recorder.update(row, **{k: old for k, (old, _new) in changes.items()})


def undo_edit(database: Database, edit: Edit) -> Edit:
    """Make the compensating change for every row of `edit`, newest first, in one transaction.

    The new audit entries point at the ones they undo. The result is itself an Edit, so undoing it redoes the
    original gesture.
    """
    with UnitOfWork(database) as uow:
        entries = uow.session.scalars(select(AuditEntry).where(AuditEntry.id.in_(edit.entries))).all()
        if len(entries) != len(edit.entries):
            raise JointleadError("That change cannot be undone: its record in the audit log is missing.", "")
        recorder = Recorder(uow, "")
        for entry in sorted(entries, key=lambda e: e.id, reverse=True):
            recorder.verb, recorder.undoes = f"undo {entry.verb}", entry.id
            _compensate(recorder, entry)
        return recorder.commit(edit.description)
