"""The budget in this process only, for when there is no ``REDIS_URL``: the same rules as
``redis_store`` (its Lua scripts, in Python under one lock), but it limits nothing across
processes."""

from __future__ import annotations

import math
import threading

from syncadmin.budget.gate import (
    CRM_BACKOFF_CAP,
    LANES,
    WAITER_TTL,
    Decision,
    Keys,
    Lane,
    Request,
    next_utc_midnight,
    utc_day,
)
from syncadmin.budget.limits import (
    CRM_CREDIT_BUCKET_SECONDS,
    DAY_SECONDS,
    Limits,
    Usage,
    kept_buckets,
    minute_allowance,
)


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
        if lim.per_minute and len(minute) >= minute_allowance(lim.per_minute, req.lane):
            return Decision("wait", "minute", min(minute.values()) + lim.window_seconds - now)
        if len(self._zset(k.in_flight, drop_below=now)) >= lim.concurrency:
            return Decision("wait", "in_flight", 0.0)
        return None

    def _credits_refusal(self, req: Request) -> Decision | None:
        buckets = kept_buckets(self._buckets.get(req.keys.credits, {}), req.now)
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

    def release(self, keys: Keys, lease_id: str, now: float) -> None:
        with self._lock:
            self._zset(keys.in_flight).pop(lease_id, None)
            minute = self._zset(keys.minute)
            if lease_id in minute:
                minute[lease_id] = now

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
            return Usage.counted(
                limits,
                now,
                minute=len(self._zset(keys.minute, drop_below=now - limits.window_seconds)),
                day=int(self._values.get(keys.day(utc_day(now)), 0)),
                credits=dict(self._buckets.get(keys.credits, {})),
                in_flight=len(self._zset(keys.in_flight, drop_below=now)),
                blocks=[self._values.get(keys.blocked, 0.0), self._values.get(keys.closed, 0.0)],
                waiting={
                    lane: len(self._zset(keys.waiters(lane), drop_below=now)) for lane in LANES
                },
            )
