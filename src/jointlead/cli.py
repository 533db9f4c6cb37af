"""The `jointlead` command: opens the window, or runs one verb (demo, check, backup) over the same services."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import date
from pathlib import Path

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
    parser.add_argument("--db", type=Path, metavar="PATH", help="open this database in the window")
    parser.add_argument("--demo", action="store_true",
                        help="open the demo database in the window, creating it first if needed")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser("demo", help="create the fictional demo service in a new database file",
                               description="Create 'Northshire Integrated Mental Health Service', a realistic "
                                           "fictional service, in a new database file. The same command always "
                                           "gives the same content.")
    demo.add_argument("--db", type=Path, required=True, metavar="PATH", help="the new database file to create")

    check = commands.add_parser("check", help="check integrity and data quality; exit 1 on any error",
                                description="Run SQLite's integrity check and jointlead's data-quality rules. "
                                            "Prints one finding per line; exits 1 if any is an error.")
    check.add_argument("--db", type=Path, required=True, metavar="PATH", help="the database to check")
    check.add_argument("--as-at", type=date.fromisoformat, metavar="YYYY-MM-DD",
                       help="judge dated rules as at this day (default: today)")

    backup = commands.add_parser("backup", help="save a verified copy of a database",
                                 description="Copy the database with SQLite's backup API (safe while it is in use) "
                                             "and verify the copy with an integrity check.")
    backup.add_argument("--db", type=Path, required=True, metavar="PATH", help="the database to copy")
    backup.add_argument("--out", type=Path, required=True, metavar="FILE", help="where to write the copy")
    return parser


def _demo(args: argparse.Namespace) -> int:
    from jointlead.services.demo import create_demo_service
    from jointlead.services.files import create_empty

    database = create_empty(args.db)
    try:
        summary = create_demo_service(database)
    except BaseException:
        database.close()
        args.db.unlink(missing_ok=True)
        raise
    database.close()
    print(f"Created the demo service in {args.db}: {summary.people} people, {summary.budget_lines} budget lines, "
          f"{summary.transactions} ledger transactions, {summary.actions} actions.")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from jointlead.services.check import check
    from jointlead.services.files import open_existing

    database = open_existing(args.db)
    try:
        report = check(database, args.as_at or date.today())
    finally:
        database.close()
    for finding in report.findings:
        print(f"{finding.severity.value}: {finding.message}")
    print(f"{len(report.errors)} errors, {len(report.warnings)} warnings.")
    return EXIT_REJECTED if report.errors else EXIT_OK


def _backup(args: argparse.Namespace) -> int:
    from jointlead.services.files import open_existing, save_copy

    database = open_existing(args.db)
    try:
        copy = save_copy(database, args.out)
    finally:
        database.close()
    print(f"Saved a verified copy to {copy}.")
    return EXIT_OK


COMMANDS = {"demo": _demo, "check": _check, "backup": _backup}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command is None:
        from jointlead.app import run_gui  # Qt is loaded only when a window is wanted

        return run_gui(database=args.db, demo=args.demo)

    from jointlead.domain.errors import JointleadError
    from jointlead.logs import configure_logging

    log_path = configure_logging()
    try:
        return COMMANDS[args.command](args)
    except JointleadError as error:
        print(f"jointlead: {error.message}", file=sys.stderr)
        if error.advice:
            print(error.advice, file=sys.stderr)
        return EXIT_REJECTED
    except Exception:
        log.exception("Unexpected error in the %s command", args.command)
        print(f"jointlead: something unexpected went wrong; nothing was changed. Details are in {log_path}.",
              file=sys.stderr)
        return EXIT_REJECTED
