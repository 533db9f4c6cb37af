"""The `jointlead` command: opens the window, or runs one verb (demo, check, backup) over the same services."""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from jointlead import __version__

log = logging.getLogger("jointlead.cli")

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jointlead",
        description="The joint general manager's record of pooled budgets, reporting lines, supervision and "
                    "actions. With no command, opens the window.",
        epilog="Exit codes: 0 done, 1 the input or database was rejected (nothing changed), 2 usage error.",
    )
    parser.add_argument("--version", action="version", version=f"jointlead {__version__}")
    parser.add_argument("--db", type=_database, metavar="PATH|URL", help="open this database in the window")
    parser.add_argument("--demo", action="store_true",
                        help="open the demo database in the window, creating it first if needed")
    parser.add_argument("--exit-when-ready", action="store_true",
                        help="open the window on the database, wait until the dashboard shows its figures, and exit: "
                             "0 if it did, 1 if not (for checking an installation)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser("demo", help="create the fictional demo service in a new database file",
                               description="Create 'Northshire Integrated Mental Health Service', a realistic "
                                           "fictional service, in a new database file. The same command always "
                                           "gives the same content.")
    demo.add_argument("--db", type=Path, required=True, metavar="PATH", help="the new database file to create")

    check = commands.add_parser("check", help="check integrity and data quality; exit 1 on any error",
                                description="Run SQLite's integrity check and jointlead's data-quality rules. "
                                            "Prints one finding per line; exits 1 if any is an error.")
    check.add_argument("--db", type=_database, required=True, metavar="PATH|URL", help="the database to check")
    check.add_argument("--as-at", type=date.fromisoformat, metavar="YYYY-MM-DD",
                       help="judge dated rules as at this day (default: today)")

    backup = commands.add_parser("backup", help="save a verified copy of a database",
                                 description="Copy the database with SQLite's backup API (safe while it is in use, "
                                             "even open in a window) and verify the copy with an integrity check. A "
                                             "database from an older version is copied as it is, not upgraded.")
    backup.add_argument("--db", type=Path, required=True, metavar="PATH", help="the database to copy")
    backup.add_argument("--out", type=Path, required=True, metavar="FILE", help="where to write the copy")
    restore = commands.add_parser(
        "restore", help="put a backup in place of a database's data",
        description="Replace everything in the database with a backup of it (a verified copy is put in its place). "
                    "The data it replaces is kept first as a copy in the backups folder beside it. Refused while a "
                    "window has the database open. Without --yes, says what restoring would undo (erasures of people "
                    "made since the backup was made) and changes nothing.")
    restore.add_argument("--db", type=Path, required=True, metavar="PATH", help="the database to restore over")
    restore.add_argument("--from", dest="backup", type=Path, required=True, metavar="FILE",
                         help="the backup to restore (a .sqlite file, e.g. from the backups folder)")
    restore.add_argument("--yes", action="store_true", help="really restore it")
    erase = commands.add_parser(
        "erase-person", help="erase a person for data protection: every trace, for good",
        description="Erase one person and everything that names them (lines, supervision, action ownership, their "
                    "name and numbers in every table and in the audit log), leaving one audit entry that says a "
                    "person was erased, when and why. It cannot be undone. Copies of the database made before "
                    "(backups, File > Save a copy, jointlead backup) still hold them, and restoring one brings them "
                    "back: it lists those it can find, and those it recorded that cannot be found now, to delete or "
                    "keep as your retention rules allow. Without --yes, says what would go and changes nothing "
                    "(exit 0, as an import's --dry-run).")
    erase.add_argument("--db", type=_database, required=True, metavar="PATH|URL",
                       help="the database to erase them from")
    erase.add_argument("--employer", required=True, metavar="CODE", help="their employer's code, e.g. NFT")
    erase.add_argument("--employee-number", required=True, metavar="N", help="their employee number there")
    erase.add_argument("--reason", required=True, metavar="TEXT",
                       help="why, e.g. the erasure request's reference (do not write their name: it is erased)")
    erase.add_argument("--yes", action="store_true", help="really erase them")
    copy = commands.add_parser(
        "copy", help="copy a database into a new, empty one: a SQLite file onto a shared PostgreSQL server",
        description="Copy every row of a database into a new one, in one transaction, checked row for row: how a "
                    "team moves its SQLite file onto a shared PostgreSQL server (docs/shared-server.md). The "
                    "source is only read, but one from an older version of jointlead is upgraded first, after a "
                    "verified copy of it is kept in the backups folder beside it. The target must be an empty server "
                    "database or a file not there yet.")
    copy.add_argument("--from", dest="source", type=_database, required=True, metavar="SQLITE",
                      help="the database to copy (usually your .sqlite file)")
    copy.add_argument("--to", dest="target", type=_database, required=True, metavar="URL",
                      help="where the copy goes: postgresql://USER@HOST:PORT/DATABASE, or a new file")
    _add_exchange_commands(commands)
    return parser


def _database(text: str) -> Path | str:
    """--db: a database file, or a shared database's address on a PostgreSQL server (postgresql://…)."""
    from jointlead.store.addresses import is_server_address

    return text if is_server_address(text) else Path(text)


def _open(target: Path | str, *, only_reading: bool = False):
    """The database a command works on (a `store.database.Database`); if it had to be upgraded first, say so, and
    where the file as it was is kept. `only_reading`: the command only reads, so it may run while a window has the
    file open."""
    from jointlead.services.files import open_existing

    database = open_existing(target, only_reading=only_reading)
    if database.upgrade_backup is not None:
        print(f"Upgraded {database.name} from an older version of jointlead first; the file as it was is kept at "
              f"{database.upgrade_backup}.")
    return database


def _usage_error(message: str) -> SystemExit:
    print(f"jointlead: {message}", file=sys.stderr)
    return SystemExit(EXIT_USAGE)


def _mapping(pairs: list[str]) -> dict[str, str]:
    """--map FIELD=HEADER, each; FIELD= (no header) says the file has no column for the field, or that the one
    that seems to be it is not to be read."""
    mapping = {}
    for pair in pairs:
        name, sep, header = pair.partition("=")
        if not sep or not name.strip():
            raise _usage_error(f"--map takes FIELD=HEADER, for example --map amount='Value £', not '{pair}'")
        mapping[name.strip()] = header.strip()
    return mapping


def _add_exchange_commands(commands) -> None:
    importing = commands.add_parser("import", help="import a ledger extract, a staff list or a supervision tracker "
                                                   "(previewed, all or nothing)")
    kinds = importing.add_subparsers(dest="kind", metavar="KIND", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("file", type=Path, metavar="FILE", help=".xlsx, .xlsm, .xls, .ods or .csv")
    common.add_argument("--db", type=_database, required=True, metavar="PATH|URL", help="the database to import into")
    common.add_argument("--map", action="append", default=[], metavar="FIELD=HEADER",
                        help="say which column holds a field when its header is not recognised, or FIELD= for "
                             "none: the file's column is not to be read as it (repeatable)")
    common.add_argument("--sheet", metavar="NAME", help="read this sheet (default: the one that fits best)")
    common.add_argument("--dry-run", action="store_true", help="show what would change and change nothing")
    common.add_argument("--accept-valid", action="store_true",
                        help="import the valid rows and write the rejected ones, with reasons, to a workbook")
    ledger = _import_command(kinds, common, "ledger", "a partner's monthly ledger extract",
                             "Import a partner's ledger actuals. Rows are matched to budget lines by the lines' "
                             "ledger codes; rows that match none are kept as unmapped.")
    # --org as well, as every export names the organisation that way.
    ledger.add_argument("--partner", "--org", dest="partner", required=True, metavar="CODE",
                        help="whose ledger it is, e.g. NFT")
    ledger.add_argument("--fy", metavar="2026-27", help="the financial year (default: the year now being reported)")
    ledger.add_argument("--yes", action="store_true",
                        help="import it even though it looks like another partner's extract (its codes match "
                             "theirs): the preview says what it would add and remove")
    staff = _import_command(kinds, common, "staff", "an HR or payroll staff list",
                            "Import an ESR-style or council payroll staff list. People are matched on employer and "
                            "employee number; people missing from the list are flagged as possible leavers, never "
                            "deleted. 'Line manager' and 'Professional lead' columns, when present, change lines "
                            "from the day of the import (by employee number or by name).")
    staff.add_argument("--employer", "--org", dest="employer", required=True, metavar="CODE",
                       help="whose staff list it is, e.g. NCC")
    _import_command(kinds, common, "supervision", "a supervision tracker (sessions held, cancelled or missed)",
                    "Import the sessions in a supervision tracker: supervisee (employee number or name), "
                    "supervisor, type, date, duration and status. People of either organisation can be in it; a "
                    "session already recorded (same supervisee, type, date and supervisor) is not added again.")

    tracker = kinds.add_parser(
        "actions", help="an action tracker returned by its owner (previewed, all or nothing)",
        description="Import an action tracker that jointlead exported, with the owner's new updates, statuses, due "
                    "dates and new actions. An action changed here since the export is a conflict: the app lets you "
                    "decide each one; here a conflict stops the import unless --accept-valid, which rejects it.")
    tracker.add_argument("file", type=Path, metavar="FILE", help="the returned tracker (.xlsx)")
    tracker.add_argument("--db", type=_database, required=True, metavar="PATH|URL",
                         help="the database it was exported from")
    tracker.add_argument("--dry-run", action="store_true", help="show what would change and change nothing")
    tracker.add_argument("--accept-valid", action="store_true",
                         help="import the rest: rows with problems are left out and conflicting changes rejected")

    exporting = commands.add_parser("export", help="write a workbook for a parent organisation")
    exports = exporting.add_subparsers(dest="kind", metavar="KIND", required=True)
    actions_export = exports.add_parser(
        "actions", help="an action tracker for an organisation or an owner, to update and send back",
        description="Write an action tracker: the open actions of one organisation or one owner, with columns for "
                    "a new update, a new status (a drop-down), and a new due date with its reason. Import it back "
                    "with 'jointlead import actions' once the owner has filled it in.")
    actions_export.add_argument("--db", type=_database, required=True, metavar="PATH|URL")
    whose = actions_export.add_mutually_exclusive_group(required=True)
    whose.add_argument("--org", metavar="CODE", help="the organisation whose actions it holds, e.g. NFT")
    whose.add_argument("--owner", metavar="NAME", help="the owner whose actions it holds, e.g. 'Lucy Roberts'")
    actions_export.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx")
    _export_command(exports, "staff", "staff with both reporting lines, for one employer",
                    "the employing organisation, e.g. NFT")
    budget_export = _export_command(
        exports, "budget", "the pooled budget's monthly monitoring workbook, for one partner",
        "the partner it is for, e.g. NCC",
        "Write the budget monitoring workbook for one partner: summary, variance with RAG, lines by month, the risk "
        "share step by step, virements, unmapped ledger rows, and a checklist of what is incomplete. A period not "
        "yet closed may be chosen; the checklist then says so.")
    budget_export.add_argument("--as-at", type=_period_number, metavar="M7",
                               help="the period the figures are as at (default: the last one closed)")
    budget_export.add_argument("--fy", metavar="2026-27",
                               help="the financial year (default: the last closed period's; with --as-at alone, "
                                    "the year the pool is in)")
    people_export = _export_command(
        exports, "people", "people and both reporting lines, with findings, for one employer",
        "the employing organisation, e.g. NFT",
        "Write 'People and lines' for one employing organisation: everyone in post on the as-at date with their "
        "line manager and professional lead (each with their organisation and since when), and the findings about "
        "them: a missing line, a lead of another profession or who has left, a manager over the span of control, "
        "an HR extract naming another supervisor.")
    people_export.add_argument("--as-at", type=_iso_day, metavar="YYYY-MM-DD",
                               help="the day the lines are as at (default: today)")
    supervision_export = _export_command(
        exports, "supervision", "supervision compliance for the people one organisation employs",
        "the employing organisation, e.g. NCC",
        "Write 'Supervision compliance' for one employing organisation: a summary against the target, breakdowns "
        "by team and profession, the monthly trend, and each arrangement with its last and next dates. Never what "
        "was discussed.")
    supervision_export.add_argument("--as-at", type=_iso_day, metavar="YYYY-MM-DD",
                                     help="the day compliance is as at (default: today)")
    pack_export = _export_command(
        exports, "pack", "the monthly pack for one partner: budget, people, supervision, actions and charts",
        "the partner it is for, e.g. NFT",
        "Write the monthly parent-organisation pack: a cover with a checklist of what is incomplete, the partner's "
        "budget position and risk share step by step, the budget lines, its people with both reporting lines, "
        "supervision compliance for its staff, the actions it owns, and charts of the budget burn and the "
        "compliance trend. People, supervision and actions are as on today, or on the day --on names.")
    pack_export.add_argument("--as-at", type=_period_number, metavar="M7",
                             help="the period the budget is as at (default: the last one closed)")
    pack_export.add_argument("--fy", metavar="2026-27",
                             help="the financial year of the budget (default: the last closed period's; with --as-at "
                                  "alone, the year the pool is in)")
    pack_export.add_argument("--on", type=_iso_day, metavar="YYYY-MM-DD",
                             help="the day people, supervision and actions are as on, e.g. a board's date "
                                  "(default: today)")


def _import_command(kinds, common: argparse.ArgumentParser, name: str, summary: str, description: str
                    ) -> argparse.ArgumentParser:
    """An import subcommand with what every import takes: the file, the database, --map, --sheet, --dry-run and
    --accept-valid."""
    return kinds.add_parser(name, parents=[common], help=summary, description=description)


def _export_command(exports, name: str, summary: str, org_help: str, description: str | None = None
                    ) -> argparse.ArgumentParser:
    """An export subcommand with what every export takes: the database, whose workbook it is, and where to write."""
    command = exports.add_parser(name, help=summary, description=description)
    command.add_argument("--db", type=_database, required=True, metavar="PATH|URL")
    command.add_argument("--org", required=True, metavar="CODE", help=org_help)
    command.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx")
    return command


def _iso_day(text: str) -> date:
    """`2026-11-20` as a date; anything else is a usage error."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date: write it as YYYY-MM-DD, e.g. 2026-11-20") from None


def _period_number(text: str) -> int:
    """`M7` (or `m7`, `7`) as 7; anything else is a usage error."""
    digits = text.strip().upper().removeprefix("M")
    if not digits.isdigit() or not 1 <= int(digits) <= 12:
        raise argparse.ArgumentTypeError(f"'{text}' is not a period: write M1 (April) to M12 (March)")
    return int(digits)


def _import_actions(args: argparse.Namespace) -> int:
    from jointlead.services.action_tracker import apply_tracker_import, preview_tracker_import
    from jointlead.services.picture import count

    database = _open(args.db, only_reading=args.dry_run)
    try:
        preview = preview_tracker_import(database, args.file)
        for notice in preview.notices:
            print(f"note: {notice}")
        for problem in preview.problems:
            print(f"problem: {problem}")
        for review in preview.reviews:
            print(f"{review.reference or f'New action (row {review.row})'}: {review.title}")
            for change in review.changes:
                print(f"  {change.kind.value}: {change.summary}")
            if review.conflict:
                print(f"  conflict: {review.conflict}")
        counts = (f"{count(preview.rows_read, 'row', 'rows')} read from {preview.sheet}: "
                  f"{count(len(preview.changes), 'change', 'changes')} to "
                  f"{count(len(preview.reviews), 'action', 'actions')}, {len(preview.changed_here)} in conflict, "
                  f"{count(preview.rows_with_problems, 'row', 'rows')} with problems.")
        if args.dry_run:
            print(f"Dry run, nothing changed. {counts}")
            return EXIT_REJECTED if preview.problems or preview.changed_here else EXIT_OK
        if (preview.problems or preview.changed_here) and not args.accept_valid:
            print(f"Nothing was imported. {counts}")
            print("Correct the rows with problems and import the file again, decide the conflicts in the app's "
                  "import preview, or use --accept-valid to import the rest (rows with problems left out, "
                  "conflicting changes rejected).")
            return EXIT_REJECTED
        # The command line cannot ask about each conflict, so the record here wins; the app lets a person decide.
        result = apply_tracker_import(database, preview, decisions={c.key: False for c in preview.conflicts},
                                      accept_valid=args.accept_valid)
        for change in result.rejected:
            print(f"rejected: {change.key}: {change.unless_accepted or 'changed here since the export.'}")
        if result.edit is None:
            print(f"Nothing to import. {counts}")
        elif not result.applied:
            print(f"Every change was rejected, and that is remembered (batch {result.batch_id}): sent again, they "
                  f"are rejected again unless accepted in the app. {counts}")
        else:
            new = f" New actions: {', '.join(result.new_references)}." if result.new_references else ""
            applied = count(len(result.applied), "change", "changes")
            print(f"Imported {applied} (batch {result.batch_id}).{new} {counts}")
        return EXIT_OK
    finally:
        database.close()


def _financial_year(args: argparse.Namespace):
    """The year --fy names (None without one), or a usage error saying what is wrong with it."""
    from jointlead.domain.calendar import FinancialYear

    if not getattr(args, "fy", None):
        return None
    try:
        return FinancialYear.parse(args.fy)
    except ValueError as error:
        raise _usage_error(str(error)) from error


LISTED = 20  # changed, removed and rejected rows a preview lists before "and N more"


def _list_changes(label: str, changes, *, many: str | None = None, placed: bool = True) -> None:
    """The first LISTED of a preview's changes, one a line as `import actions` lists its own, then how many more
    (`many`: the label for more than one); `placed`: each has its row in the file to name (a removed row has none)."""
    for change in changes[:LISTED]:
        print(f"{label}: {f'{change.reference} ' if placed else ''}{change.subject}: {change.detail}")
    if len(changes) > LISTED:
        print(f"  … and {len(changes) - LISTED:,} more {many or label}")


def _list_rejected(rejected, *, every: bool = False) -> None:
    """Each rejected row's problems, the first LISTED rows of them unless `every`, then how many more and where
    they all are: a whole month of a file misread would otherwise be thousands of lines."""
    for row in rejected if every else rejected[:LISTED]:
        for problem in row.problems:
            print(f"rejected: {problem if '!' in problem else f'{row.reference}: {problem}'}")
    if not every and len(rejected) > LISTED:
        print(f"  … and {len(rejected) - LISTED:,} more rejected rows: --accept-valid imports the rest and writes "
              "every rejected row, with its reasons, to a workbook beside the file")


def _import(args: argparse.Namespace) -> int:
    if args.kind == "actions":  # a tracker has no --map, --sheet or organisation: it is jointlead's own
        return _import_actions(args)
    from jointlead.domain.errors import JointleadError
    from jointlead.services import imports
    from jointlead.services.exports import write_rejected_rows
    from jointlead.services.picture import count

    overrides = _mapping(args.map)
    year = _financial_year(args)
    database = _open(args.db, only_reading=args.dry_run)
    try:
        if args.kind == "ledger":
            preview = imports.preview_ledger_import(database, args.file, args.partner, year=year,
                                                    overrides=overrides, sheet=args.sheet)
        elif args.kind == "supervision":
            preview = imports.preview_supervision_import(database, args.file, overrides=overrides,
                                                         sheet=args.sheet)
        else:
            preview = imports.preview_staff_import(database, args.file, args.employer, overrides=overrides,
                                                   sheet=args.sheet)
        for notice in preview.notices:
            print(f"note: {notice}")
        _list_rejected(preview.rejected)
        _list_changes("changed", preview.changed)
        if args.kind == "ledger":
            _list_changes("removed", preview.removed, placed=False)
        else:
            _list_changes("possible leaver", preview.removed, many="possible leavers", placed=False)
        if preview.partner_warning:
            print(f"warning: {preview.partner_warning}")
        into = f" into {preview.period_label}" if preview.period_label else ""
        counts = (f"{count(preview.rows_read, 'row', 'rows')} read from {preview.sheet}{into}: "
                  f"{len(preview.added)} added, {len(preview.changed)} changed, {preview.unchanged} unchanged, ")
        if args.kind == "supervision":
            counts += f"{len(preview.rejected)} rejected."  # a tracker removes nothing and has no codes to map
        else:
            counts += (f"{preview.unmapped} unmapped, {len(preview.rejected)} rejected, {len(preview.removed)} "
                       f"{'removed' if args.kind == 'ledger' else 'flagged as possible leavers'}.")
        if total := imports.net_total_in_words(preview):
            counts += f" {total}"
        doubted = bool(preview.partner_warning) and not getattr(args, "yes", False)
        if args.dry_run:
            print(f"Dry run, nothing changed. {counts}")
            return EXIT_REJECTED if preview.rejected or doubted else EXIT_OK
        if doubted:
            print(f"Nothing was imported. {counts}")
            print(f"Check whose extract it is (see the warning above). If it is {preview.organisation}'s all the "
                  "same, run the import again with --yes; otherwise import it with --partner set to the partner "
                  "whose it is.")
            return EXIT_REJECTED
        if preview.rejected and not args.accept_valid:
            print(f"Nothing was imported. {counts}")
            print("Fix the file and import it again, or use --accept-valid to import only the valid rows.")
            return EXIT_REJECTED
        if preview.partner_warning:
            preview = imports.with_partner_confirmed(preview)
        result = imports.apply_import(database, preview, accept_valid=args.accept_valid)
        if result.batch_id is None and preview.differs_in_closed_months:
            print(f"Nothing was imported: what differs from the record is in closed months (see the notes above). "
                  f"{counts}")
        elif result.batch_id is None:
            print(f"Nothing to import: every row is already recorded. {counts}")
        else:
            print(f"Imported (batch {result.batch_id}). {counts}")
        if preview.rejected:
            out = args.file.with_name(f"{args.file.stem} - rejected rows.xlsx")
            try:
                write_rejected_rows(database, preview, out)
            except JointleadError as error:  # the import itself is recorded: its exit code says so
                print(f"jointlead: {error.message} The rejected rows are listed below instead.", file=sys.stderr)
                _list_rejected(preview.rejected, every=True)
            else:
                print(f"The rejected rows, with reasons, are in {out}")
        return EXIT_OK
    finally:
        database.close()


def _export_writer(args: argparse.Namespace) -> tuple[Callable[..., Any], dict[str, Any], str]:
    """The service that writes this kind of workbook, what it takes besides the organisation, and what it wrote."""
    if args.kind == "actions":
        from jointlead.services.action_tracker import export_action_tracker

        def tracker(database, organisation, out, *, owner):
            return export_action_tracker(database, out, organisation=organisation, owner=owner)

        return tracker, {"owner": args.owner}, "the action tracker ({} open actions)"
    if args.kind == "budget":
        from jointlead.services.exports import export_budget

        options = {"as_at": args.as_at, "year": _financial_year(args)}
        return export_budget, options, "the budget monitoring workbook ({} budget lines)"
    if args.kind == "pack":
        from jointlead.services.packs import export_pack

        options = {"as_at": args.as_at, "year": _financial_year(args), "today": args.on}
        return export_pack, options, "the monthly pack ({} table rows)"
    if args.kind == "people":
        from jointlead.services.exports import export_people

        return export_people, {"as_at": args.as_at}, "people and lines ({} people)"
    if args.kind == "supervision":
        from jointlead.services.supervision_export import export_supervision

        return export_supervision, {"as_at": args.as_at}, "supervision compliance ({} rows)"
    from jointlead.services.exports import export_staff

    return export_staff, {}, "{} rows"


def _export(args: argparse.Namespace) -> int:
    writer, options, wrote = _export_writer(args)
    database = _open(args.db, only_reading=True)
    try:
        result = writer(database, args.org, args.out, **options)
    finally:
        database.close()
    print(f"Wrote {wrote.format(result.rows)} to {result.path}.")
    return EXIT_OK


def _demo(args: argparse.Namespace) -> int:
    from jointlead.services.files import create_demo

    demo = create_demo(args.db)
    demo.database.close()
    summary = demo.summary
    print(f"Created the demo service in {args.db}: {summary.people} people, {summary.budget_lines} budget lines, "
          f"{summary.transactions} ledger transactions, {summary.actions} actions.")
    if demo.extracts:
        print(f"Next month's ledger extracts, one from each partner, to try the monthly import with: "
              f"{', '.join(path.name for path in demo.extracts)} in {demo.extracts[0].parent}.")
    else:
        print(demo.extracts_not_written, file=sys.stderr)
    return EXIT_OK


def _copy(args: argparse.Namespace) -> int:
    from jointlead.domain.money import format_money
    from jointlead.services.files import copy_to

    report = copy_to(args.source, args.target)
    print(f"Copied {report.total_rows:,} rows in {len(report.rows)} tables to {report.target}, every row checked; "
          f"the ledger's net total is {format_money(report.ledger_pence)} on both sides.")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from jointlead.services.check import check

    database = _open(args.db, only_reading=True)
    try:
        report = check(database, args.as_at or date.today())
    finally:
        database.close()
    for finding in report.findings:
        print(f"{finding.severity.value}: {finding.message}")
    print(f"{len(report.errors)} errors, {len(report.warnings)} warnings.")
    return EXIT_REJECTED if report.errors else EXIT_OK


def _backup(args: argparse.Namespace) -> int:
    from jointlead.services.files import back_up

    saved = back_up(args.db, args.out)
    print(f"Saved a verified copy to {saved.path}.")
    if saved.unrecorded:
        print(saved.unrecorded)
    return EXIT_OK


def _restore(args: argparse.Namespace) -> int:
    from jointlead.services import files

    if not args.yes:
        preview = files.restore_preview(args.db, args.backup)
        print(f"Would replace everything in {args.db.name} with the copy in {args.backup}; the data there now "
              "would be kept first as a copy in the backups folder beside it.")
        if preview.latest_change_words():
            print(preview.latest_change_words())
        if preview.erasures_warning():
            print(preview.erasures_warning())
        if files.open_in_a_window(args.db):
            print(f"{args.db.name} is open in a jointlead window now: close it there first, or --yes will be refused.")
        print("Nothing was changed: run again with --yes to restore it.")
        return EXIT_OK  # a preview, as import --dry-run and erase-person without --yes: nothing was rejected
    restored = files.restore_backup(args.db, args.backup)
    database = files.open_restored(restored)
    upgraded = database.upgrade_backup is not None
    database.close()
    print(f"Restored {args.backup.name} over {args.db.name}"
          f"{'; it was from an older version and has been upgraded' if upgraded else ''}"
          f"{f'; the data it replaced is kept at {restored.kept}' if restored.kept else ''}.")
    if restored.preview.erasures_warning():
        print(restored.preview.erasures_warning())
    return EXIT_OK


def _erase_person(args: argparse.Namespace) -> int:
    from jointlead.services import erasure

    database = _open(args.db)
    try:
        person_id = erasure.find_person(database, args.employer, args.employee_number)
        if not args.yes:
            preview = erasure.erasure_preview(database, person_id, date.today())
            print(f"Would erase {preview.full_name} ({preview.employer} {preview.employee_number}): "
                  f"{preview.own_lines} of their own reporting lines, the lines to them of {len(preview.reports)} "
                  f"others, {preview.arrangements} supervision arrangements and {preview.sessions} sessions of "
                  f"theirs; {len(preview.supervising)} arrangements and {preview.sessions_given} sessions they "
                  f"supervise lose their supervisor; {preview.actions} actions they own lose their owner.")
            for note in preview.copies_notes():
                print(note)
            print("This cannot be undone. Nothing was changed: run again with --yes to erase them.")
            return EXIT_OK
        report = erasure.erase_person(database, person_id, reason=args.reason, today=date.today())
    finally:
        database.close()
    print(f"Erased: {report.rows_removed_total} rows removed, {sum(n for _c, n in report.references_cleared)} "
          f"references cleared, {report.text_values_scrubbed} text values and {report.audit_entries_scrubbed} audit "
          "entries scrubbed.")
    if report.left_without_lead:
        print("Now without a lead: " + ", ".join(report.left_without_lead) + ".")
    if report.compaction_note():
        print(report.compaction_note())
    for note in report.copies_notes():
        print(note)
    return EXIT_OK


def _exit_when_ready(args: argparse.Namespace) -> int:
    """Start the window as `jointlead --db PATH` (or `--demo`) does, but never ask anything: exit once the dashboard
    has painted its figures. An installation that cannot read workbooks safely does not count as ready."""
    from jointlead.domain.errors import JointleadError
    from jointlead.exchange.safety import check_xml_defences
    from jointlead.logs import configure_logging
    from jointlead.paths import default_database, demo_database

    log_path = configure_logging()
    try:
        check_xml_defences()
    except JointleadError as error:
        print(f"jointlead: {error.message}", file=sys.stderr)
        return EXIT_REJECTED
    path = demo_database() if args.demo else args.db or default_database()
    from jointlead.app import load_before_qt

    load_before_qt()
    from jointlead.ui.application import run_until_ready

    def opener():
        from jointlead.services import files

        return files.open_or_create_demo(path) if args.demo else files.open_existing(path)

    try:
        return run_until_ready(opener, log_path, database_path=path if isinstance(path, Path) else None)
    except Exception:
        log.exception("Unexpected error before the window was ready")
        print(f"jointlead: something unexpected went wrong. Details are in {log_path}.", file=sys.stderr)
        return EXIT_REJECTED


COMMANDS = {"demo": _demo, "check": _check, "backup": _backup, "restore": _restore, "import": _import,
            "export": _export, "erase-person": _erase_person, "copy": _copy}


def _command_line_advice(error) -> str:
    """What to do about `error` (a JointleadError), said for the command line where it was written for the window."""
    from jointlead.store.errors import DatabaseInUse, DatabaseMissing

    if isinstance(error, DatabaseMissing):
        return "Check the path given to --db. jointlead demo --db PATH creates the demo service in a new file."
    if isinstance(error, DatabaseInUse):
        return ("Close the database in that window, then run the command again. check, export, backup and import "
                "--dry-run only read, so they run while it is open.")
    return error.advice


def main(argv: list[str] | None = None) -> int:
    # A frozen app starts its workbook-reading child process through here (multiprocessing's spawn): let it go.
    multiprocessing.freeze_support()
    args = _parser().parse_args(argv)
    if args.command is None:
        if args.exit_when_ready:
            return _exit_when_ready(args)
        from jointlead.app import run_gui  # Qt is loaded only when a window is wanted

        return run_gui(database=args.db, demo=args.demo)
    if args.exit_when_ready:
        raise _usage_error("--exit-when-ready is for the window: use it without a command, e.g. "
                           "jointlead --db PATH --exit-when-ready")

    from jointlead.domain.errors import JointleadError
    from jointlead.logs import configure_logging

    log_path = configure_logging()
    try:
        if args.command in ("import", "export"):
            from jointlead.exchange.safety import check_xml_defences

            check_xml_defences()
        return COMMANDS[args.command](args)
    except JointleadError as error:
        print(f"jointlead: {error.message}", file=sys.stderr)
        advice = _command_line_advice(error)
        if advice:
            print(advice, file=sys.stderr)
        return EXIT_REJECTED
    except Exception:
        log.exception("Unexpected error in the %s command", args.command)
        print(f"jointlead: something unexpected went wrong. Details are in {log_path}. A change still in progress "
              "was rolled back; anything reported above as done stays done.", file=sys.stderr)
        return EXIT_REJECTED
