"""Run the Zoho sandbox as a real subprocess for tests and benchmarks.

    with SandboxProcess() as sandbox:
        sandbox.reset()
        token = sandbox.token("admin@zylker.test", ["ZohoBooks.fullaccess.all"])
        httpx.get(f"{sandbox.base_url}/books/v3/organizations", headers=...)

Each instance gets a fresh SQLite file in a temp dir and a free port, and sets
SANDBOX_PUBLIC_URL to match so `api_domain` points back at it. Nothing here imports Django.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

import httpx

REPO_DIR = Path(__file__).resolve().parents[1]
START_TIMEOUT_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SandboxProcess:
    """A started sandbox server plus thin helpers over its /_sandbox/ control API."""

    def __init__(self, port: int | None = None, env: dict[str, str] | None = None) -> None:
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._extra_env = env or {}
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._proc: subprocess.Popen | None = None
        # gunicorn drops a keep-alive connection idle for 2 s; forget ours sooner, so a
        # request never goes out on a socket the server is closing
        limits = httpx.Limits(keepalive_expiry=1.0)
        self.client = httpx.Client(base_url=self.base_url, timeout=30, limits=limits)

    # ------------------------------------------------------------ lifecycle

    def start(self) -> "SandboxProcess":
        self._tmp = tempfile.TemporaryDirectory(prefix="zoho-sandbox-")
        tmp = Path(self._tmp.name)
        # public so a test can run `python -m syncadmin.sandbox <command>` on the same data
        self.database_url = f"sqlite:///{tmp / 'sandbox.sqlite3'}"
        env = {
            **os.environ,
            "SANDBOX_DATABASE_URL": self.database_url,
            "SANDBOX_PUBLIC_URL": self.base_url,
            # moving the clock must not start a native sync behind a test's back
            "SANDBOX_NATIVE_SCHEDULE": "0",
            **self._extra_env,
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)  # the sandbox forces its own anyway
        # a file, not a pipe, so a chatty server never blocks; closed in stop()
        self._log = open(tmp / "server.log", "w+b")  # noqa: SIM115
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "syncadmin.sandbox", "serve", f"127.0.0.1:{self.port}"],
            cwd=REPO_DIR,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait_until_up()
        return self

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"sandbox exited early:\n{self.log()}")
            try:
                if self.client.get("/_sandbox/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"sandbox did not answer in {START_TIMEOUT_SECONDS}s:\n{self.log()}")

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc = None
        self.client.close()
        if self._tmp is not None:
            self._log.close()
            self._tmp.cleanup()
            self._tmp = None

    def log(self) -> str:
        """What the server printed so far (for failure messages)."""
        self._log.flush()
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def __enter__(self) -> "SandboxProcess":
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------ control API

    def _control(self, method: str, path: str, **kwargs) -> dict:
        response = self.client.request(method, f"/_sandbox/{path}", **kwargs)
        response.raise_for_status()
        return response.json()

    def reset(self) -> None:
        """Wipe everything and load the baseline (also resets knobs and the clock)."""
        self._control("POST", "reset")

    def knobs(self, **changes: object) -> dict:
        """Change some knobs (none: just read them); returns all knobs."""
        if changes:
            return self._control("POST", "knobs", json=changes)
        return self._control("GET", "knobs")

    def stats(self, since: str | None = None, **filters: str) -> dict:
        params = {k: v for k, v in {"since": since, **filters}.items() if v}
        return self._control("GET", "stats", params=params)

    def advance_clock(self, seconds: float) -> dict:
        return self._control("POST", "clock", json={"advance_seconds": seconds})

    def deactivate(self, email: str) -> None:
        self._control("POST", f"users/{email}/deactivate")

    def activate(self, email: str) -> None:
        self._control("POST", f"users/{email}/activate")

    def register_client(self, redirect_uris: list[str], **fields: str) -> dict:
        return self._control("POST", "clients", json={"redirect_uris": redirect_uris, **fields})

    def tokens(self, email: str, scopes: list[str], client_id: str | None = None) -> dict:
        """Skip the consent screen: a full token answer (access + refresh) for `email`."""
        body = {"email": email, "scopes": scopes, "client_id": client_id}
        return self._control("POST", "tokens", json=body)

    def selfclient(self, email: str, scopes: list[str] | str, client_id: str | None = None) -> str:
        """A self-client grant code for `email`, to exchange at POST /oauth/v2/token."""
        body = {"email": email, "scopes": scopes, "client_id": client_id}
        return self._control("POST", "selfclient", json=body)["code"]

    def token(self, email: str, scopes: list[str]) -> str:
        return self.tokens(email, scopes)["access_token"]

    def auth(self, email: str, scopes: list[str]) -> dict[str, str]:
        """Headers carrying a fresh access token, as Zoho expects them."""
        return {"Authorization": f"Zoho-oauthtoken {self.token(email, scopes)}"}
