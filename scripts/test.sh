#!/usr/bin/env bash
# The whole test suite: lint, types, every test on SQLite (browser tests in Debian's chromium),
# and beside it the database tests on PostgreSQL.
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

pg_url=${FLOORPULSE_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres}
pg_pid=""
if "$bin/python" -m floorpulse.db.probe "$pg_url"; then
  # Beside the SQLite pass, not after it: each pass is one Python process, and a machine has
  # two cores at least. Its output is shown once both are done. Browser tests drive the
  # dashboard, not the engine: they run once, in the SQLite pass.
  pg_log=$(mktemp)
  "$bin/pytest" -m "db and not e2e" --database-url "$pg_url" --ports 26000-31999 "$@" \
    >"$pg_log" 2>&1 &
  pg_pid=$!
  trap 'kill "$pg_pid" 2>/dev/null || true' EXIT  # stopped, the suite leaves nothing running
elif [ "${CI:-}" = true ] || [ -n "${FLOORPULSE_TEST_DATABASE_URL:-}" ]; then
  echo "PostgreSQL at $pg_url does not answer; this pass is required here" >&2
  exit 1
fi

echo "== tests on SQLite"
sqlite_status=0
"$bin/pytest" --ports 20000-25999 "$@" || sqlite_status=$?

pg_status=0
if [ -n "$pg_pid" ]; then
  wait "$pg_pid" || pg_status=$?
  echo "== database tests on PostgreSQL ($pg_url), run beside the SQLite pass"
  cat "$pg_log"
  rm -f "$pg_log"
else
  echo "== PostgreSQL pass skipped: no server answers at $pg_url (set FLOORPULSE_TEST_DATABASE_URL)"
fi
exit $(( sqlite_status || pg_status ))
