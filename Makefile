# syncadmin: `make demo` to try it, `make test` to check it.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
SANDBOX_PORT ?= 8100
DEMO_SIZE ?= 2000
SANDBOX_URL := http://$(HOST):$(SANDBOX_PORT)
# Everything make runs is the embedded demo: keys generated into var/, plain http on
# 127.0.0.1, demo_setup allowed. Production sets its keys instead (README).
export SYNCADMIN_DEMO := 1
# The sandbox is reached exactly like Zoho: by its accounts server and API domain.
SANDBOX_ENV := SANDBOX_PUBLIC_URL=$(SANDBOX_URL) \
	SANDBOX_REDIRECT_URIS=http://$(HOST):$(PORT)/connections/oauth/callback/
ZOHO_ENV := ZOHO_ACCOUNTS_URL=$(SANDBOX_URL) ZOHO_REHEARSAL=1 ZOHO_DATA_CENTRE=eu \
	ZOHO_CLIENT_ID=1000.SANDBOXCLIENT00000000000000000 ZOHO_CLIENT_SECRET=sandbox-client-secret

# Django 6 needs Python >= 3.12: take the first interpreter on this machine that is new
# enough (plain names first, then pyenv installs, whose shims refuse other versions).
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 python3 \
	$$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 /root/.pyenv/versions/3.1[2-9]*/bin/python3; do \
	"$$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 \
	&& { command -v "$$p"; break; }; done)

.PHONY: install lock migrate demo test lint format clean

$(BIN)/activate:
	@test -n "$(PYTHON)" || { echo "Python 3.12+ not found (Django 6 needs it). Install python3.12 or set PYTHON=/path/to/python3.12."; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Every dependency, transitive ones included, comes pinned and hashed from the lock
# (`make lock` regenerates it from pyproject.toml); the project itself installs without
# resolving anything.
LOCK := .lock/requirements.txt
LOCK_PRODUCTION := .lock/production.txt
UV_VERSION := $(shell sed -n 's/.*"uv==\([0-9.]*\)".*/\1/p' pyproject.toml)
UV_COMPILE := --quiet --universal --python-version 3.12 --generate-hashes

$(VENV)/.installed: $(LOCK) pyproject.toml $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

install: $(VENV)/.installed

# Re-resolve after editing pyproject.toml's dependencies; existing pins are kept where
# they still fit. The production lock (the Docker image's) is the runtime subset.
lock: $(BIN)/activate
	@test -x $(BIN)/uv || $(BIN)/pip install --quiet "uv==$(UV_VERSION)"
	$(BIN)/uv pip compile $(UV_COMPILE) --extra dev pyproject.toml -o $(LOCK)
	$(BIN)/uv pip compile $(UV_COMPILE) pyproject.toml -c $(LOCK) -o $(LOCK_PRODUCTION)

migrate: install
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput -v0

demo: migrate
	@$(MANAGE) demo_setup | tee var/demo-logins.txt
	@echo "Seeding the Zoho sandbox with a messy organisation (about $(DEMO_SIZE) records)..."
	@$(SANDBOX_ENV) $(MANAGE) sandbox_seed --scenario messy --size $(DEMO_SIZE) --seed 7 \
		> var/sandbox-seed.json
	@trap 'kill 0' INT TERM EXIT; \
	$(SANDBOX_ENV) $(MANAGE) runsandbox $(HOST):$(SANDBOX_PORT) & \
	$(ZOHO_ENV) $(BIN)/celery -A syncadmin.celery worker --beat --loglevel=warning \
		--concurrency=2 & \
	$(ZOHO_ENV) $(MANAGE) runserver $(HOST):$(PORT) --noreload & \
	sleep 4; echo; \
	echo "syncadmin:     http://$(HOST):$(PORT)/   (logins above, also in var/demo-logins.txt)"; \
	echo "Zoho sandbox:  $(SANDBOX_URL)/_sandbox/   (sign in at Zoho as admin@zylker.test)"; \
	echo "Next: sign in as admin, open Connections, connect Zoho CRM and Zoho Books."; \
	echo "Ctrl-C stops everything."; \
	wait

test: install
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var
