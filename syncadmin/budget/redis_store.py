"""Budgets in Redis, shared by every process; each operation is one Lua script.

The scripts live next to this module (``acquire.lua``, ``block.lua``) and ship as package
data. Times are written by callers, so all processes need NTP-synchronised clocks.
"""

from __future__ import annotations

from importlib.resources import files

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
from syncadmin.budget.limits import CRM_CREDIT_BUCKET_SECONDS, Limits, Usage, minute_allowance


def _script(name: str) -> str:
    return files(__package__).joinpath(name).read_text(encoding="utf-8")


class RedisBackend:
    """Budgets in Redis, shared by every process; each operation is one Lua script."""

    def __init__(self, redis) -> None:
        self.redis = redis
        self._acquire = redis.register_script(_script("acquire.lua"))
        self._block = redis.register_script(_script("block.lua"))

    def try_acquire(self, req: Request) -> Decision:
        k, lim = req.keys, req.limits
        keys = [k.minute, k.in_flight, k.day(req.day), k.credits, k.blocked, k.closed]
        keys += [k.waiters(lane) for lane in LANES]
        args = [req.now, LANES.index(req.lane) + 1, req.waiter_id, req.lease_id, req.cost]
        args += [minute_allowance(lim.per_minute, req.lane), lim.window_seconds, lim.daily_cap]
        args += [lim.credits]
        args += [CRM_CREDIT_BUCKET_SECONDS, lim.concurrency, lim.lease_seconds, WAITER_TTL]
        args += [next_utc_midnight(req.now)]
        args = [a if isinstance(a, str) else repr(a) for a in args]
        status, why, seconds = self._acquire(keys=keys, args=args)
        return Decision(_text(status), _text(why), float(seconds))

    def release(self, keys: Keys, lease_id: str, now: float) -> None:
        pipe = self.redis.pipeline(transaction=False)
        pipe.zrem(keys.in_flight, lease_id)
        pipe.zadd(keys.minute, {lease_id: now}, xx=True)  # only a call the minute counts
        pipe.execute()

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
        return Usage.counted(
            limits,
            now,
            minute=minute,
            day=int(day or 0),
            credits={int(b): int(v) for b, v in credits.items()},
            in_flight=in_flight,
            blocks=[float(b) for b in blocks if b],
            waiting=dict(zip(LANES, waiting, strict=True)),
        )


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
