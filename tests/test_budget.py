"""Behaviour of the shared API budget, against real Redis and the in-process fallback.

A fake clock drives every window, and the gate's ``sleep`` advances it, so no test waits
on wall-clock time. Each test gets its own key prefix, so tests run in parallel.
"""

import uuid
from datetime import UTC, datetime

import pytest

from syncadmin import budget
from syncadmin.budget import (
    BudgetExhausted,
    DailyCapReached,
    Limits,
    MemoryBackend,
    OrgGate,
    RedisBackend,
    UnknownPlan,
    factory,
    limits_for,
)
from syncadmin.zoho.crm import write_cost
from syncadmin.zoho.errors import error_for
from tests.budget_fixtures import REDIS_URL

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC).timestamp()
ORG = "20000001"


class FakeClock:
    def __init__(self, now: float = NOON) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def make_gate(backend, clock, prefix):
    def make(lane="realtime", limits=None, service="books", org_id=ORG, timeout=5.0) -> OrgGate:
        return OrgGate(
            backend,
            service=service,
            org_id=org_id,
            limits=limits or Limits.books(plan="premium"),
            lane=lane,
            timeout=timeout,
            clock=clock,
            sleep=clock.sleep,
            prefix=prefix,
        )

    return make


def try_take(gate: OrgGate, cost: int = 1) -> str | None:
    """One attempt without waiting: the lease id, or None when refused."""
    now = gate.clock()
    req = budget.Request(gate.keys, gate.limits, gate.lane, "probe", uuid.uuid4().hex, cost, now)
    return req.lease_id if gate.backend.try_acquire(req).status == "ok" else None


def take_released(gate: OrgGate, n: int) -> None:
    """``n`` requests that complete at once (so only the rate limits count)."""
    for _ in range(n):
        gate.release(gate.acquire())


# ------------------------------------------------------------------ Books: per minute


def test_minute_cap_refuses_the_101st_until_the_window_slides(make_gate, clock):
    gate = make_gate()
    take_released(gate, 100)
    clock.now += 59
    assert try_take(gate) is None
    # the window is 61 s (a second of safety margin over Zoho's 60 s)
    clock.now += 1.5
    assert try_take(gate) is None
    clock.now += 0.6
    assert try_take(gate) is not None


def test_a_slow_call_counts_against_the_minute_from_its_answer(make_gate, clock):
    # Zoho counts a call on arrival; one that took 5 s to get there and back may have
    # arrived 5 s after we took its slot, so the window runs from the answer
    gate = make_gate(limits=Limits.books(plan="premium", per_minute=1))
    slow = gate.acquire()
    clock.now += 5
    gate.release(slow)
    clock.now += 61 - 5 + 0.1  # 61 s after the slot was taken, 56 s after the answer
    assert try_take(gate) is None
    clock.now += 5
    assert try_take(gate) is not None


def test_slot_waits_for_the_window_then_proceeds(make_gate, clock):
    gate = make_gate(timeout=120)
    take_released(gate, 100)
    start = clock.now
    with gate.slot():
        pass
    assert 61 <= clock.now - start < 62  # slept (fake time) until the oldest call left


def test_slot_gives_up_after_the_timeout(make_gate, clock):
    gate = make_gate(timeout=5)
    take_released(gate, 100)
    with pytest.raises(BudgetExhausted, match=r"no API slot within 5 s .*minute"):
        gate.acquire()


def test_full_rate_sustains_at_least_95_per_minute(make_gate, clock):
    gate = make_gate(lane="realtime", timeout=600)
    take_released(gate, 100)  # the first window's burst would flatter the rate
    start = clock.now
    take_released(gate, 1000)
    assert 95 <= 1000 / ((clock.now - start) / 60) <= 100


# ------------------------------------------------------------------ Books: in flight


def test_in_flight_is_capped_at_concurrency(make_gate):
    gate = make_gate()
    leases = [try_take(gate) for _ in range(10)]
    assert all(leases)
    assert try_take(gate) is None
    gate.release(leases[0])
    assert try_take(gate) is not None


def test_lease_of_a_crashed_worker_expires(make_gate, clock):
    gate = make_gate(limits=Limits(concurrency=2, lease_seconds=30))
    assert try_take(gate) and try_take(gate)  # never released: the worker died
    clock.now += 29
    assert try_take(gate) is None
    clock.now += 2
    assert try_take(gate) is not None


# ------------------------------------------------------------------ Books: daily cap


def test_daily_cap_fails_fast_with_a_clear_message(make_gate, clock):
    limits = Limits(per_minute=0, daily_cap=1000, concurrency=10)
    gate = make_gate(limits=limits, timeout=60)
    take_released(gate, 1000)
    start = clock.now
    with pytest.raises(DailyCapReached, match="daily cap of 1000 requests") as caught:
        gate.acquire()
    assert clock.now == start  # failed at once instead of blocking
    assert caught.value.retry_at == datetime(2026, 3, 3, tzinfo=UTC).timestamp()


def test_daily_cap_resets_at_utc_midnight(make_gate, clock):
    gate = make_gate(limits=Limits(daily_cap=5))
    take_released(gate, 5)
    assert try_take(gate) is None
    clock.now = datetime(2026, 3, 3, 0, 0, 1, tzinfo=UTC).timestamp()
    assert try_take(gate) is not None


def test_books_limits_follow_the_plan():
    assert Limits.books(plan="free").daily_cap == 1000
    assert Limits.books(plan="free").concurrency == 5
    assert Limits.books(plan="professional").daily_cap == 5000
    assert Limits.books(plan="standard", daily_cap=25_000).daily_cap == 25_000
    assert Limits.books().per_minute == 100


# ------------------------------------------------------------------ lanes


def test_waiting_interactive_request_beats_backfill(make_gate):
    interactive = make_gate(lane="interactive", limits=Limits(concurrency=1))
    backfill = make_gate(lane="backfill", limits=Limits(concurrency=1))
    held = try_take(backfill)
    req = budget.Request(interactive.keys, interactive.limits, "interactive", "w1", "l1", 1, NOON)
    assert interactive.backend.try_acquire(req).status == "wait"  # now a registered waiter
    backfill.release(held)
    # capacity is back, but backfill must not take it while interactive waits
    assert try_take(backfill) is None
    assert interactive.backend.try_acquire(req).status == "ok"
    interactive.release("l1")
    assert try_take(backfill) is not None


def test_a_waiter_that_vanished_stops_holding_lower_lanes_back(make_gate, clock):
    interactive = make_gate(lane="interactive", limits=Limits(concurrency=1))
    backfill = make_gate(lane="backfill", limits=Limits(concurrency=1))
    held = try_take(backfill)
    req = budget.Request(interactive.keys, interactive.limits, "interactive", "w1", "l1", 1, NOON)
    interactive.backend.try_acquire(req)
    backfill.release(held)
    clock.now += budget.WAITER_TTL + 0.1  # the interactive worker died while waiting
    assert try_take(backfill) is not None


def test_a_waiter_that_times_out_unregisters(make_gate, clock):
    interactive = make_gate(lane="interactive", limits=Limits(concurrency=1), timeout=1)
    backfill = make_gate(lane="backfill", limits=Limits(concurrency=1))
    held = try_take(backfill)
    with pytest.raises(BudgetExhausted):
        interactive.acquire()
    backfill.release(held)
    assert try_take(backfill) is not None  # no stale interactive waiter


def test_background_lanes_leave_a_tenth_of_the_minute_to_people_and_new_records(make_gate):
    reconcile, backfill = make_gate(lane="reconcile"), make_gate(lane="backfill")
    take_released(reconcile, 80)
    take_released(backfill, 10)
    assert try_take(reconcile) is None and try_take(backfill) is None  # 90 of 100: full

    realtime, interactive = make_gate(lane="realtime"), make_gate(lane="interactive")
    take_released(realtime, 5)  # a new CRM record goes at once, not a minute later
    take_released(interactive, 5)  # and so does a person's "Push now"
    assert realtime.usage().used_this_minute == 100
    assert try_take(interactive) is None


def test_background_lanes_alone_sustain_nine_tenths_of_the_rate(make_gate, clock):
    gate = make_gate(lane="backfill", timeout=600)
    take_released(gate, 90)
    start = clock.now
    take_released(gate, 900)
    assert 85 <= 900 / ((clock.now - start) / 60) <= 90


def test_unknown_lane_is_refused(make_gate):
    with pytest.raises(ValueError, match="unknown lane"):
        make_gate(lane="urgent")


# ------------------------------------------------------------------ penalise


def rate_limited(reason: str, retry_after: float | None = None):
    return error_for(reason, zoho_code="x", http_status=429, retry_after=retry_after)


def test_penalise_44_blocks_the_org_until_the_window_frees(make_gate, clock):
    gate = make_gate()
    other_worker = make_gate(lane="interactive")
    gate.penalise(rate_limited("books_minute_limit"))
    assert try_take(other_worker) is None  # every process of the org is blocked
    blocked_until = other_worker.usage().blocked_until.timestamp()
    assert 61 <= blocked_until - NOON <= 61 * 1.25  # a full window, with jitter
    clock.now = blocked_until + 0.01
    assert try_take(other_worker) is not None


def test_penalise_1070_pauses_briefly(make_gate, clock):
    gate = make_gate(timeout=10)
    gate.penalise(rate_limited("books_concurrency_limit"))
    assert try_take(gate) is None
    with gate.slot():
        pass
    assert 1 <= clock.now - NOON <= 1.25 + budget.MAX_POLL * 1.2


def test_penalise_45_closes_the_day_and_fails_fast(make_gate, clock):
    gate = make_gate(timeout=60)
    gate.penalise(rate_limited("books_daily_limit"))
    with pytest.raises(DailyCapReached, match="code 45"):
        gate.acquire()
    clock.now = datetime(2026, 3, 3, 0, 0, 1, tzinfo=UTC).timestamp()
    assert try_take(gate) is not None


def test_penalise_crm_backs_off_exponentially(make_gate):
    gate = make_gate(service="crm", limits=Limits.crm())
    pauses = []
    for _ in range(3):
        gate.penalise(rate_limited("crm_limit"))
        pauses.append(gate.usage().blocked_until.timestamp() - NOON)
    assert 10 <= pauses[0] <= 12.5
    assert 20 <= pauses[1] <= 25  # max(previous, new): the block only ever grows
    assert 40 <= pauses[2] <= 50


def test_penalise_ignores_token_throttling(make_gate):
    gate = make_gate()
    gate.penalise(rate_limited("token_throttled"))
    assert gate.usage().blocked_until is None


# ------------------------------------------------------------------ CRM credits


def test_crm_write_costs_one_credit_per_ten_records():
    assert [write_cost(n) for n in (1, 10, 11, 100, 101)] == [1, 1, 2, 10, 11]


def test_crm_credits_are_spent_by_cost_and_refused_when_used_up(make_gate, clock):
    gate = make_gate(service="crm", limits=Limits.crm(credits=25), timeout=60)
    with gate.slot(cost=10):  # a write of 100 records
        pass
    with gate.slot(cost=write_cost(140)):
        pass
    assert gate.usage().used_today == 24
    assert try_take(gate, cost=2) is None
    with pytest.raises(DailyCapReached, match="25 CRM credits per 24 h"):
        gate.acquire(cost=2)
    assert try_take(gate, cost=1) is not None


def test_crm_credits_free_up_after_24_hours(make_gate, clock):
    gate = make_gate(service="crm", limits=Limits.crm(credits=5))
    for _ in range(5):
        gate.release(gate.acquire())
    clock.now += 3600
    assert try_take(gate) is None
    clock.now += 23 * 3600 + 600  # past 24 h of the bucket's last possible call
    assert try_take(gate) is not None


def test_crm_concurrency(make_gate):
    gate = make_gate(service="crm", limits=Limits.crm(concurrency=2))
    assert try_take(gate) and try_take(gate)
    assert try_take(gate) is None


# ------------------------------------------------------------------ usage and isolation


def test_usage_reports_the_numbers_the_dashboard_shows(make_gate, clock):
    gate = make_gate(limits=Limits.books(plan="professional"))
    take_released(gate, 7)
    clock.now += 62
    take_released(gate, 3)
    held = gate.acquire()
    waiting = budget.Request(gate.keys, gate.limits, "interactive", "w", "l", 1, clock.now)
    gate.penalise(rate_limited("books_concurrency_limit"))
    gate.backend.try_acquire(waiting)
    usage = gate.usage()
    assert usage.used_this_minute == 4
    assert usage.used_today == 11
    assert usage.in_flight == 1
    assert (usage.limit_per_minute, usage.daily_cap) == (100, 5000)
    assert usage.blocked_until > datetime.fromtimestamp(clock.now, UTC)
    assert usage.waiting == {
        "interactive": 1, "realtime": 0, "reconcile": 0, "cleanup": 0, "backfill": 0
    }  # fmt: skip
    gate.release(held)


def test_organisations_and_services_have_separate_budgets(make_gate):
    uk = make_gate(limits=Limits(concurrency=1))
    india = make_gate(org_id="20000002", limits=Limits(concurrency=1))
    crm = make_gate(service="crm", limits=Limits(concurrency=1))
    assert try_take(uk) and try_take(india) and try_take(crm)
    assert try_take(uk) is None


# ------------------------------------------------------------------ the factory


def test_factory_falls_back_to_memory_without_redis_url(settings, monkeypatch):
    settings.REDIS_URL = None
    monkeypatch.setattr(factory, "_backend", None)
    gate = budget.gate(service="books", org_id=ORG, lane="backfill")
    assert isinstance(gate.backend, MemoryBackend)
    assert gate.limits == Limits.books()
    assert budget.usage("books", ORG).in_flight == 0


def test_factory_uses_redis_when_configured(settings, monkeypatch, redis_client):
    settings.REDIS_URL = REDIS_URL
    monkeypatch.setattr(factory, "_backend", None)
    gate = budget.gate(service="crm", org_id="800000001", limits=Limits.crm(credits=100))
    assert isinstance(gate.backend, RedisBackend)
    assert gate.keys.credits == f"{settings.BUDGET_KEY_PREFIX}:crm:800000001:credits"


# ------------------------------------------------------------------ plans


@pytest.mark.parametrize(
    ("service", "plan", "daily_limit", "expected"),
    [
        ("books", "free", None, Limits(per_minute=100, daily_cap=1_000, concurrency=5)),
        ("books", "premium", None, Limits(per_minute=100, daily_cap=10_000, concurrency=10)),
        ("books", "standard", 3_000, Limits(per_minute=100, daily_cap=3_000, concurrency=10)),
        ("crm", "free", None, Limits(credits=5_000, concurrency=5)),
        ("crm", "enterprise", None, Limits(credits=50_000, concurrency=20)),
        ("crm", "ultimate", 80_000, Limits(credits=80_000, concurrency=25)),
    ],
)
def test_limits_for_a_plan_follow_zohos_published_figures(service, plan, daily_limit, expected):
    assert limits_for(service, plan, daily_limit) == expected


@pytest.mark.parametrize(
    ("service", "plan", "named"),
    [
        ("books", "enterprise", "elite"),  # a CRM edition is no Books plan
        ("crm", "premium", "enterprise"),  # and a Books plan no CRM edition
        ("books", "", "standard"),
    ],
)
def test_an_unknown_plan_is_an_error_naming_the_valid_plans(service, plan, named):
    with pytest.raises(UnknownPlan) as raised:
        limits_for(service, plan)
    assert repr(plan) in str(raised.value) and named in str(raised.value)
