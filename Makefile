# The README's commands. Every target sets up what it needs first.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format setup migrate demo-user web worker clean bench bench-events mutation

run: setup migrate demo-user ## Serve the app with one worker on http://127.0.0.1:8000
	$(PY) manage.py serve

test: setup lint ## Lint and run the whole suite (unit, live server, browser)
	$(PY) -m pytest
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest -m browser tests/browser

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

format: setup
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

setup: $(STAMP)

$(STAMP): requirements.txt
	@python=$$(scripts/find-python) || exit 1; \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
		rm -rf $(VENV); echo "Creating $(VENV) with $$python"; "$$python" -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

migrate: setup
	$(PY) manage.py migrate --no-input

demo-user: setup
	$(PY) manage.py ensure_demo_user

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
	$(PY) -m bench.corpus

# Live events under load: latency, memory per stream, fan-out; ours and the stock setup.
BENCH_EVENTS_DATABASE_URL ?= sqlite:///$(CURDIR)/var/bench-events.sqlite3
bench-events: setup ## Event delivery figures (loopback only; a few minutes)
	rm -f var/bench-events.sqlite3*
	DATABASE_URL=$(BENCH_EVENTS_DATABASE_URL) $(PY) manage.py migrate -v0
	DATABASE_URL=$(BENCH_EVENTS_DATABASE_URL) $(PY) -m bench.events

# What the tests of the edit modules let through (a few minutes; results in mutants/).
mutation: setup ## Mutation testing of merge.py, edit_format.py and paths.py
	PROPERTY_EXAMPLES=40 $(PY) -m mutmut run --max-children 2
	$(PY) -m mutmut results
