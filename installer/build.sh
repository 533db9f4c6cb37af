#!/usr/bin/env bash
# Builds the one-folder app with PyInstaller on Linux or macOS: dist/jointlead/jointlead (and its _internal/ folder).
#   bash installer/build.sh            build (again) into dist/jointlead
#   bash installer/build.sh --clean    forget PyInstaller's cache first (after changing the spec or the dependencies)
# The build runs in its own virtual environment (BUILD_VENV, default build/frozen-venv) holding exactly jointlead's
# dependencies and PyInstaller, never the development .venv with its test tools. PYTHON chooses the Python it is made
# from; PyInstaller needs one built with its shared library (Debian's python3 is; for pyenv, PYTHON_CONFIGURE_OPTS=
# --enable-shared).
set -euo pipefail
cd "$(dirname "$0")/.."

clean=()
if [ "${1:-}" = "--clean" ]; then clean=(--clean); fi
python=${PYTHON:-python3}
venv=${BUILD_VENV:-build/frozen-venv}

mkdir -p build
if [ ! -x "$venv/bin/python" ]; then "$python" -m venv "$venv"; fi
# The dependencies, the postgresql extra (a shared database needs psycopg: IT should not have to rebuild for it) and
# the build extra as pyproject.toml lists them; jointlead itself is taken from src/ by the spec.
"$venv/bin/python" - > build/frozen-requirements.txt <<'PY'
import tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
extras = project["optional-dependencies"]
print("\n".join(project["dependencies"] + extras["postgresql"] + extras["build"]))
PY
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --requirement build/frozen-requirements.txt
"$venv/bin/python" -m PyInstaller --noconfirm --log-level WARN "${clean[@]}" \
  --distpath dist --workpath build/pyinstaller installer/jointlead.spec
echo "Built dist/jointlead/ ($(du -sh dist/jointlead | cut -f1)); run dist/jointlead/jointlead --version"
