"""The hostile corpus (issue 10): every kind of bad file, through every importer it applies to, is refused with a
plain message, within 5 seconds, and leaves the database exactly as it was.

Each file goes through the functions the wizard and the command line call: the preview, and then, where the preview
has rejected rows or accepts none, the apply, which must refuse too. Memory is measured by bench/hostile.py, which
runs each case as its own `jointlead import ... --dry-run` process; here only time is checked.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from exchange import hostile
from jointlead.domain.errors import JointleadError
from jointlead.services import imports
from jointlead.services.action_tracker import apply_tracker_import, export_action_tracker, preview_tracker_import
from jointlead.services.demo import DEMO_TODAY
from jointlead.store.database import Database, open_database

SECONDS = 5.0
# What must never reach a manager: a traceback, an exception's class name, a memory address.
NOT_PLAIN = re.compile(r"Traceback|File \"|line \d+, in |\b[A-Z][A-Za-z]*(?:Error|Exception|Warning)\b|"
                       r"\b0x[0-9a-f]{6,}|<[\w.]+ object")

# A sheet whose <dimension> lies (says A1, holds XFD1048576) is parsed in the reading process, where calamine's
# failed allocation ends that process, not jointlead: run through the command line too, to see the user's view.
IN_A_PROCESS_OF_ITS_OWN = {"lying dimension"}


@dataclass(frozen=True)
class Service:
    database: Database
    tracker: Path  # an action tracker exported from it, for the "actions" kinds to spoil


@pytest.fixture(scope="module")
def service(demo_master: Path, tmp_path_factory: pytest.TempPathFactory):
    """One copy of the demo service for the whole corpus: each case proves it left every table as it found it."""
    folder = tmp_path_factory.mktemp("hostile-corpus")
    path = folder / "demo.sqlite"
    shutil.copyfile(demo_master, path)
    database = open_database(path)
    tracker = export_action_tracker(database, folder / "tracker.xlsx", organisation="NFT", today=DEMO_TODAY).path
    yield Service(database, tracker)
    database.close()


def dump(database: Database) -> list[str]:
    """Every table's schema and rows, as SQL: two equal dumps are two identical databases."""
    connection = sqlite3.connect(database.path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def preview(importer: str, database: Database, path: Path):
    if importer == "ledger":
        return imports.preview_ledger_import(database, path, "NFT", today=DEMO_TODAY)
    if importer == "staff":
        return imports.preview_staff_import(database, path, "NFT", today=DEMO_TODAY)
    if importer == "supervision":
        return imports.preview_supervision_import(database, path, today=DEMO_TODAY)
    return preview_tracker_import(database, path, today=DEMO_TODAY)


def assert_plain(text: str) -> None:
    assert text.strip(), "an empty message"
    assert not NOT_PLAIN.search(text), f"not a plain message: {text!r}"
    assert hostile.SECRET_MARKER not in text, "a reader expanded an external entity"


def refusal(importer: str, database: Database, path: Path) -> str:
    """What the user is told when the file is refused; fails if any of it would be imported as it stands."""
    try:
        found = preview(importer, database, path)
    except JointleadError as error:
        return f"{error.message} {error.advice}"
    if importer == "actions":
        assert found.problems, f"the tracker previews cleanly: {found.changes}"
        reasons = [str(problem) for problem in found.problems]
        with pytest.raises(JointleadError) as refused:
            apply_tracker_import(database, found)
    else:
        assert found.rejected or found.accepted == 0, f"{found.accepted} rows would be imported, none rejected"
        assert all(row.problems for row in found.rejected), "a row rejected without a reason"
        reasons = [problem for row in found.rejected for problem in row.problems]
        with pytest.raises(JointleadError) as refused:
            imports.apply_import(database, found)
        if found.accepted == 0:
            with pytest.raises(JointleadError):
                imports.apply_import(database, found, accept_valid=True)
    for reason in reasons:
        assert_plain(reason)
    return " ".join([refused.value.message, refused.value.advice, *reasons])


CASES = [pytest.param(kind, importer, id=f"{kind.name}-{importer}")
         for kind in hostile.CORPUS for importer in kind.importers]


@pytest.mark.parametrize(("kind", "importer"), CASES)
def test_a_hostile_file_is_refused_plainly_quickly_and_changes_nothing(service, tmp_path, kind, importer):
    path = kind.make(tmp_path, importer, service.tracker)
    before = dump(service.database)
    started = time.perf_counter()
    message = refusal(importer, service.database, path)
    elapsed = time.perf_counter() - started
    assert_plain(message)
    assert elapsed < SECONDS, f"took {elapsed:.1f} s"
    assert dump(service.database) == before
    assert multiprocessing.active_children() == []  # a reading process, if one was started, has gone


ABORTING = [pytest.param(kind, importer, id=f"{kind.name}-{importer}")
            for kind in hostile.CORPUS if kind.name in IN_A_PROCESS_OF_ITS_OWN for importer in kind.importers]


@pytest.mark.parametrize(("kind", "importer"), ABORTING)
def test_a_sheet_lying_about_its_size_is_refused_by_the_command_line(service, demo_path, tmp_path, kind, importer):
    # The command line's own copy of the demo: the service's database is open here, and a database opens only once.
    path = kind.make(tmp_path, importer, service.tracker)
    before = demo_path.read_bytes()
    whose = {"ledger": ["--partner", "NFT"], "staff": ["--employer", "NFT"]}.get(importer, [])
    started = time.perf_counter()
    ran = subprocess.run([sys.executable, "-m", "jointlead", "import", importer, str(path), "--db", str(demo_path),
                          "--dry-run", *whose],
                         capture_output=True, text=True, timeout=60, env={**os.environ, "RUST_BACKTRACE": "0"})
    elapsed = time.perf_counter() - started
    assert demo_path.read_bytes() == before
    assert ran.returncode == 1, f"exit {ran.returncode}: {ran.stderr[-300:]}"
    assert ran.stderr.startswith("jointlead: ") and "something unexpected" not in ran.stderr
    assert_plain(ran.stderr)
    assert elapsed < SECONDS + 2  # a process of its own: Python's start-up on top


@pytest.mark.parametrize("importer", hostile.TABLE_IMPORTERS)
def test_each_good_table_the_corpus_spoils_is_accepted_whole(service, tmp_path, importer):
    """Proof that the corpus's refusals come from what each kind spoils, not from a table that was never good."""
    rows = hostile.good_table(importer)
    for path in (hostile.write_xlsx(tmp_path / "good.xlsx", {"Data": [["Extract"], [], *rows]}),
                 hostile.write_csv(tmp_path / "good.csv", rows)):
        found = preview(importer, service.database, path)
        assert (found.rows_read, found.accepted, found.rejected) == (len(rows) - 1, len(rows) - 1, ())
        assert found.changes_anything


def test_the_tracker_the_corpus_spoils_previews_without_problems(service, tmp_path):
    edited = hostile.TrackerEdit(service.tracker, tmp_path, "good.xlsx").set(0, "New update", "All on track.").save()
    found = preview("actions", service.database, edited)
    assert found.problems == () and [change.key for change in found.changes] == [f"{found.changes[0].reference} update"]


def test_the_corpus_holds_at_least_30_kinds_across_every_importer():
    names = [kind.name for kind in hostile.CORPUS]
    assert len(set(names)) == len(names) >= 30
    per_importer = Counter(importer for kind in hostile.CORPUS for importer in kind.importers)
    assert set(per_importer) == set(hostile.IMPORTERS)
    assert min(per_importer.values()) >= 30
