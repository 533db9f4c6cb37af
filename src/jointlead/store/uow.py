"""The unit of work: one user gesture, one transaction, one audit entry; rolled back unless committed."""

from __future__ import annotations

import getpass
import json
import time
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jointlead.store.database import Database
from jointlead.store.engine import READ_ONLY_CHANGE
from jointlead.store.errors import OthersStillSaving, ReadOnlyDatabase
from jointlead.store.models import AuditEntry
from jointlead.store.server import ACCOUNT_READ_ONLY


def os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some service contexts
        return "unknown"


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def changes_json(changes: Mapping[str, tuple[Any, Any]]) -> str:
    """An audit entry's changes as stored: each field as [old, new], dates as ISO text."""
    return json.dumps({k: [_plain(o), _plain(n)] for k, (o, n) in changes.items()}, sort_keys=True,
                      ensure_ascii=False)


# On a shared server, each change holds this advisory lock shared, and a close or unlock of a month holds it alone:
# a change checks that its month is open, then writes, and at READ COMMITTED a close could otherwise agree the
# month's figures between the two, or an edit made before a close commit after it. SQLite writes one at a time.
MONTHS_LOCK = 0x6A6C_6D6F  # "jlmo": any number no one else's advisory locks use in the same database
# A close asks for the lock again and again rather than queue for it: everyone's changes would queue behind it, for
# as long as the change it waits for (an import, or a laptop asleep part way through one) takes. Past this, the close
# is refused in words.
CLOSE_WAIT_SECONDS = 5.0
CLOSE_ASK_EVERY_SECONDS = 0.1


class UnitOfWork:
    """`with UnitOfWork(db) as uow: ... uow.commit()` — anything not committed is rolled back.

    `closes`: the unit closes or unlocks months, so it waits for every change under way to finish, and every change
    begun meanwhile waits for it.
    """

    def __init__(self, database: Database, *, closes: bool = False) -> None:
        self.database = database
        self.session: Session
        self._committed = False
        self._closes = closes

    def __enter__(self) -> UnitOfWork:
        self.session = self.database.unit_of_work_session()
        if self.database.server is not None:
            try:
                if self._closes:
                    self._months_alone()
                else:
                    self.session.execute(select(func.pg_advisory_xact_lock_shared(MONTHS_LOCK)))
            except BaseException:
                self.session.close()
                raise
        return self

    def _months_alone(self) -> None:
        given_up = time.monotonic() + CLOSE_WAIT_SECONDS
        while not self.session.scalar(select(func.pg_try_advisory_xact_lock(MONTHS_LOCK))):
            if time.monotonic() > given_up:
                raise OthersStillSaving()
            time.sleep(CLOSE_ASK_EVERY_SECONDS)

    def __exit__(self, *_exc: object) -> None:
        if not self._committed:
            self.session.rollback()
        self.session.close()

    def audit(
        self,
        verb: str,
        entity: str,
        entity_id: int | None,
        changes: Mapping[str, tuple[Any, Any]] | None = None,
        undoes: int | None = None,
    ) -> AuditEntry:
        """Record who changed what: each field as [old, new]."""
        entry = AuditEntry(
            at=datetime.now(UTC).replace(tzinfo=None),
            os_user=os_user(),
            verb=verb,
            entity=entity,
            entity_id=entity_id,
            changes_json=changes_json(changes or {}),
            undoes_id=undoes,
        )
        self.session.add(entry)
        return entry

    def commit(self) -> None:
        if self.database.read_only:
            raise ReadOnlyDatabase(*(ACCOUNT_READ_ONLY if self.database.server is not None else READ_ONLY_CHANGE))
        self.session.commit()
        self._committed = True
