#!/usr/bin/env bash
# The whole test suite: lint, types, every test on SQLite (browser tests in Debian's chromium),
# then the database tests on PostgreSQL.
# PostgreSQL: FLOORPULSE_TEST_DATABASE_URL, else a local server on 127.0.0.1:5432 if one answers.
# Under CI=true the PostgreSQL pass is required, never skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin

echo "== lint and types"
"$bin/ruff" check .
"$bin/ruff" format --check .
"$bin/mypy"

# The browser tests drive Debian's chromium; install it if it is missing. Without it they skip,
# except under CI=true, where they must run.
if chromium=$(scripts/browser.sh); then
  export FLOORPULSE_CHROMIUM=$chromium
elif [ "${CI:-}" = true ]; then
  exit 1
fi

echo "== tests on SQLite"
"$bin/pytest" "$@"

pg_url=${FLOORPULSE_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres}
if "$bin/python" -m floorpulse.db.probe "$pg_url"; then
  echo "== database tests on PostgreSQL ($pg_url)"
  # Browser tests drive the dashboard, not the engine: they run once, in the pass above.
  "$bin/pytest" -m "db and not e2e" --database-url "$pg_url" "$@"
elif [ "${CI:-}" = true ] || [ -n "${FLOORPULSE_TEST_DATABASE_URL:-}" ]; then
  echo "PostgreSQL at $pg_url does not answer; this pass is required here" >&2
  exit 1
else
  echo "== PostgreSQL pass skipped: no server answers at $pg_url (set FLOORPULSE_TEST_DATABASE_URL)"
fi
