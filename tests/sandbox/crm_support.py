"""Helpers for the CRM contract tests: an authorised CRM client and a local HTTP receiver
for webhooks and watch callbacks."""

import http.server
import json
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs

import httpx

from tests.sandbox_process import SandboxProcess

ADMIN = "admin@zylker.test"
ALL_SCOPES = [
    "ZohoCRM.modules.ALL",
    "ZohoSearch.securesearch.READ",
    "ZohoCRM.notifications.ALL",
    "ZohoCRM.settings.ALL",
    "ZohoCRM.users.READ",
]


class Crm:
    """Calls /crm/v8/… with a token of `email` holding `scopes`."""

    def __init__(self, sandbox: SandboxProcess, scopes: list[str] | None = None) -> None:
        self.sandbox = sandbox
        self.headers = sandbox.auth(ADMIN, scopes or ALL_SCOPES)

    def call(self, method: str, path: str, **kwargs) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.sandbox.client.request(method, f"/crm/v8/{path}", headers=headers, **kwargs)

    def get(self, path: str, **kwargs) -> httpx.Response:
        return self.call("GET", path, **kwargs)

    def insert(self, module: str, *records: dict, **body) -> list[str]:
        response = self.call("POST", module, json={"data": list(records), **body})
        assert response.status_code == 201, response.text
        return [e["details"]["id"] for e in response.json()["data"]]

    def account(self, name: str, **fields) -> str:
        return self.insert("Accounts", {"Account_Name": name, **fields})[0]

    def contact(self, last: str, **fields) -> str:
        return self.insert("Contacts", {"Last_Name": last, **fields})[0]


@dataclass
class Received:
    method: str
    path: str
    headers: dict
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)

    def form(self) -> dict:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1:0 recording every request; answers `status`."""

    status: int = 200
    requests: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _record(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.requests.append(
                    Received(self.command, self.path, dict(self.headers), body)
                )
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_GET = do_PUT = do_DELETE = _record

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self, count: int, timeout: float = 5.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.requests)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def wait_for(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False
