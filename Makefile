# The README's commands. Every target sets up what it needs first.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint format setup migrate demo-user web worker clean bench bench-events mutation

PORT ?= 8000
run: setup migrate demo-user ## Serve the app with one worker on http://127.0.0.1:$(PORT)
	$(PY) manage.py serve --port $(PORT)

test: setup lint ## Lint and run the whole suite: pipeline, app, live servers, real browser
	$(PY) -m pytest tests/pipeline tests/app tests/live
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest -m browser tests/browser

test-fast: setup lint ## The inner loop: the pipeline and app floors, no servers or browser
	PROPERTY_EXAMPLES=$${PROPERTY_EXAMPLES:-60} $(PY) -m pytest tests/pipeline tests/app

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

format: setup
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

setup: $(STAMP)

$(STAMP): requirements.txt client/pyproject.toml
	@python=$$(scripts/find-python) || exit 1; \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
		rm -rf $(VENV); echo "Creating $(VENV) with $$python"; "$$python" -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet -e ./client
	touch $(STAMP)

migrate: setup
	$(PY) manage.py migrate --no-input

demo-user: setup
	$(PY) manage.py ensure_demo_user --port $(PORT)

web: setup migrate ## Only the ASGI web server (daphne)
	$(PY) -m daphne -b 127.0.0.1 -p 8000 config.asgi:application

worker: setup migrate ## Only a background worker
	$(PY) manage.py worker --no-reload

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache

bench: setup ## Benchmarks: figures printed, nothing asserted
	rm -f var/bench.sqlite3*
	DATABASE_URL=sqlite:///$(CURDIR)/var/bench.sqlite3 $(PY) manage.py migrate -v0
	DATABASE_URL=sqlite:///$(CURDIR)/var/bench.sqlite3 $(PY) manage.py bench
	DATABASE_URL=sqlite:///$(CURDIR)/var/bench.sqlite3 $(PY) manage.py bench_api
	DATABASE_URL=sqlite:///$(CURDIR)/var/bench.sqlite3 $(PY) -m bench.client_first_update
	DATABASE_URL=sqlite:///$(CURDIR)/var/bench.sqlite3 DEBUG=false HTTPS=false SECRET_KEY=bench \
		DJANGO_SETTINGS_MODULE=config.settings $(PY) -m bench.git_import
	@if psql "$(BENCH_PG_URL:/iterum_bench=/postgres)" -c 'select 1' >/dev/null 2>&1; then \
		psql "$(BENCH_PG_URL:/iterum_bench=/postgres)" -q -c 'DROP DATABASE IF EXISTS iterum_bench' -c 'CREATE DATABASE iterum_bench' && \
		DATABASE_URL=$(BENCH_PG_URL) $(PY) manage.py migrate -v0 && \
		DATABASE_URL=$(BENCH_PG_URL) $(PY) manage.py bench_api; \
	else echo "PostgreSQL is not reachable: API latency measured on SQLite only"; fi
	$(PY) -m bench.context
	$(PY) -m bench.corpus
	DATABASE_URL=sqlite:///$(CURDIR)/var/bench.sqlite3 $(PY) -m bench.running

# Live events under load: latency, memory per stream, fan-out; ours and the stock setup.
BENCH_EVENTS_DATABASE_URL ?= sqlite:///$(CURDIR)/var/bench-events.sqlite3
BENCH_PG_URL ?= postgres://postgres@127.0.0.1:5432/iterum_bench
bench-events: setup ## Event delivery, the bar's truth, page cost, click to first stage
	rm -f var/bench-events.sqlite3*
	DATABASE_URL=$(BENCH_EVENTS_DATABASE_URL) $(PY) manage.py migrate -v0
	DATABASE_URL=$(BENCH_EVENTS_DATABASE_URL) $(PY) -m bench.events
	$(PY) -m bench.truth
	DATABASE_URL=$(BENCH_EVENTS_DATABASE_URL) $(PY) -m bench.short_runs
	DATABASE_URL=$(BENCH_EVENTS_DATABASE_URL) $(PY) -m bench.page_cost
	DATABASE_URL=$(BENCH_EVENTS_DATABASE_URL) $(PY) -m bench.first_stage
	@if psql "$(BENCH_PG_URL:/iterum_bench=/postgres)" -c 'select 1' >/dev/null 2>&1; then \
		psql "$(BENCH_PG_URL:/iterum_bench=/postgres)" -q -c 'DROP DATABASE IF EXISTS iterum_bench' -c 'CREATE DATABASE iterum_bench' && \
		DATABASE_URL=$(BENCH_PG_URL) $(PY) manage.py migrate -v0 && \
		DATABASE_URL=$(BENCH_PG_URL) $(PY) -m bench.first_stage; \
	else echo "PostgreSQL is not reachable: click to first stage measured on SQLite only"; fi

# What the tests of the edit modules let through (a few minutes; results in mutants/).
mutation: setup ## Mutation testing of the edit modules (pyproject.toml's [tool.mutmut])
	PROPERTY_EXAMPLES=40 $(PY) -m mutmut run --max-children 2
	$(PY) -m mutmut results
