"""The shared Zoho API budget: one limiter per (service, organisation) for every process.

Every worker and the web process ask here before each Zoho request, so that together they
stay inside Zoho's limits (zoho-api.md §2.8, §3.10) instead of discovering them as 429s:

* Books, per organisation: requests per rolling window (100 per 61 s by default: the extra
  second absorbs the skew between granting a slot here and Zoho counting the request, and
  still allows ~98/min), a daily cap by plan counted per **UTC** day (Zoho counts in the
  org's time zone; a 45 from Zoho closes the budget until the next UTC midnight anyway),
  and at most 10 requests in flight, held as leases that expire so a crashed worker cannot
  leak a slot.
* CRM, per organisation: credits per rolling 24 h, counted in 10-minute buckets (a bucket
  is forgotten as a whole, so the count errs on the safe side), a cost per call (writes
  cost 1 per 10 records: ``zoho.crm.write_cost``), and concurrency leases.
* Priority lanes ``interactive`` > ``realtime`` > ``reconcile`` > ``backfill``: a request
  that has to wait registers as a waiter of its lane (in the store, with a heartbeat TTL),
  and no request of a lower lane takes a slot while a higher lane is waiting. Without
  contention nobody waits, so any lane gets the full rate.
* ``penalise``: a 429 that got through anyway blocks the organisation (44: a full window;
  1070: about a second; 45: until the next UTC day; CRM: exponential backoff), with jitter.

Use it through the factory, which reads ``settings.REDIS_URL``::

    gate = budget.gate(service="books", org_id="20000001", lane="realtime")
    client = zoho.books_client(..., gate=gate)   # the client passes each call's cost

``slot()`` blocks (polling with jitter) until a slot is granted, or raises
``BudgetExhausted`` after ``timeout`` seconds; ``DailyCapReached`` is raised at once when
the day's cap (or the CRM credits) cannot free up within the timeout.

Without ``REDIS_URL`` (the embedded default) the budget lives in this process only
(``MemoryBackend``): thread-safe, same behaviour, but it limits nothing across processes.
The core (``OrgGate`` + a backend) takes a Redis client and a clock and knows no Django.
With Redis, all processes must have NTP-synchronised clocks: times are written by callers.
"""

from __future__ import annotations

import contextlib
import math
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol

from syncadmin.zoho.errors import RateLimited, TransientZohoError

Service = Literal["books", "crm"]
Lane = Literal["interactive", "realtime", "reconcile", "backfill"]
LANES: tuple[Lane, ...] = ("interactive", "realtime", "reconcile", "backfill")
KEY_PREFIX = "syncadmin:budget"

BOOKS_DAILY_CAPS = {
    "free": 1_000,
    "standard": 2_000,
    "professional": 5_000,
    "premium": 10_000,
    "elite": 10_000,
    "ultimate": 10_000,
}
CRM_CREDIT_BUCKET_SECONDS = 600
DAY_SECONDS = 86_400
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


@dataclass(frozen=True)
class Limits:
    """What one organisation may spend. Zero means "no such limit"."""

    per_minute: int = 0  # requests per ``window_seconds`` (Books)
    window_seconds: float = 61.0
    daily_cap: int = 0  # requests per UTC day (Books)
    credits: int = 0  # credits per rolling 24 h (CRM)
    concurrency: int = 10
    lease_seconds: float = 60.0  # longer than any HTTP timeout: a lease outlives its request

    @classmethod
    def books(
        cls, *, plan: str = "standard", daily_cap: int | None = None, per_minute: int = 100
    ) -> Limits:
        """Books' published limits for ``plan``; ``daily_cap`` when Zoho raised it."""
        cap = daily_cap or BOOKS_DAILY_CAPS[plan]
        return cls(per_minute=per_minute, daily_cap=cap, concurrency=5 if plan == "free" else 10)

    @classmethod
    def crm(cls, *, credits: int = 50_000, concurrency: int = 10) -> Limits:
        """CRM credits per 24 h and concurrency; set them from the org's edition (§2.8)."""
        return cls(credits=credits, concurrency=concurrency)


@dataclass(frozen=True)
class Usage:
    """One organisation's budget right now (for the dashboard). For CRM, ``used_today`` and
    ``daily_cap`` are credits in the rolling 24 h."""

    used_this_minute: int
    used_today: int
    in_flight: int
    limit_per_minute: int
    daily_cap: int
    blocked_until: datetime | None
    waiting: dict[str, int]


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
    def release(self, keys: Keys, lease_id: str) -> None: ...
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
            self.backend.release(self.keys, lease_id)

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
        self.backend.release(self.keys, lease_id)

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


# ------------------------------------------------------------------ Redis backend

_ACQUIRE = """
local now, rank, waiter, lease = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], ARGV[4]
local cost, per_minute, window = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local daily_cap, credits, bucket = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])
local concurrency, lease_s, waiter_ttl = tonumber(ARGV[11]), tonumber(ARGV[12]), tonumber(ARGV[13])
local next_day = tonumber(ARGV[14])
local minute, inflight, day, creditk = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local blocked, closed = KEYS[5], KEYS[6]
local mine = KEYS[6 + rank]

local function wait(why, seconds)
  redis.call('ZADD', mine, now + waiter_ttl, waiter)
  redis.call('PEXPIRE', mine, math.ceil(waiter_ttl * 2000))
  return {'wait', why, tostring(seconds)}
end

local closed_until = tonumber(redis.call('GET', closed) or '0')
if now < closed_until then return {'exhausted', 'closed', tostring(closed_until - now)} end
if daily_cap > 0 and tonumber(redis.call('GET', day) or '0') + 1 > daily_cap then
  return {'exhausted', 'daily', tostring(next_day - now)}
end
local current = math.floor(now / bucket)
if credits > 0 then
  local oldest_kept, used, first = current - math.floor(86400 / bucket) - 1, 0, current
  local flat = redis.call('HGETALL', creditk)
  for i = 1, #flat, 2 do
    local b = tonumber(flat[i])
    if b <= oldest_kept then redis.call('HDEL', creditk, flat[i])
    else used = used + tonumber(flat[i + 1]); if b < first then first = b end end
  end
  if used + cost > credits then
    return {'exhausted', 'credits', tostring((first + 1) * bucket + 86400 - now)}
  end
end
local blocked_until = tonumber(redis.call('GET', blocked) or '0')
if now < blocked_until then return wait('blocked', blocked_until - now) end
for r = 1, rank - 1 do
  redis.call('ZREMRANGEBYSCORE', KEYS[6 + r], '-inf', now)
  if redis.call('ZCARD', KEYS[6 + r]) > 0 then return wait('lane', 0) end
end
if per_minute > 0 then
  redis.call('ZREMRANGEBYSCORE', minute, '-inf', now - window)
  if redis.call('ZCARD', minute) >= per_minute then
    local oldest = redis.call('ZRANGE', minute, 0, 0, 'WITHSCORES')
    return wait('minute', tonumber(oldest[2]) + window - now)
  end
end
redis.call('ZREMRANGEBYSCORE', inflight, '-inf', now)
if redis.call('ZCARD', inflight) >= concurrency then return wait('in_flight', 0) end

redis.call('ZREM', mine, waiter)
redis.call('ZADD', inflight, now + lease_s, lease)
redis.call('PEXPIRE', inflight, math.ceil(lease_s * 1000) + 1000)
if per_minute > 0 then
  redis.call('ZADD', minute, now, lease)
  redis.call('PEXPIRE', minute, math.ceil(window * 1000) + 1000)
end
redis.call('INCR', day)
redis.call('EXPIRE', day, 2 * 86400)
if credits > 0 then
  redis.call('HINCRBY', creditk, tostring(current), cost)
  redis.call('EXPIRE', creditk, 86400 + 2 * bucket)
end
return {'ok', '', '0'}
"""

_BLOCK = """
local now, pause, backoff = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3] == '1'
if backoff then
  local strikes = redis.call('INCR', KEYS[2])
  redis.call('EXPIRE', KEYS[2], 600)
  pause = math.min(pause * 2 ^ (strikes - 1), tonumber(ARGV[4]))
end
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local blocked_until = math.max(current, now + pause)
redis.call('SET', KEYS[1], tostring(blocked_until), 'EX', math.ceil(blocked_until - now) + 1)
return tostring(blocked_until)
"""


class RedisBackend:
    """Budgets in Redis, shared by every process; each operation is one Lua script."""

    def __init__(self, redis) -> None:
        self.redis = redis
        self._acquire = redis.register_script(_ACQUIRE)
        self._block = redis.register_script(_BLOCK)

    def try_acquire(self, req: Request) -> Decision:
        k, lim = req.keys, req.limits
        keys = [k.minute, k.in_flight, k.day(req.day), k.credits, k.blocked, k.closed]
        keys += [k.waiters(lane) for lane in LANES]
        args = [req.now, LANES.index(req.lane) + 1, req.waiter_id, req.lease_id, req.cost]
        args += [lim.per_minute, lim.window_seconds, lim.daily_cap, lim.credits]
        args += [CRM_CREDIT_BUCKET_SECONDS, lim.concurrency, lim.lease_seconds, WAITER_TTL]
        args += [next_utc_midnight(req.now)]
        args = [a if isinstance(a, str) else repr(a) for a in args]
        status, why, seconds = self._acquire(keys=keys, args=args)
        return Decision(_text(status), _text(why), float(seconds))

    def release(self, keys: Keys, lease_id: str) -> None:
        self.redis.zrem(keys.in_flight, lease_id)

    def forget_waiter(self, keys: Keys, lane: Lane, waiter_id: str) -> None:
        self.redis.zrem(keys.waiters(lane), waiter_id)

    def block(self, keys: Keys, *, now: float, pause: float, close: bool, backoff: bool) -> float:
        args = [repr(now), repr(pause), "1" if backoff else "0", repr(CRM_BACKOFF_CAP)]
        target = keys.closed if close else keys.blocked
        return float(self._block(keys=[target, keys.strikes], args=args))

    def usage(self, keys: Keys, limits: Limits, now: float) -> Usage:
        pipe = self.redis.pipeline(transaction=True)
        pipe.zcount(keys.minute, f"({now - limits.window_seconds!r}", "+inf")
        pipe.get(keys.day(utc_day(now)))
        pipe.hgetall(keys.credits)
        pipe.zcount(keys.in_flight, f"({now!r}", "+inf")
        pipe.mget(keys.blocked, keys.closed)
        for lane in LANES:
            pipe.zcount(keys.waiters(lane), f"({now!r}", "+inf")
        minute, day, credits, in_flight, blocks, *waiting = pipe.execute()
        return _usage(
            limits,
            now,
            minute=minute,
            day=int(day or 0),
            credits={int(b): int(v) for b, v in credits.items()},
            in_flight=in_flight,
            blocks=[float(b) for b in blocks if b],
            waiting=waiting,
        )


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _kept_buckets(buckets: dict[int, int], now: float) -> dict[int, int]:
    """The credit buckets that may hold calls of the last 24 h: a bucket is forgotten only
    once its newest possible call is older than 24 h."""
    current = math.floor(now / CRM_CREDIT_BUCKET_SECONDS)
    oldest_kept = current - DAY_SECONDS // CRM_CREDIT_BUCKET_SECONDS - 1
    return {b: v for b, v in buckets.items() if b > oldest_kept}


def _credits_used(buckets: dict[int, int], now: float) -> int:
    return sum(_kept_buckets(buckets, now).values())


def _usage(limits: Limits, now: float, *, minute, day, credits, in_flight, blocks, waiting):
    blocked = max((b for b in blocks if b > now), default=None)
    crm = limits.credits > 0
    return Usage(
        used_this_minute=minute,
        used_today=_credits_used(credits, now) if crm else day,
        in_flight=in_flight,
        limit_per_minute=limits.per_minute,
        daily_cap=limits.credits if crm else limits.daily_cap,
        blocked_until=datetime.fromtimestamp(blocked, UTC) if blocked else None,
        waiting=dict(zip(LANES, waiting, strict=True)),
    )


# ------------------------------------------------------------------ in-process backend


class MemoryBackend:
    """The same budget in this process only (no ``REDIS_URL``): thread-safe, not shared."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._zsets: dict[str, dict[str, float]] = {}  # key → member → score
        self._values: dict[str, float] = {}
        self._buckets: dict[str, dict[int, int]] = {}

    def _zset(self, key: str, *, drop_below: float | None = None) -> dict[str, float]:
        zset = self._zsets.setdefault(key, {})
        if drop_below is not None:
            for member in [m for m, s in zset.items() if s <= drop_below]:
                del zset[member]
        return zset

    def try_acquire(self, req: Request) -> Decision:
        with self._lock:
            decision = self._refusal(req)
            mine = self._zset(req.keys.waiters(req.lane))
            if decision is None:
                mine.pop(req.waiter_id, None)
                self._grant(req)
                return Decision("ok")
            if decision.status == "wait":
                mine[req.waiter_id] = req.now + WAITER_TTL
            return decision

    def _refusal(self, req: Request) -> Decision | None:
        k, lim, now = req.keys, req.limits, req.now
        closed = self._values.get(k.closed, 0.0)
        if now < closed:
            return Decision("exhausted", "closed", closed - now)
        if lim.daily_cap and self._values.get(k.day(req.day), 0) + 1 > lim.daily_cap:
            return Decision("exhausted", "daily", next_utc_midnight(now) - now)
        if lim.credits and (refusal := self._credits_refusal(req)):
            return refusal
        blocked = self._values.get(k.blocked, 0.0)
        if now < blocked:
            return Decision("wait", "blocked", blocked - now)
        for lane in LANES[: LANES.index(req.lane)]:
            if self._zset(k.waiters(lane), drop_below=now):
                return Decision("wait", "lane", 0.0)
        minute = self._zset(k.minute, drop_below=now - lim.window_seconds)
        if lim.per_minute and len(minute) >= lim.per_minute:
            return Decision("wait", "minute", min(minute.values()) + lim.window_seconds - now)
        if len(self._zset(k.in_flight, drop_below=now)) >= lim.concurrency:
            return Decision("wait", "in_flight", 0.0)
        return None

    def _credits_refusal(self, req: Request) -> Decision | None:
        buckets = _kept_buckets(self._buckets.get(req.keys.credits, {}), req.now)
        self._buckets[req.keys.credits] = buckets
        if sum(buckets.values()) + req.cost <= req.limits.credits:
            return None
        first = min(buckets, default=math.floor(req.now / CRM_CREDIT_BUCKET_SECONDS))
        retry = (first + 1) * CRM_CREDIT_BUCKET_SECONDS + DAY_SECONDS - req.now
        return Decision("exhausted", "credits", retry)

    def _grant(self, req: Request) -> None:
        k, lim = req.keys, req.limits
        self._zset(k.in_flight)[req.lease_id] = req.now + lim.lease_seconds
        if lim.per_minute:
            self._zset(k.minute)[req.lease_id] = req.now
        day = k.day(req.day)
        self._values[day] = self._values.get(day, 0) + 1
        if lim.credits:
            buckets = self._buckets.setdefault(k.credits, {})
            bucket = math.floor(req.now / CRM_CREDIT_BUCKET_SECONDS)
            buckets[bucket] = buckets.get(bucket, 0) + req.cost

    def release(self, keys: Keys, lease_id: str) -> None:
        with self._lock:
            self._zset(keys.in_flight).pop(lease_id, None)

    def forget_waiter(self, keys: Keys, lane: Lane, waiter_id: str) -> None:
        with self._lock:
            self._zset(keys.waiters(lane)).pop(waiter_id, None)

    def block(self, keys: Keys, *, now: float, pause: float, close: bool, backoff: bool) -> float:
        with self._lock:
            if backoff:
                strikes = self._strike(keys, now)
                pause = min(pause * 2 ** (strikes - 1), CRM_BACKOFF_CAP)
            target = keys.closed if close else keys.blocked
            self._values[target] = max(self._values.get(target, 0.0), now + pause)
            return self._values[target]

    def _strike(self, keys: Keys, now: float) -> int:
        """Strikes in a row; they are forgotten 10 minutes after the last one."""
        strikes, last = self._values.get(keys.strikes, 0), self._values.get(keys.strike_at, 0)
        strikes = strikes + 1 if now - last < 600 else 1
        self._values[keys.strikes], self._values[keys.strike_at] = strikes, now
        return int(strikes)

    def usage(self, keys: Keys, limits: Limits, now: float) -> Usage:
        with self._lock:
            return _usage(
                limits,
                now,
                minute=len(self._zset(keys.minute, drop_below=now - limits.window_seconds)),
                day=int(self._values.get(keys.day(utc_day(now)), 0)),
                credits=dict(self._buckets.get(keys.credits, {})),
                in_flight=len(self._zset(keys.in_flight, drop_below=now)),
                blocks=[self._values.get(keys.blocked, 0.0), self._values.get(keys.closed, 0.0)],
                waiting=[len(self._zset(keys.waiters(lane), drop_below=now)) for lane in LANES],
            )


# ------------------------------------------------------------------ the product's factory

_backend: Backend | None = None
_backend_lock = threading.Lock()


def backend() -> Backend:
    """The process's backend: Redis at ``settings.REDIS_URL``, else in-process memory."""
    global _backend
    with _backend_lock:
        if _backend is None:
            from django.conf import settings

            url = getattr(settings, "REDIS_URL", None)
            if url:
                import redis

                _backend = RedisBackend(redis.Redis.from_url(url))
            else:
                _backend = MemoryBackend()
        return _backend


def default_limits(service: Service) -> Limits:
    return Limits.books() if service == "books" else Limits.crm()


def gate(
    *,
    service: Service,
    org_id: str,
    lane: Lane = "realtime",
    limits: Limits | None = None,
    timeout: float = 30.0,
) -> OrgGate:
    """The budget gate to pass to ``zoho.books_client`` / ``zoho.crm_client``."""
    from django.conf import settings

    return OrgGate(
        backend(),
        service=service,
        org_id=org_id,
        limits=limits or default_limits(service),
        lane=lane,
        timeout=timeout,
        prefix=settings.BUDGET_KEY_PREFIX,
    )


def usage(service: Service, org_id: str, limits: Limits | None = None) -> Usage:
    """The organisation's budget right now, for the dashboard."""
    return gate(service=service, org_id=org_id, limits=limits).usage()
