"""Workflow-webhook delivery under load: asynchronous, prompt for a burst of 500 creates
even when the receiving URL is slow, and subject to the drop and latency knobs."""

import http.server
import threading
import time
from collections.abc import Iterator

import pytest

from tests.sandbox.crm_support import Crm, Receiver, wait_for
from tests.sandbox_process import SandboxProcess

SECRET = "0123456789abcdef"


class SlowReceiver:
    """Answers 200 after `delay` seconds, on as many threads as callers."""

    def __init__(self, delay: float) -> None:
        self.bodies: list[bytes] = []
        self.headers: list[dict] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                time.sleep(delay)
                outer.bodies.append(body)
                outer.headers.append(dict(self.headers))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/zoho/webhook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def crm(clean_sandbox: SandboxProcess) -> Crm:
    return Crm(clean_sandbox)


@pytest.fixture
def slow() -> Iterator[SlowReceiver]:
    server = SlowReceiver(delay=0.05)
    yield server
    server.close()


def install(crm: Crm, url: str, module: str = "Accounts", **spec) -> dict:
    """A workflow rule on create/edit whose webhook carries the secret, as the product's
    demo installs it through the control API."""
    body = {
        "name": f"syncadmin {module}",
        "module": module,
        "events": ["create", "edit"],
        "url": url,
        "module_parameters": [{"name": "id", "value": f"${{{module}.Id}}"}],
        "custom_parameters": [{"name": "X-Syncadmin-Secret", "value": SECRET}],
        **spec,
    }
    response = crm.sandbox.client.post("/_sandbox/crm/webhooks", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_500_creates_in_a_row_are_delivered_promptly(crm: Crm, slow: SlowReceiver) -> None:
    install(crm, slow.url)
    started = time.monotonic()
    for batch in range(5):
        names = [{"Account_Name": f"Burst {batch}-{i:03d}"} for i in range(100)]
        crm.insert("Accounts", *names, trigger=["workflow"])
    answered = time.monotonic() - started
    # one sender would need 500 × 50 ms = 25 s after the last answer; several keep up
    assert wait_for(lambda: len(slow.bodies) == 500, timeout=15), len(slow.bodies)
    assert answered < 15  # the API never waited for the deliveries
    assert all(SECRET.encode() in body for body in slow.bodies)


def test_contacts_rule_with_the_secret_in_a_header(crm: Crm, slow: SlowReceiver) -> None:
    raw = '{"module":"Contacts","id":"${Contacts.Id}"}'
    install(crm, slow.url, module="Contacts", body_type="raw", raw_data_content=raw)
    record_id = crm.contact("Smith")
    crm.call("PUT", f"Contacts/{record_id}", json={"data": [{"Title": "CFO"}]})
    assert wait_for(lambda: len(slow.bodies) == 2)
    assert all(h["X-Syncadmin-Secret"] == SECRET for h in slow.headers)
    assert slow.bodies[0] == f'{{"module":"Contacts","id":"{record_id}"}}'.encode()


def test_drop_rate_loses_about_that_share(crm: Crm, clean_sandbox) -> None:
    receiver = Receiver()
    try:
        install(crm, receiver.url)
        clean_sandbox.knobs(webhook_drop_rate=0.5)
        crm.insert("Accounts", *({"Account_Name": f"Drop {i}"} for i in range(100)))

        def outcomes() -> list[str]:
            hooks = clean_sandbox.client.get("/_sandbox/crm/deliveries").json()["webhooks"]
            return [h["outcome"] for h in hooks]

        assert wait_for(lambda: "pending" not in outcomes() and len(outcomes()) == 100)
        dropped = outcomes().count("dropped")
        assert 20 <= dropped <= 80  # 50 % ± a wide margin
        assert len(receiver.requests) == 100 - dropped
    finally:
        receiver.close()


def test_latency_knob_slows_each_api_call(crm: Crm, clean_sandbox) -> None:
    clean_sandbox.knobs(latency_ms=100)
    started = time.monotonic()
    crm.get("Accounts", params={"fields": "Account_Name"})
    assert time.monotonic() - started >= 0.1


def test_a_rule_can_be_removed_and_installed_again(crm: Crm, slow: SlowReceiver) -> None:
    rule = install(crm, slow.url)
    assert crm.sandbox.client.get(f"/_sandbox/crm/webhooks/{rule['id']}").json() == rule
    assert crm.sandbox.client.delete(f"/_sandbox/crm/webhooks/{rule['id']}").status_code == 200
    assert crm.sandbox.client.delete(f"/_sandbox/crm/webhooks/{rule['id']}").status_code == 404
    crm.account("Quiet Ltd")  # no rule: nothing is sent
    install(crm, slow.url, custom_parameters=[{"name": "X-Syncadmin-Secret", "value": "new"}])
    crm.account("Loud Ltd")
    assert wait_for(lambda: len(slow.bodies) == 1)
    assert b"new" in slow.bodies[0]
