"""A whole syncadmin stack for benchmarks: Zoho sandbox, web (gunicorn), Celery worker,
PostgreSQL database and Redis, connected through Zoho's self-client grant like ``make
demo``, with the CRM workflow webhook pointed at syncadmin's intake.

    with Stack(latency_ms=100, books_limit=100) as stack:
        stack.crm_create("Acme Ltd")  # CRM API call with trigger workflow
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psycopg

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.sandbox_process import SandboxProcess, free_port  # noqa: E402

ORG = "20000001"
CLIENT_ID = "1000.SANDBOXCLIENT00000000000000000"
CLIENT_SECRET = "sandbox-client-secret"
ADMIN = "admin@zylker.test"
PG = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
# A database of its own per run: two stacks sharing a broker would run each other's tasks.
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")


class Stack:
    def __init__(
        self, *, latency_ms: int = 0, books_limit: int = 100, workers: int = 8, plan="premium"
    ) -> None:
        self.latency_ms, self.books_limit, self.workers = latency_ms, books_limit, workers
        self.plan = plan
        self.tmp = tempfile.TemporaryDirectory(prefix="syncadmin-bench-")
        self.db = f"bench_{uuid.uuid4().hex[:8]}"
        self.port = free_port()
        self.redis = f"{REDIS}/{10 + self.port % 6}"
        self.procs: list[subprocess.Popen] = []
        self._sql: psycopg.Connection | None = None
        self.sandbox = SandboxProcess(env={"SANDBOX_REDIRECT_URIS": self.url("/")})

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "syncadmin.settings",
            "SYNCADMIN_VAR_DIR": self.tmp.name,
            "DATABASE_URL": f"{PG}/{self.db}",
            "REDIS_URL": self.redis,
            # generated keys and plain http, as `make demo`; not DEBUG, which logs every query
            "SYNCADMIN_DEMO": "1",
            "ZOHO_REHEARSAL": "1",
            "ZOHO_ACCOUNTS_URL": self.sandbox.base_url,
            "ZOHO_CLIENT_ID": CLIENT_ID,
            "ZOHO_CLIENT_SECRET": CLIENT_SECRET,
            "SYNCADMIN_PUBLIC_URL": self.url(""),
            # the budget's minute limit follows Zoho's (raised for the burst figure)
            "BOOKS_REQUESTS_PER_MINUTE": str(self.books_limit),
        }

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=REPO, env=self.env,
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def __enter__(self) -> Stack:
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.db}"')
        subprocess.run(["redis-cli", "-u", self.redis, "FLUSHDB"], check=False, capture_output=True)
        self.sandbox.start()
        self.sandbox.reset()
        self.sandbox.register_client(
            [self.url("/")], client_id=CLIENT_ID, client_secret=CLIENT_SECRET
        )
        # the benchmarks measure speed, not the plan's daily cap
        self.sandbox.knobs(
            latency_ms=self.latency_ms, books_per_minute=self.books_limit,
            books_daily_cap=10_000_000,
        )  # fmt: skip
        self.manage("migrate", "--noinput", "-v0")
        self.manage("demo_setup")
        for service in ("crm", "books"):
            code = self.sandbox.selfclient(ADMIN, _scopes(service), client_id=CLIENT_ID)
            self.manage("connect_selfclient", "--service", service, "--code", code,
                        "--organisation", ORG)  # fmt: skip
        self._set_plan()
        self._start_processes()
        self._install_webhook()
        return self

    def _set_plan(self) -> None:
        code = (
            "from syncadmin.models import Connection;"
            f"Connection.objects.filter(service='books').update(plan='{self.plan}', "
            "daily_limit=10**7);"
            "Connection.objects.filter(service='crm').update(plan='enterprise', "
            "daily_limit=10**7)"
        )
        self.manage("shell", "-c", code)

    def _start_processes(self) -> None:
        env = self.env
        log = open(Path(self.tmp.name) / "web.log", "w")  # noqa: SIM115
        self.procs.append(subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "syncadmin.wsgi", "-b", f"127.0.0.1:{self.port}",
             "-w", "2", "--threads", "8", "--log-level", "warning"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
        ))  # fmt: skip
        worker_log = open(Path(self.tmp.name) / "worker.log", "w")  # noqa: SIM115
        self.procs.append(subprocess.Popen(
            # worker processes, as docker-compose runs them: threads of one process would
            # queue for its interpreter lock while other threads wait on Zoho and PostgreSQL
            [sys.executable, "-m", "celery", "-A", "syncadmin.celery", "worker", "--beat",
             "-P", "prefork", "-c", str(self.workers), "--loglevel", "warning"],
            cwd=REPO, env=env, stdout=worker_log, stderr=subprocess.STDOUT,
        ))  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url("/healthz"), timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.3)
        raise RuntimeError("syncadmin web did not start")

    def _install_webhook(self) -> None:
        """Enter syncadmin's webhook in CRM, as an admin would from the Settings screen."""
        setup = json.loads(self.manage("webhook_setup", "--org", ORG).strip().splitlines()[-1])
        rule = {
            "name": "syncadmin push", "module": setup["module"], "events": ["create", "edit"],
            "url": setup["url"], "method": "POST", "body_type": "raw", "raw_format": "JSON",
            "raw_data_content": setup["template"],
            "custom_parameters": [{"name": setup["header"], "value": setup["secret"]}],
        }  # fmt: skip
        self.sandbox.client.post("/_sandbox/crm/webhooks", json=rule).raise_for_status()
        self.sandbox.client.post(
            "/_sandbox/crm/fields/Accounts",
            json={"api_name": "Books_Contact_ID", "field_label": "Books Contact ID"},
        )

    def crm_token(self) -> dict[str, str]:
        return self.sandbox.auth(ADMIN, ["ZohoCRM.modules.ALL"])

    def sql(self, query: str) -> list[tuple]:
        # one connection for the run's polling: a new one per poll costs PostgreSQL a fork
        if self._sql is None:
            self._sql = psycopg.connect(f"{PG}/{self.db}", autocommit=True)
        return self._sql.execute(query).fetchall()

    def __exit__(self, *exc) -> None:
        if self._sql is not None:
            self._sql.close()
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.sandbox.stop()
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')
        self.tmp.cleanup()


# What the Connections screen asks for (syncadmin/connections/oauth.py SCOPES), broadly.
SCOPES = {
    "crm": "ZohoCRM.modules.ALL,ZohoCRM.settings.ALL,ZohoCRM.users.READ,ZohoCRM.org.READ,"
    "ZohoCRM.notifications.ALL,ZohoSearch.securesearch.READ",
    "books": "ZohoBooks.fullaccess.all",
}


def _scopes(service: str) -> str:
    return SCOPES[service]
