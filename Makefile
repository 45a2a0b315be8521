# The two commands a new user needs: `make run` and `make test`.
.PHONY: run test lint bench screenshots lock clean

run:  ## install, migrate and start FloorPulse with a live demo factory on http://127.0.0.1:8000
	@scripts/bootstrap.sh requirements/main.lock
	.venv/bin/floorpulse serve --demo

test:  ## install and run the whole suite (lint, types, SQLite and PostgreSQL passes)
	@scripts/bootstrap.sh requirements/dev.lock
	scripts/test.sh

lint:
	@scripts/bootstrap.sh requirements/dev.lock
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy

bench:  ## ingest benchmark (prints events/s and batch latency)
	@scripts/bootstrap.sh requirements/dev.lock
	.venv/bin/python benchmarks/ingest.py

screenshots:  ## regenerate docs/images/*.png from a live server with sample data
	@scripts/bootstrap.sh requirements/dev.lock
	@FLOORPULSE_CHROMIUM=$$(scripts/browser.sh) .venv/bin/python scripts/screenshots.py

lock:  ## re-resolve requirements/*.lock after a dependency change
	scripts/lock.sh

clean:
	rm -rf .venv .mypy_cache .ruff_cache
