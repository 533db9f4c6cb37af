#!/usr/bin/env bash
# Prepares a development checkout: Qt's Linux system libraries (only those missing), a .venv, and jointlead.
#   bash installer/setup-dev.sh                       install jointlead into .venv
#   bash installer/setup-dev.sh --test                also the test tools (pytest, pytest-qt, pytest-xdist, ruff,
#                                                     import-linter) and poppler-utils, whose pdftotext reads
#                                                     printed PDFs back
#   bash installer/setup-dev.sh --test --postgresql   also Debian's PostgreSQL server, which the suite's PostgreSQL
#                                                     variant starts on loopback (JOINTLEAD_TEST_DATABASE=postgresql)
set -euo pipefail
cd "$(dirname "$0")/.."

extras=""
test_tools=""
postgresql=""
for option in "$@"; do
  case "$option" in
    --test) extras="[test]"; test_tools="poppler-utils" ;;
    --postgresql) postgresql="postgresql" ;;
    *) echo "setup-dev.sh: unknown option $option (use --test, --postgresql)" >&2; exit 2 ;;
  esac
done

# What PySide6's Qt needs from the system on Debian/Ubuntu, for a real screen (xcb) and offscreen.
QT_RUNTIME_PACKAGES="libegl1 libgl1 libopengl0 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libfreetype6
libdbus-1-3 libglib2.0-0 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
libxcb-render-util0 libxcb-shape0 libxcb-randr0 libxcb-xinerama0 libxcb-xkb1 libxrender1 libsm6 libice6
fonts-dejavu-core"

install_missing() {  # the Debian packages named, those not installed yet
  command -v dpkg-query >/dev/null 2>&1 || return 0  # not Debian-like: nothing we know how to check
  local missing=()
  for package in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed"; then
      missing+=("$package")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing from Debian's packages: ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "Please ask an administrator to run: apt-get install ${missing[*]}" >&2
      return 1
    fi
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# shellcheck disable=SC2086  # the list is meant to split into package names
if [ "$(uname -s)" = "Linux" ]; then install_missing $QT_RUNTIME_PACKAGES $test_tools $postgresql; fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then "$python" -m venv .venv; fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet --editable ".${extras}"
echo "jointlead is installed in .venv"
