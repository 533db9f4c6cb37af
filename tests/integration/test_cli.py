"""The `jointlead` command as scripts use it: exit codes, messages, and what it leaves on disk."""

from __future__ import annotations

import csv
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from jointlead.store.backup import integrity_problems
from jointlead.store.database import open_database

FIXTURES = Path(__file__).parent.parent / "fixtures"


def jointlead(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "jointlead", *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "PYTHONWARNINGS": "error::DeprecationWarning"}, timeout=120)


def test_demo_then_check_succeeds(tmp_path):
    demo = tmp_path / "d.sqlite"
    created = jointlead("demo", "--db", str(demo))
    assert created.returncode == 0, created.stderr
    assert "Created the demo service" in created.stdout
    extracts = tmp_path / "d extracts"
    assert (f"Next month's ledger extracts, one from each partner, to try the monthly import with: NFT ledger M08 "
            f"2026-27.xlsx, NCC ledger extract P08 2026-27.xlsx in {extracts}.") in created.stdout
    assert len(list(extracts.iterdir())) == 2
    checked = jointlead("check", "--db", str(demo))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.strip().endswith("warnings.")
    assert " 0 errors" in checked.stdout or checked.stdout.splitlines()[-1].startswith("0 errors")


def test_demo_is_made_whole_where_its_next_months_extracts_cannot_be_written(tmp_path):
    (tmp_path / "d extracts").write_text("a file where their folder would go")
    created = jointlead("demo", "--db", str(tmp_path / "d.sqlite"))
    assert created.returncode == 0, created.stderr
    assert "Created the demo service" in created.stdout
    assert created.stderr.startswith(f"Next month's ledger extracts were not written to {tmp_path / 'd extracts'}: ")
    assert jointlead("check", "--db", str(tmp_path / "d.sqlite")).returncode == 0


def test_demo_refuses_to_overwrite_an_existing_file(tmp_path):
    existing = tmp_path / "d.sqlite"
    existing.write_bytes(b"precious")
    result = jointlead("demo", "--db", str(existing))
    assert result.returncode == 1
    assert "already exists" in result.stderr
    assert existing.read_bytes() == b"precious"


def test_check_exits_1_when_the_data_breaks_a_rule(demo_path):
    connection = sqlite3.connect(demo_path)
    a, b = (r[0] for r in connection.execute("SELECT id FROM person ORDER BY id LIMIT 2"))
    connection.execute("UPDATE reporting_line SET effective_to = '2000-01-01' WHERE kind = 'managerial' "
                       "AND person_id IN (?, ?)", (a, b))
    connection.executemany("INSERT INTO reporting_line (kind, person_id, lead_id, effective_from, note) "
                           "VALUES ('managerial', ?, ?, '2001-01-01', '')", [(a, b), (b, a)])
    connection.commit()
    connection.close()
    result = jointlead("check", "--db", str(demo_path))
    assert result.returncode == 1
    assert "error:" in result.stdout and "loop of managerial lines" in result.stdout


def test_check_explains_a_missing_database(tmp_path):
    result = jointlead("check", "--db", str(tmp_path / "nowhere.sqlite"))
    assert result.returncode == 1
    assert "There is no database at" in result.stderr
    assert "Traceback" not in result.stderr
    assert "File > " not in result.stderr  # the window's menus: not what to do at the command line


def test_backup_writes_a_verified_copy(demo_path, tmp_path):
    out = tmp_path / "copies" / "copy.sqlite"
    result = jointlead("backup", "--db", str(demo_path), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert integrity_problems(out) == []
    count = "SELECT count(*) FROM ledger_transaction"
    assert sqlite3.connect(out).execute(count).fetchone() == sqlite3.connect(demo_path).execute(count).fetchone()


def test_usage_errors_exit_2():
    assert jointlead("check").returncode == 2
    assert jointlead("frobnicate").returncode == 2


def test_version_and_help():
    assert jointlead("--version").stdout.startswith("jointlead ")
    assert "check" in jointlead("--help").stdout


def test_help_loads_neither_alembic_nor_openpyxl_nor_qt():
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "jointlead", "--help"],
                            capture_output=True, text=True, timeout=60)
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in result.stderr.splitlines()
                if line.startswith("import time:")}
    assert result.returncode == 0
    assert "jointlead" in imported
    assert not imported & {"alembic", "openpyxl", "PySide6", "sqlalchemy", "python_calamine"}


def demo_ledger_m8(folder: Path, demo_path: Path, *, bad_row: bool = False) -> Path:
    """An NFT extract for M8 (open in the demo) using the demo's own NFT ledger codes."""
    from exchange.hostile import write_csv

    connection = sqlite3.connect(demo_path)
    (centre, pattern), = connection.execute(
        "SELECT m.cost_centre, m.subjective_pattern FROM ledger_mapping m JOIN organisation o "
        "ON o.id = m.organisation_id WHERE o.code = 'NFT' ORDER BY m.id LIMIT 1").fetchall()
    connection.close()
    subjective = pattern.replace("*", "0")
    rows = [["Cost Centre", "Subjective", "Period", "Journal Line Ref", "Description", "Value £"],
            [centre, subjective, "M8", "JNL-X1", "Salaries Nov-26", "£1,234.50"],
            [centre, subjective, "M8", "JNL-X2", "Refund", "(34.50)"],
            ["C99999", "5000", "M8", "JNL-X3", "Unknown cost centre", "100"]]
    if bad_row:
        rows.append([centre, subjective, "M8", "JNL-X4", "Typo", "12.3.4"])
    return write_csv(folder / "NFT ledger M08.csv", rows)


def test_commands_that_only_read_run_while_a_window_has_the_database_open(demo_path, tmp_path):
    """The help and the README say a backup is safe while the database is in use: it was refused, as were check and
    export, because each took the window's in-use lock. A change still is refused, and says what to do."""
    extract = demo_ledger_m8(tmp_path, demo_path)
    window = open_database(demo_path)
    try:
        backup = jointlead("backup", "--db", str(demo_path), "--out", str(tmp_path / "copy.sqlite"))
        assert backup.returncode == 0, backup.stderr
        checked = jointlead("check", "--db", str(demo_path), "--as-at", "2026-11-20")
        assert checked.returncode == 0, checked.stderr
        exported = jointlead("export", "staff", "--db", str(demo_path), "--org", "NFT", "--out",
                             str(tmp_path / "staff.xlsx"))
        assert exported.returncode == 0, exported.stderr
        dry = jointlead("import", "ledger", str(extract), "--db", str(demo_path), "--partner", "NFT", "--dry-run")
        assert dry.returncode == 0 and "Dry run, nothing changed." in dry.stdout, dry.stderr
        applied = jointlead("import", "ledger", str(extract), "--db", str(demo_path), "--partner", "NFT")
    finally:
        window.close()
    assert applied.returncode == 1
    assert applied.stderr.splitlines() == [
        f"jointlead: {demo_path.name} is already open in another jointlead window.",
        "Close the database in that window, then run the command again. check, export, backup and import --dry-run "
        "only read, so they run while it is open."]
    assert integrity_problems(tmp_path / "copy.sqlite") == []


def test_a_backup_of_a_database_from_an_older_version_copies_it_as_it_is(tmp_path):
    """Backing up had upgraded the file first: the copy was not of the file as it was, and an older jointlead could
    no longer open either."""
    old = tmp_path / "old.sqlite"
    old.write_bytes((FIXTURES / "schema-0003.sqlite").read_bytes())
    before = old.read_bytes()
    result = jointlead("backup", "--db", str(old), "--out", str(tmp_path / "copy.sqlite"))
    assert result.returncode == 0, result.stderr
    assert old.read_bytes() == before
    revision = "SELECT version_num FROM alembic_version"
    assert sqlite3.connect(tmp_path / "copy.sqlite").execute(revision).fetchone() == ("0003",)


def test_a_command_that_upgrades_a_database_first_says_so_and_where_the_file_as_it_was_is_kept(tmp_path):
    old = tmp_path / "old.sqlite"
    old.write_bytes((FIXTURES / "schema-0003.sqlite").read_bytes())
    result = jointlead("check", "--db", str(old))
    assert "Traceback" not in result.stderr  # the fixture breaks a rule or two: exit 1 is the check's finding
    kept = next((tmp_path / "backups").glob("old-before-upgrade-from-0003-*.sqlite"))
    assert result.stdout.splitlines()[0] == (f"Upgraded old.sqlite from an older version of jointlead first; the file "
                                             f"as it was is kept at {kept}.")


def test_import_ledger_prints_counts_and_the_net_total(demo_path, tmp_path):
    extract = demo_ledger_m8(tmp_path, demo_path)
    dry = jointlead("import", "ledger", str(extract), "--db", str(demo_path), "--partner", "NFT", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "Dry run, nothing changed." in dry.stdout
    assert "3 added, 0 changed, 0 unchanged, 1 unmapped, 0 rejected" in dry.stdout
    assert "£1,300.00" in dry.stdout
    applied = jointlead("import", "ledger", str(extract), "--db", str(demo_path), "--partner", "NFT")
    assert applied.returncode == 0 and "Imported (batch" in applied.stdout
    again = jointlead("import", "ledger", str(extract), "--db", str(demo_path), "--org", "NFT")  # as exports say
    assert again.returncode == 0 and "Nothing to import" in again.stdout


def test_import_with_a_bad_row_exits_1_lists_the_cell_and_changes_nothing(demo_path, tmp_path):
    extract = demo_ledger_m8(tmp_path, demo_path, bad_row=True)
    before = demo_path.read_bytes()
    result = jointlead("import", "ledger", str(extract), "--db", str(demo_path), "--partner", "NFT")
    assert result.returncode == 1
    assert "rejected: 'NFT ledger M08'!F5: Amount: '12.3.4' is not an amount of money" in result.stdout
    assert demo_path.read_bytes() == before
    accepted = jointlead("import", "ledger", str(extract), "--db", str(demo_path), "--partner", "NFT",
                         "--accept-valid")
    assert accepted.returncode == 0
    assert (tmp_path / "NFT ledger M08 - rejected rows.xlsx").exists()


def test_an_import_with_many_bad_rows_lists_the_first_twenty_and_says_where_they_all_go(demo_path, tmp_path):
    """A file misread (a column of text where the amounts should be) rejects every row: thousands of lines."""
    from exchange.hostile import write_csv

    rows = list(csv.reader(demo_ledger_m8(tmp_path, demo_path).open(encoding="utf-8")))
    bad = [[*rows[1][:3], f"JNL-B{n}", "Typo", "12.3.4"] for n in range(25)]
    extract = write_csv(tmp_path / "NFT ledger M08 bad.csv", [rows[0], *bad])
    dry = jointlead("import", "ledger", str(extract), "--db", str(demo_path), "--partner", "NFT", "--dry-run")
    assert dry.stdout.count("rejected: ") == 20
    assert ("… and 5 more rejected rows: --accept-valid imports the rest and writes every rejected row, with its "
            "reasons, to a workbook beside the file") in dry.stdout


def test_an_import_applied_in_part_exits_0_when_its_rejected_rows_cannot_be_saved(demo_path, tmp_path):
    extract = demo_ledger_m8(tmp_path, demo_path, bad_row=True)
    squatter = tmp_path / "NFT ledger M08 - rejected rows.xlsx"  # someone's notes under the name it would use
    squatter.write_text("notes, not a workbook")
    accepted = jointlead("import", "ledger", str(extract), "--db", str(demo_path), "--partner", "NFT",
                         "--accept-valid")
    assert accepted.returncode == 0 and "Imported (batch" in accepted.stdout  # was exit 1 after importing
    assert "rejected: 'NFT ledger M08'!F5" in accepted.stdout
    assert accepted.stderr.startswith("jointlead: NFT ledger M08 - rejected rows.xlsx is there already and is not")
    assert "The rejected rows are listed below instead." in accepted.stderr
    assert squatter.read_text() == "notes, not a workbook"


def test_import_refuses_a_hostile_file_with_one_line_and_exit_1(demo_path, tmp_path):
    from exchange.hostile import password_protected_xlsx

    result = jointlead("import", "staff", str(password_protected_xlsx(tmp_path)), "--db", str(demo_path),
                       "--org", "NCC")  # --employer's other name
    assert result.returncode == 1
    assert "This workbook is password-protected." in result.stderr
    assert "Traceback" not in result.stderr


def test_import_usage_errors_exit_2(demo_path, tmp_path):
    extract = demo_ledger_m8(tmp_path, demo_path)
    bad_map = jointlead("import", "ledger", str(extract), "--db", str(demo_path), "--partner", "NFT",
                        "--map", "amount")
    assert bad_map.returncode == 2 and "--map takes FIELD=HEADER" in bad_map.stderr
    bad_year = jointlead("import", "ledger", str(extract), "--db", str(demo_path), "--partner", "NFT",
                         "--fy", "2026")
    assert bad_year.returncode == 2
    assert jointlead("import", "ledger", str(extract), "--db", str(demo_path)).returncode == 2


def test_export_staff_writes_the_employers_people(demo_path, tmp_path):
    import openpyxl

    out = tmp_path / "NCC staff.xlsx"
    result = jointlead("export", "staff", "--db", str(demo_path), "--org", "NCC", "--out", str(out))
    assert result.returncode == 0, result.stderr
    sheet = openpyxl.load_workbook(out)["Staff"]
    assert sheet["A1"].value == "Employee number"
    assert all(str(sheet.cell(row, 1).value).startswith("P") for row in range(2, sheet.max_row + 1))


def test_import_refuses_to_run_without_the_xml_defences(demo_path, tmp_path, monkeypatch):
    from exchange.hostile import messy_ledger_xlsx
    from jointlead import cli
    from jointlead.exchange import safety

    monkeypatch.setattr(safety, "find_spec", lambda name: None)
    code = cli.main(["import", "ledger", str(messy_ledger_xlsx(tmp_path)), "--db", str(demo_path),
                     "--partner", "NCC", "--dry-run"])
    assert code == 1


def test_the_window_starts_without_loading_spreadsheet_readers_or_migrations():
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", "import jointlead.ui.main_window"],
                            capture_output=True, text=True, timeout=60,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in result.stderr.splitlines()
                if line.startswith("import time:")}
    assert result.returncode == 0 and "PySide6" in imported
    assert not imported & {"alembic", "openpyxl", "python_calamine"}


def test_erase_person_names_an_unknown_employer_code_and_previews_with_exit_0(demo_path):
    """An unknown code was reported as "Nobody at XXX has the employee number ...", and a preview exited 1, which
    the help calls rejected: an import's --dry-run exits 0 when nothing is wrong."""
    common = ("erase-person", "--db", str(demo_path), "--employee-number", "23618365", "--reason", "ER-7")
    unknown = jointlead(*common, "--employer", "XXX")
    assert unknown.returncode == 1
    assert unknown.stderr.splitlines() == ["jointlead: XXX is not the code of an organisation in this database.",
                                           "The codes are NCC and NFT."]
    previewed = jointlead(*common, "--employer", "NFT")
    assert previewed.returncode == 0, previewed.stderr
    assert "Would erase Emma White" in previewed.stdout and "Nothing was changed" in previewed.stdout
