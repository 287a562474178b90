"""The budget against the real sandbox over HTTP: Zoho's limits are never hit, and a 429
that gets through anyway blocks the gate.

The limiter's clock is wall time plus an offset that moves together with the sandbox's
clock (waiting advances both), so a minute window passes in a few real seconds and the
tests assert counts only, never durations.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from syncadmin import zoho
from syncadmin.budget import BudgetExhausted, Limits, OrgGate
from syncadmin.zoho.errors import RateLimited
from tests.sandbox_process import SandboxProcess

ORG = "20000001"
ADMIN = "admin@zylker.test"
BOOKS_SCOPES = ["ZohoBooks.fullaccess.all"]


class SandboxClock:
    """Wall time plus an offset; ``sleep`` moves the sandbox clock first, then ours, so
    the sandbox never lags behind the limiter's idea of time."""

    def __init__(self, sandbox: SandboxProcess) -> None:
        self.sandbox = sandbox
        self.offset = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return time.time() + self.offset

    def sleep(self, seconds: float) -> None:
        target = self() + seconds
        with self._lock:  # concurrent sleepers share one jump instead of adding theirs up
            delta = target - self()
            if delta > 0:
                self.sandbox.advance_clock(delta)
                self.offset += delta
        time.sleep(0.005)  # let requests in flight finish in real time


@pytest.fixture
def fresh_sandbox(zoho_sandbox):
    zoho_sandbox.reset()
    yield zoho_sandbox
    zoho_sandbox.knobs(forced_429="none")


def books(sandbox: SandboxProcess, gate: OrgGate, http) -> zoho.BooksClient:
    token = sandbox.token(ADMIN, BOOKS_SCOPES)
    return zoho.books_client(
        http=http,
        api_domain=sandbox.base_url,
        tokens=lambda *, force_refresh=False: token,
        organization_id=ORG,
        gate=gate,
    )


def make_gate(backend, clock, prefix, limits: Limits, timeout: float = 300) -> OrgGate:
    return OrgGate(
        backend,
        service="books",
        org_id=ORG,
        limits=limits,
        timeout=timeout,
        clock=clock,
        sleep=clock.sleep,
        prefix=prefix,
    )


def test_threads_through_the_gate_never_hit_books_limits(fresh_sandbox, backend, prefix):
    fresh_sandbox.knobs(books_per_minute=10, books_concurrency=3, latency_ms=30)
    clock = SandboxClock(fresh_sandbox)
    gate = make_gate(backend, clock, prefix, Limits(per_minute=10, daily_cap=10_000, concurrency=3))
    since = fresh_sandbox.stats()["now"]
    with zoho.new_http_client() as http:
        client = books(fresh_sandbox, gate, http)

        def worker(_: int) -> int:
            return sum(len(list(client.contacts())) + 1 for _ in range(5))

        with ThreadPoolExecutor(max_workers=6) as pool:
            done = sum(pool.map(worker, range(6)))  # raises if any request failed
    calls = fresh_sandbox.stats(since=since, service="books", org_id=ORG)["calls"]
    codes = {row["code"]: row["count"] for row in calls}
    assert done == 30
    # three windows' worth of requests went through: the limiter waited instead of Zoho
    assert codes == {"0": 30}


def test_a_forced_429_reaches_penalise_and_blocks_the_gate(fresh_sandbox, backend, prefix):
    fresh_sandbox.knobs(forced_429="books_minute")
    clock = SandboxClock(fresh_sandbox)
    gate = make_gate(backend, clock, prefix, Limits.books())
    other_worker = make_gate(backend, clock, prefix, Limits.books(), timeout=5)
    with zoho.new_http_client() as http, pytest.raises(RateLimited) as caught:
        list(books(fresh_sandbox, gate, http).contacts())
    assert caught.value.reason.code == "books_minute_limit"
    assert gate.usage().blocked_until is not None
    # another worker of the same org waits on the block, then gives up after its timeout
    with pytest.raises(BudgetExhausted, match="waiting on blocked"):
        other_worker.acquire()
