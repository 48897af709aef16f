# Cap QVCT — the commands of the README.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
APT_PACKAGES := chromium fonts-dejavu-core fonts-liberation poppler-utils libpango-1.0-0 libpangoft2-1.0-0
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
PYTEST_ARGS ?=
# Both cores: pytest-xdist runs one worker per core. Not --dist worksteal: a stolen transactional
# test (browser) flushes the reference data that later tests of its worker read.
PYTEST_WORKERS ?= auto

.PHONY: demo test test-fast checks bench lint fmt install install-test system-packages serve migrate clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

install: $(VENV)/bin/activate
	$(PIP) install --quiet -e .

install-test: $(VENV)/bin/activate system-packages
	$(PIP) install --quiet -e '.[test]'

# Chromium for the browser tests comes from Debian, never from a download at test time.
system-packages:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1; then \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES); \
	fi

migrate: install
	mkdir -p var
	$(PY) manage.py migrate --noinput

# A db_worker runs the background tasks (the outbox's e-mails) beside the server; it stops with it. The
# e-mails' links point at the port the demo serves: `make demo DEMO_PORT=8042`.
DEMO_PORT ?= 8000
demo: export CAPQVCT_SITE_URL = http://127.0.0.1:$(DEMO_PORT)
demo: migrate
	@# The demo runs with DEBUG: static files are served from the apps' folders, no collectstatic.
	mkdir -p var/static
	$(PY) manage.py load_demo
	DJANGO_DEBUG=1 $(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DJANGO_DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(DEMO_PORT)

checks:
	$(PY) manage.py makemigrations --check --dry-run --verbosity 0
	$(VENV)/bin/ruff check capqvct tests bench scripts
	$(VENV)/bin/ruff format --check capqvct tests bench scripts

# The whole suite, browser and accessibility sweeps included.
test: install-test checks
	CAPQVCT_TESTING=1 $(VENV)/bin/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# For developers between two changes: everything but the browser (a couple of minutes).
test-fast: install-test checks
	CAPQVCT_TESTING=1 $(VENV)/bin/pytest -n $(PYTEST_WORKERS) -m "not browser" $(PYTEST_ARGS)

bench: install-test
	CAPQVCT_TESTING=1 $(PY) -m bench.run

lint: install-test
	$(VENV)/bin/ruff check capqvct tests bench scripts

fmt: install-test
	$(VENV)/bin/ruff check --fix capqvct tests bench scripts
	$(VENV)/bin/ruff format capqvct tests bench scripts

clean:
	rm -rf var $(VENV)
