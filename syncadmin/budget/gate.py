"""The gate every Zoho request passes: priority lanes, waiting, and ``penalise``.

``OrgGate`` is the ``syncadmin.zoho.http.Gate`` of one organisation and lane. It asks its
store (``Backend``) for a slot in a loop, polling with jitter, and gives up with
``BudgetExhausted`` after its timeout or ``DailyCapReached`` at once when the day's cap
cannot free up in time.

Lanes ``interactive`` > ``realtime`` > ``reconcile`` > ``cleanup`` > ``backfill``: a
request that has to wait registers as a waiter of its lane (in the store, with a heartbeat
TTL), and no request of a lower lane takes a slot while a higher lane is waiting. Without
contention nobody waits, so any lane gets the full rate.

This module also states what a store promises (``Backend``, ``Request``, ``Decision``,
``Keys``); ``redis_store`` and ``memory_store`` keep that promise. No Django here.
"""

from __future__ import annotations

import contextlib
import random
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol

from syncadmin.budget.limits import Limits, Service, Usage
from syncadmin.zoho.errors import RateLimited, TransientZohoError

Lane = Literal["interactive", "realtime", "reconcile", "cleanup", "backfill"]
# cleanup: an approved duplicate-cleanup plan, after reconcile and ahead of bulk backfill.
LANES: tuple[Lane, ...] = ("interactive", "realtime", "reconcile", "cleanup", "backfill")
KEY_PREFIX = "syncadmin:budget"

MIN_POLL, MAX_POLL = 0.01, 0.25  # seconds between attempts while waiting
WAITER_TTL = 2.0  # a waiter that stops polling for this long no longer holds lanes back
CRM_BACKOFF_BASE, CRM_BACKOFF_CAP = 10.0, 300.0


class BudgetExhausted(TransientZohoError):
    """No slot could be granted within the timeout; retry later. Part of the Zoho error
    taxonomy (reason ``budget_exhausted``) so callers handle it like any transient error."""

    def __init__(self, message: str, *, retry_at: float | None = None) -> None:
        super().__init__("budget_exhausted", zoho_message=message)
        self.retry_at = retry_at

    def __str__(self) -> str:
        return self.zoho_message


class DailyCapReached(BudgetExhausted):
    """The day's cap (Books) or the rolling credits (CRM) are used up until ``retry_at``."""


# ------------------------------------------------------------------ what a store promises


@dataclass(frozen=True)
class Decision:
    """A backend's answer: ``ok``, ``wait`` (retry in about ``seconds``) or ``exhausted``
    (nothing before ``seconds`` from now). ``why`` names the limit that refused."""

    status: Literal["ok", "wait", "exhausted"]
    why: str = ""
    seconds: float = 0.0


@dataclass(frozen=True)
class Request:
    """One attempt to take a slot: who asks, on which lane, at what cost, at what time."""

    keys: Keys
    limits: Limits
    lane: Lane
    waiter_id: str
    lease_id: str
    cost: int
    now: float

    @property
    def day(self) -> str:
        return utc_day(self.now)


def utc_day(now: float) -> str:
    return datetime.fromtimestamp(now, UTC).date().isoformat()


def next_utc_midnight(now: float) -> float:
    today = datetime.fromtimestamp(now, UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return (today + timedelta(days=1)).timestamp()


@dataclass(frozen=True)
class Keys:
    """The store keys of one organisation: ``syncadmin:budget:<service>:<org>:<part>``."""

    base: str

    @classmethod
    def of(cls, service: str, org_id: str, prefix: str = KEY_PREFIX) -> Keys:
        return cls(f"{prefix}:{service}:{org_id}")

    minute = property(lambda self: f"{self.base}:minute")
    in_flight = property(lambda self: f"{self.base}:in_flight")
    credits = property(lambda self: f"{self.base}:credits")
    blocked = property(lambda self: f"{self.base}:blocked")
    closed = property(lambda self: f"{self.base}:closed")
    strikes = property(lambda self: f"{self.base}:strikes")
    strike_at = property(lambda self: f"{self.base}:strike_at")

    def day(self, day: str) -> str:
        return f"{self.base}:day:{day}"

    def waiters(self, lane: str) -> str:
        return f"{self.base}:waiters:{lane}"


class Backend(Protocol):
    """Where budgets live. Every method is atomic with respect to all other callers."""

    def try_acquire(self, req: Request) -> Decision: ...
    def release(self, keys: Keys, lease_id: str, now: float) -> None: ...
    def forget_waiter(self, keys: Keys, lane: Lane, waiter_id: str) -> None: ...
    def block(
        self, keys: Keys, *, now: float, pause: float, close: bool, backoff: bool
    ) -> float: ...
    def usage(self, keys: Keys, limits: Limits, now: float) -> Usage: ...


# ------------------------------------------------------------------ the gate


class OrgGate:
    """The ``syncadmin.zoho.http.Gate`` of one organisation and lane."""

    def __init__(
        self,
        backend: Backend,
        *,
        service: Service,
        org_id: str,
        limits: Limits,
        lane: Lane = "realtime",
        timeout: float = 30.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        prefix: str = KEY_PREFIX,
    ) -> None:
        if lane not in LANES:
            raise ValueError(f"unknown lane {lane!r}; one of {LANES}")
        self.backend, self.service, self.org_id = backend, service, org_id
        self.limits, self.lane, self.timeout = limits, lane, timeout
        self.clock, self.sleep = clock, sleep
        self.keys = Keys.of(service, org_id, prefix)

    @contextlib.contextmanager
    def slot(self, cost: int = 1) -> Iterator[None]:
        """Hold one request's slot while the body runs. Blocks until granted; raises
        ``BudgetExhausted`` after ``timeout`` s, ``DailyCapReached`` at once when the cap
        cannot free up in time. ``cost`` is CRM credits (a write: ``zoho.crm.write_cost``)."""
        lease_id = self.acquire(cost)
        try:
            yield
        finally:
            self.release(lease_id)

    def acquire(self, cost: int = 1) -> str:
        """Take a slot and return its lease id (``release`` it, or let it expire)."""
        waiter_id, deadline = uuid.uuid4().hex, self.clock() + self.timeout
        try:
            while True:
                lease_id, now = uuid.uuid4().hex, self.clock()
                req = Request(self.keys, self.limits, self.lane, waiter_id, lease_id, cost, now)
                decision = self.backend.try_acquire(req)
                if decision.status == "ok":
                    return lease_id
                self._give_up_if_hopeless(decision, now, deadline)
                self.sleep(_pause(decision, deadline - now))
        except BaseException:
            self.backend.forget_waiter(self.keys, self.lane, waiter_id)
            raise

    def release(self, lease_id: str) -> None:
        """The call is answered: free its in-flight place, and count it against the minute
        from now. Zoho counts a call when it arrives, somewhere between our taking the
        slot and the answer; a window counted from the answers therefore never holds
        fewer calls than Zoho's, even when a call queued for seconds on the way."""
        self.backend.release(self.keys, lease_id, self.clock())

    def _give_up_if_hopeless(self, decision: Decision, now: float, deadline: float) -> None:
        retry_at = now + decision.seconds
        what = f"{self.service} org {self.org_id} ({self.lane})"
        if decision.status == "exhausted" and retry_at > deadline:
            limit = {
                "credits": f"{self.limits.credits} CRM credits per 24 h",
                "daily": f"daily cap of {self.limits.daily_cap} requests (UTC day)",
            }.get(decision.why, "daily limit (Zoho answered code 45; UTC day)")
            raise DailyCapReached(
                f"{what} has used its {limit}; next try after {_iso(retry_at)}",
                retry_at=retry_at,
            )
        if now >= deadline:
            raise BudgetExhausted(
                f"{what}: no API slot within {self.timeout:g} s (waiting on {decision.why})",
                retry_at=retry_at,
            )

    def penalise(self, error: RateLimited) -> None:
        """Zoho answered a limit anyway: block this organisation for every process (44: one
        window; 1070: ~1 s; 45: until the next UTC midnight; CRM: 10 s doubling to 5 min)."""
        now, code = self.clock(), error.reason.code
        jitter = random.uniform(1.0, 1.25)
        if code == "books_daily_limit":
            pause = next_utc_midnight(now) - now
            self.backend.block(self.keys, now=now, pause=pause, close=True, backoff=False)
        elif code == "books_minute_limit":
            pause = (error.retry_after or self.limits.window_seconds) * jitter
            self.backend.block(self.keys, now=now, pause=pause, close=False, backoff=False)
        elif code == "books_concurrency_limit":
            pause = (error.retry_after or 1.0) * jitter
            self.backend.block(self.keys, now=now, pause=pause, close=False, backoff=False)
        elif code == "crm_limit":
            pause = (error.retry_after or CRM_BACKOFF_BASE) * jitter
            self.backend.block(self.keys, now=now, pause=pause, close=False, backoff=True)
        # token_throttled concerns the token endpoint, not this organisation's API budget.

    def usage(self) -> Usage:
        return self.backend.usage(self.keys, self.limits, self.clock())


def _pause(decision: Decision, remaining: float) -> float:
    """How long to sleep before the next attempt: the hint, kept between MIN_POLL and
    MAX_POLL (so waiters refresh their heartbeat), jittered, never past the deadline."""
    base = min(max(decision.seconds, MIN_POLL), MAX_POLL)
    return max(0.0, min(base * random.uniform(0.8, 1.2), remaining))


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="seconds")
