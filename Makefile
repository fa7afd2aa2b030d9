# Afterchat: `make run` serves the demo community; `make test` runs the whole suite.
VENV      ?= .venv
PYTHON    ?= python3
BIN        = $(VENV)/bin
FLASK      = $(BIN)/flask --app wsgi
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: run test test-sqlite test-postgres install clean lock translations

# What CI installs is pinned, with hashes, in requirements/ci.lock (made from setup.cfg by
# `make lock`); the package itself goes in on top without touching those pins.
$(BIN)/.installed: setup.cfg pyproject.toml requirements/ci.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/ci.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# Update the pins after changing a dependency in setup.cfg (or to take new releases): uv resolves
# every extra CI uses for Python 3.11 and writes each version with its hashes.
lock:
	$(PYTHON) -m pip install --quiet --target build/uv uv
	PYTHONPATH=build/uv build/uv/bin/uv pip compile setup.cfg --extra test --extra postgres --extra redis \
		--extra server --generate-hashes --python-version 3.11 --upgrade -o requirements/ci.lock

# Every word the forum says, in each language's catalog (translations/<lang>/LC_MESSAGES/messages.po):
# after marking new words with _() in templates or code, `make translations` adds them to every
# catalog (untranslated, for a translator), and compiles what is translated. A new language:
# add it to forum.i18n.LANGUAGES, then `make translations NEW_LANGUAGE=xx`.
translations: $(BIN)/.installed
	mkdir -p build
	$(BIN)/pybabel extract -F babel.cfg -k _l --add-comments=Translators: --no-location --sort-output --project Afterchat -o build/messages.pot .
	$(if $(NEW_LANGUAGE),test -d translations/$(NEW_LANGUAGE) || $(BIN)/pybabel init -i build/messages.pot -d translations -l $(NEW_LANGUAGE) --no-wrap,)
	$(BIN)/pybabel update -i build/messages.pot -d translations --no-wrap --ignore-obsolete --no-fuzzy-matching
	$(BIN)/pybabel compile -d translations --statistics

install: $(BIN)/.installed

node_modules/.installed: package.json
	npm install --no-audit --no-fund --silent
	touch $@

# Links in mail and feeds come from FORUM_BASE_URL, never from the request. Mail waits in the outbox
# until `send-mail` runs: here a sender runs alongside the server, every 5 seconds, and with no
# FORUM_MAIL_SERVER it prints each message decoded (links whole, ready to open), then stops with it.
run: $(BIN)/.installed
	$(FLASK) db upgrade
	$(FLASK) forum demo --if-empty
	export FORUM_BASE_URL=$${FORUM_BASE_URL:-http://127.0.0.1:5000}; \
	$(FLASK) forum send-mail --loop --interval 5 & sender=$$!; \
	trap 'kill $$sender 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port 5000

# The pure unit tests (parsers, sanitiser) do not touch a database, so they run once; everything
# that does runs on SQLite and again on PostgreSQL.
test: $(BIN)/.installed node_modules/.installed
	$(BIN)/pytest -q
	FORUM_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -q -m "not browser" tests/functional tests/integration

test-sqlite: $(BIN)/.installed
	$(BIN)/pytest -q

test-postgres: $(BIN)/.installed
	FORUM_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -q tests/functional tests/integration

clean:
	rm -rf $(VENV) node_modules build dist *.egg-info instance

# Benchmarks (bench/README.md). `make bench`: the full run, about ten minutes (the data set is made
# once and cached in bench/data/); results in bench/results/ and bench/README.md. `make bench-smoke`:
# the same harness on a tiny data set in seconds, for CI; timings never fail either.
BENCH_PG_URL ?= $(PG_TEST_URL)

.PHONY: bench bench-smoke bench-profile bench-import bench-rush

bench: $(BIN)/.installed
	$(BIN)/python -m bench.run --postgres $(BENCH_PG_URL)

bench-smoke: $(BIN)/.installed
	$(BIN)/python -m bench.run --smoke --postgres $(BENCH_PG_URL)
	$(BIN)/python -m bench.rush --smoke --hosts 2 --postgres $(BENCH_PG_URL)

# The chat-hour rush (bench/rush.py): on PostgreSQL and Redis, 200 connections read the newest chat's
# threads and the home page for 60 s while 20 members reply through the form; on 1 app host, then 2.
bench-rush: $(BIN)/.installed
	$(BIN)/python -m bench.rush --postgres $(BENCH_PG_URL)

# The transcript import alone: 5,000 messages into a copy of the full data set, five times, on SQLite.
bench-import: $(BIN)/.installed
	$(BIN)/python -m bench.importbench --messages 5000 --repetitions 5

# py-spy lives in its own virtualenv, out of the app's.
bench/.venv/.installed:
	$(PYTHON) -m venv bench/.venv
	bench/.venv/bin/python -m pip install --quiet py-spy
	touch $@

# `make bench-profile PAGE=thread` (home, space, thread, thread_last, signed_in or import).
PAGE ?= thread
bench-profile: $(BIN)/.installed bench/.venv/.installed
	$(BIN)/python -m bench.profile $(PAGE)
