#!/usr/bin/env bash
# Creates .venv with exactly the locked dependencies, on a fresh Debian/Ubuntu with Python 3.11+.
# Usage: scripts/bootstrap.sh requirements/main.lock|requirements/dev.lock
set -euo pipefail
cd "$(dirname "$0")/.."
lock=${1:-requirements/main.lock}
python=${PYTHON:-python3}

if ! command -v "$python" >/dev/null; then
  echo "FloorPulse needs Python 3.11 or newer: install python3 (apt-get install python3)" >&2
  exit 1
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "FloorPulse needs Python 3.11 or newer; $python is $("$python" -V 2>&1)" >&2
  exit 1
fi

# Debian and Ubuntu ship venv's pip bootstrap in a separate package.
if [ ! -x .venv/bin/python ] && ! "$python" -c 'import ensurepip' 2>/dev/null; then
  package="python$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')-venv"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq "$package"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo apt-get update -qq && sudo apt-get install -y -qq "$package"
  else
    echo "FloorPulse needs the Debian package $package: sudo apt-get install $package" >&2
    exit 1
  fi
fi

stamp=".venv/.installed-$(cat "$lock" pyproject.toml | sha256sum | cut -c1-16)"
[ -f "$stamp" ] && exit 0
[ -x .venv/bin/python ] || "$python" -m venv .venv
echo "Installing locked dependencies from $lock into .venv ..."
.venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r "$lock"
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
rm -f .venv/.installed-*
touch "$stamp"
