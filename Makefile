# Two entry points: `make run` (install, database, demo data, serve) and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test
export FLASK_APP := run
export PYTHONPATH := $(CURDIR)

PO_FILES := $(wildcard app/translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run install install-dev translations db demo test test-clock test-sqlite test-postgres bench messages

run: install translations db demo
	$(BIN)/flask run --host 127.0.0.1 --port 5000

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

%.mo: %.po
	$(BIN)/pybabel compile -f -i $< -o $@

translations: $(MO_FILES)

db: install translations
	$(BIN)/flask crm init

demo: db
	$(BIN)/flask crm seed-demo --if-empty

# Extract the messages and merge them into the catalogues (then translate the .po files).
messages: install
	$(BIN)/pybabel extract -F babel/babel.cfg -k lazy_gettext -k _l -o babel/messages.pot .
	$(BIN)/pybabel update -N -i babel/messages.pot -d app/translations

test: test-clock test-sqlite test-postgres

# Paris instants where a wall clock bites: a Monday morning, a Sunday night, both clock changes
# (before the spring gap, inside the autumn's repeated hour) and the last minute of the year.
CLOCK_INSTANTS := 2026-12-07T08:30:00+01:00 2026-12-06T23:30:00+01:00 2027-03-28T01:30:00+01:00 \
	2026-10-25T02:30:00+02:00 2026-12-31T23:59:00+01:00

# The tests marked `clock`, on SQLite, once at each instant (tests/conftest.py reads CRM_TEST_NOW).
test-clock: install-dev translations
	CRM_TEST_NOW="$(CLOCK_INSTANTS)" $(BIN)/python -m pytest -m clock

# Two processes (pytest-xdist), each with its own database and Redis db (tests/conftest.py).
test-sqlite: install-dev translations
	$(BIN)/python -m pytest -n 2

test-postgres: install-dev translations
	DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest -n 2

bench: install-dev translations
	$(BIN)/python bench/list_leads.py
