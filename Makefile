# syncadmin: `make demo` to try it, `make test` to check it.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
SANDBOX_PORT ?= 8100
DEMO_SIZE ?= 2000
DEMO_ORG ?= 20000002
SANDBOX_URL := http://$(HOST):$(SANDBOX_PORT)
# Everything make runs is the embedded demo: keys generated into var/, plain http on
# 127.0.0.1, demo_setup allowed. Production sets its keys instead (README).
export SYNCADMIN_DEMO := 1
# The sandbox is reached exactly like Zoho: by its accounts server and API domain.
SANDBOX_ENV := SANDBOX_PUBLIC_URL=$(SANDBOX_URL) \
	SANDBOX_REDIRECT_URIS=http://$(HOST):$(PORT)/connections/oauth/callback/
ZOHO_ENV := ZOHO_ACCOUNTS_URL=$(SANDBOX_URL) ZOHO_REHEARSAL=1 ZOHO_DATA_CENTRE=eu \
	SYNCADMIN_PUBLIC_URL=http://$(HOST):$(PORT) \
	ZOHO_CLIENT_ID=1000.SANDBOXCLIENT00000000000000000 ZOHO_CLIENT_SECRET=sandbox-client-secret

# Django 6 needs Python >= 3.12: take the first interpreter on this machine that is new
# enough (plain names first, then pyenv installs, whose shims refuse other versions).
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 python3 \
	$$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 /root/.pyenv/versions/3.1[2-9]*/bin/python3; do \
	"$$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 \
	&& { command -v "$$p"; break; }; done)

.PHONY: install lock migrate demo demo-connect test lint format clean

# Python snippets the demo runs (kept here: they talk to the sandbox, which the product
# never does).
define WAIT_FOR_URL
import sys, time, httpx
for _ in range(120):
    try:
        if httpx.get(sys.argv[1], timeout=1).status_code == 200: sys.exit(0)
    except httpx.TransportError: pass
    time.sleep(0.5)
sys.exit("the Zoho sandbox did not start")
endef
export WAIT_FOR_URL
define INSTALL_WEBHOOK
import json, sys, httpx
setup = json.loads(sys.stdin.read().strip().splitlines()[-1])
rule = {"name": "syncadmin push", "module": setup["module"], "events": ["create", "edit"],
        "url": setup["url"], "method": "POST", "body_type": "raw", "raw_format": "JSON",
        "raw_data_content": setup["template"],
        "custom_parameters": [{"name": setup["header"], "value": setup["secret"]}]}
httpx.post(sys.argv[1] + "/_sandbox/crm/webhooks", json=rule).raise_for_status()
print("CRM workflow webhook installed:", setup["url"])
endef
export INSTALL_WEBHOOK

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
	$(BIN)/python -c "$$WAIT_FOR_URL" $(SANDBOX_URL)/_sandbox/health && \
	$(MAKE) --no-print-directory demo-connect && \
	{ $(ZOHO_ENV) $(BIN)/celery -A syncadmin.celery worker --beat --loglevel=warning \
		--concurrency=4 -P threads & \
	$(ZOHO_ENV) $(MANAGE) runserver $(HOST):$(PORT) --noreload & \
	$(ZOHO_ENV) $(MANAGE) sync_now --org $(DEMO_ORG) --reconcile --queue > var/first-reconcile.log 2>&1 & \
	sleep 4; echo; \
	echo "syncadmin:     http://$(HOST):$(PORT)/   (logins above, also in var/demo-logins.txt)"; \
	echo "Zoho sandbox:  $(SANDBOX_URL)/_sandbox/   (CRM and Books as admin@zylker.test)"; \
	echo "Connected to the sandbox's CRM and Books ($(DEMO_ORG)), mirrored, webhook installed:"; \
	echo "create an account in the sandbox's CRM and watch it appear linked on Mapping."; \
	echo "The worker's first reconcile pushes the unlinked records meanwhile (History)."; \
	echo "Ctrl-C stops everything."; \
	wait; }

# The demo connects like a server-side install does: Zoho's self-client grant codes
# (here issued by the sandbox), the CRM workflow webhook entered from syncadmin's own
# set-up text, then the first mirror.
demo-connect:
	@for service in crm books; do \
		scopes=$$($(ZOHO_ENV) $(MANAGE) connect_selfclient --service $$service --print-scopes); \
		code=$$($(SANDBOX_ENV) $(MANAGE) sandbox_selfclient --user admin@zylker.test \
			--scopes "$$scopes"); \
		$(ZOHO_ENV) $(MANAGE) connect_selfclient --service $$service --code "$$code" \
			--organisation $(DEMO_ORG) || exit 1; \
	done
	@$(ZOHO_ENV) $(MANAGE) webhook_setup --org $(DEMO_ORG) | \
		$(BIN)/python -c "$$INSTALL_WEBHOOK" $(SANDBOX_URL)
	@$(ZOHO_ENV) $(MANAGE) sync_now --org $(DEMO_ORG) --mirror --match

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
