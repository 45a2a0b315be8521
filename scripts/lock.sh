#!/usr/bin/env bash
# Re-resolve the hash-pinned lock files from pyproject.toml (run after changing dependencies).
set -euo pipefail
cd "$(dirname "$0")/.."
compile() { .venv/bin/uv pip compile pyproject.toml requirements/build.in --universal \
  --python-version 3.11 --generate-hashes --no-header -q "$@"; }
compile -o requirements/main.lock
compile --extra dev -o requirements/dev.lock
