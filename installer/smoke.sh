#!/usr/bin/env bash
# The frozen build's smoke test, in one command: build the one-folder app, then use it as a user and IT would, to
# prove the migrations, Qt plugins, resources and the workbook-reading child process all made it into the bundle.
#   bash installer/smoke.sh              build (installer/build.sh), then test dist/jointlead
#   bash installer/smoke.sh --no-build   test the dist/jointlead already there
# Exits 0 only if every check passed. Needs no screen (Qt's offscreen platform) and no network.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

if [ "${1:-}" != "--no-build" ]; then
  bash installer/build.sh || { echo "smoke: the build failed" >&2; exit 1; }
fi
app="$root/dist/jointlead/jointlead"
[ -x "$app" ] || { echo "smoke: no frozen app at $app; run without --no-build" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/jointlead-smoke.XXXXXX")
trap 'rm -rf "$work"' EXIT
# A data folder of its own (settings, logs, backups), no screen, and the real user's files left alone.
export JOINTLEAD_DATA_DIR="$work/data" QT_QPA_PLATFORM=offscreen
cd "$work"  # nothing may depend on being run from the checkout
python=$(command -v python3 || command -v python)

passed=0
failed=0
out="$work/last-output.txt"

# check NAME EXPECTED-EXIT-CODE COMMAND...: run it, keep its output, and judge its exit code.
check() {
  local name=$1 expected=$2
  shift 2
  local started=$SECONDS code
  timeout 300 "$@" >"$out" 2>&1
  code=$?
  if [ "$code" -eq "$expected" ]; then
    passed=$((passed + 1))
    printf 'ok    %-58s (%ss)\n' "$name" $((SECONDS - started))
    return 0
  fi
  failed=$((failed + 1))
  printf 'FAIL  %-58s exit %s, expected %s\n' "$name" "$code" "$expected"
  sed 's/^/      | /' "$out" | tail -20
  return 1
}

# expect NAME TEXT: the last command's output says TEXT.
expect() {
  if grep -qF -- "$2" "$out"; then
    passed=$((passed + 1))
    printf 'ok    %s\n' "$1"
  else
    failed=$((failed + 1))
    printf 'FAIL  %s: the output does not say "%s"\n' "$1" "$2"
    sed 's/^/      | /' "$out" | tail -20
  fi
}

# file_is NAME PATH: PATH exists and is not empty.
file_is() {
  if [ -s "$2" ]; then
    passed=$((passed + 1))
    printf 'ok    %s\n' "$1"
  else
    failed=$((failed + 1))
    printf 'FAIL  %s: %s is missing or empty\n' "$1" "$2"
  fi
}

version=$("$python" -c "import re,sys; print(re.search(r'__version__ = \"(.+)\"', open(sys.argv[1]).read())[1])" \
  "$root/src/jointlead/__init__.py")
check "--version" 0 "$app" --version && expect "--version names this version" "jointlead $version"

check "demo: the demo service in a new database" 0 "$app" demo --db demo.sqlite &&
  expect "demo says what it made" "Created the demo service"

file_is "demo writes next month's extracts beside it" "demo extracts/NFT ledger M08 2026-27.xlsx"
check "import ledger --dry-run: the demo's next month (calamine)" 0 \
  "$app" import ledger "demo extracts/NFT ledger M08 2026-27.xlsx" --db demo.sqlite --partner NFT --dry-run &&
  expect "the import read every row into M8" "170 rows read from Detail into M8 2026-27"

check "check: the demo database passes" 0 "$app" check --db demo.sqlite && expect "check counts its findings" "0 errors"

check "backup: a verified copy" 0 "$app" backup --db demo.sqlite --out copy.sqlite && file_is "the copy is there" copy.sqlite

check "export staff (openpyxl, defusedxml)" 0 "$app" export staff --db demo.sqlite --org NFT --out staff.xlsx &&
  file_is "the staff workbook is there" staff.xlsx

check "export pack (charts)" 0 "$app" export pack --db demo.sqlite --org NCC --out pack.xlsx &&
  file_is "the pack is there" pack.xlsx

# The staff workbook again, declaring a sheet of 50,000 rows by 26 columns: jointlead parses a workbook that large in a
# child process, which a frozen app can only start through its own executable (multiprocessing.freeze_support).
# Each sheet is padded with whitespace to a byte a declared cell, or the reader would refuse it as a stray far cell
# (a sheet with fewer bytes than cells is nearly all empty).
"$python" - staff.xlsx large.xlsx <<'PY'
import sys, zipfile
source, target = sys.argv[1:]
with zipfile.ZipFile(source) as inside, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as outside:
    for item in inside.infolist():
        data = inside.read(item.filename)
        if item.filename.startswith("xl/worksheets/"):
            data = data.replace(b"<sheetViews>", b'<dimension ref="A1:Z50000"/><sheetViews>', 1)
            data = data.replace(b"</worksheet>", b" " * 1_400_000 + b"</worksheet>")
        outside.writestr(item, data)
PY
check "import staff --dry-run, read in a child process" 0 \
  "$app" import staff large.xlsx --db demo.sqlite --employer NFT --dry-run &&
  expect "the child process read every row" "47 rows read from Staff"

check "--exit-when-ready: the window on the demo database" 0 "$app" --db demo.sqlite --exit-when-ready &&
  expect "--exit-when-ready says what it opened" "(schema "
file_is "the window's icon is bundled" "$(dirname "$app")/_internal/resources/jointlead.ico"

check "--exit-when-ready on a missing database fails" 1 "$app" --db missing.sqlite --exit-when-ready &&
  expect "and says why" "There is no database at"

# A shared database's address reaches the bundled psycopg, which tries the server: here a socket path where none
# listens (no network), so it is refused with what psycopg said, not "psycopg is not installed".
check "a shared database's address reaches psycopg" 1 "$app" check --db "postgresql://jointlead@/jointlead?host=$work/no-server" &&
  expect "and the server's refusal is said" "could not be used: connection"

# An old database (the first schema revision) upgrades when opened: alembic, env.py and every revision, frozen.
# `copy` upgrades its source first (`backup` copies a file as it is, and `check` only reads).
cp "$root/tests/fixtures/schema-0001.sqlite" old.sqlite
head=$(ls "$root/migrations/versions" | grep -E '^[0-9]{4}_.*\.py$' | sort | tail -1 | cut -c1-4)
check "opening a schema-0001 database upgrades it (backup)" 0 "$app" copy --from old.sqlite --to old-copy.sqlite
check "it is now at the newest revision, $head" 0 "$python" -c \
  "import sqlite3, sys; found = sqlite3.connect(sys.argv[1]).execute('SELECT version_num FROM alembic_version').fetchone()[0]; print(found); sys.exit(found != sys.argv[2])" \
  old.sqlite "$head"
file_is "a backup was taken before the upgrade" "$(ls backups/old-before-upgrade-from-0001-*.sqlite 2>/dev/null | head -1)"

# The same at the level of system calls, which sees Qt's and SQLite's C++ and C code too (the test suite's socket guard
# sees Python's only): no socket at all but the AF_UNIX pair between the app and its reading process.
only_local_sockets() {
  local name=$1 trace=$2 outside
  outside=$(grep -E '(socket|socketpair|connect)\(' "$trace" | grep -v 'AF_UNIX')
  if [ -z "$outside" ]; then
    passed=$((passed + 1))
    printf 'ok    %s (%s AF_UNIX calls)\n' "$name" "$(grep -cE '(socket|socketpair|connect)\(' "$trace")"
  else
    failed=$((failed + 1))
    printf 'FAIL  %s: it opened a socket that is not AF_UNIX\n' "$name"
    printf '%s\n' "$outside" | head -10 | sed 's/^/      | /'
  fi
}
if command -v strace >/dev/null 2>&1 && strace -f -o /dev/null true 2>/dev/null; then
  watch=(strace -f -qq -e trace=socket,socketpair,connect)
  check "--exit-when-ready under strace" 0 "${watch[@]}" -o window.trace "$app" --db demo.sqlite --exit-when-ready &&
    only_local_sockets "the window opens no network socket" window.trace
  check "import in a child process under strace" 0 "${watch[@]}" -o import.trace \
    "$app" import staff large.xlsx --db demo.sqlite --employer NFT --dry-run &&
    only_local_sockets "the import opens no network socket" import.trace
else
  echo "skip  no socket at the system-call level: strace is not installed (or may not trace here)"
fi

echo "frozen smoke test ($app): $passed passed, $failed failed"
[ "$failed" -eq 0 ]
