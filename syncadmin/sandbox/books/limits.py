"""Books API limits as a `books_endpoint` gate (zoho-api.md §3.10).

Per org: N requests per minute (code 44), a daily cap by plan (code 45, the message names
the cap) and at most M calls in flight (code 1070), all HTTP 429. Counters live in memory:
the sandbox serves from one process, and the sandbox clock (not wall time) drives the
windows, so `advance_clock` opens a new minute or day. Only admitted calls are counted;
the refusals are logged as ApiCall rows by the decorator like any other answer.
"""

import threading
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.http import HttpResponse

from .. import clock, knobs, lifecycle
from .. import limits as published
from ..api import CallContext, books_error, books_limit_error, inflight
from ..models import BooksOrg

_lock = threading.Lock()
_recent: dict[str, deque[datetime]] = defaultdict(deque)  # org → admitted call times
_daily: dict[tuple[str, str], int] = defaultdict(int)  # (org, local date) → admitted calls


def reset() -> None:
    with _lock:
        _recent.clear()
        _daily.clear()


lifecycle.register_reset_hook(reset)


def per_minute() -> int:
    return knobs.get().books_per_minute or published.BOOKS_PER_MINUTE


def daily_cap(org: BooksOrg) -> int:
    return knobs.get().books_daily_cap or published.books_daily_cap(org)


def concurrency(org: BooksOrg) -> int:
    return knobs.get().books_concurrency or published.books_concurrency(org)


def _minute_full(org_id: str, now: datetime, limit: int) -> bool:
    """Prune and test the per-minute window. Rolling: the last 60 s; fixed: the clock
    minute (UNCERTAIN which Zoho uses, hence the knob)."""
    window = _recent[org_id]
    if knobs.get().books_minute_window == "fixed":
        start = now.replace(second=0, microsecond=0)
        while window and window[0] < start:
            window.popleft()
    else:
        while window and (now - window[0]).total_seconds() >= 60:
            window.popleft()
    return len(window) >= limit


def _admit(org: BooksOrg) -> HttpResponse | None:
    """Count the call against the minute and the day, or say which limit refuses it."""
    now = clock.now()
    day = now.astimezone(ZoneInfo(org.time_zone)).date().isoformat()
    key = org.organization_id
    with _lock:
        if _minute_full(key, now, per_minute()):
            return books_limit_error(44, org)
        cap = daily_cap(org)
        if _daily[(key, day)] >= cap:
            message = (
                "The API call for this organization has exceeded the maximum call rate "
                f"limit of {cap:,}."
            )
            return books_error(45, message, 429)
        _recent[key].append(now)
        _daily[(key, day)] += 1
    return None


def usage(org: BooksOrg) -> dict:
    """Limits used right now, for the admin page: minute window, today, in flight."""
    now = clock.now()
    day = now.astimezone(ZoneInfo(org.time_zone)).date().isoformat()
    with _lock:
        _minute_full(org.organization_id, now, 0)
        minute = len(_recent[org.organization_id])
        today = _daily[(org.organization_id, day)]
    return {
        "per_minute": {"used": minute, "limit": per_minute()},
        "daily": {"used": today, "limit": daily_cap(org)},
        "in_flight": {
            "used": inflight.count(("books", org.organization_id)),
            "limit": concurrency(org),
        },
    }


def rate_limit_headers(org: BooksOrg) -> dict[str, str]:
    """`X-Rate-Limit-Limit/-Remaining/-Reset` as a 2019 capture shows them (§3.10,
    UNCERTAIN today, hence the `books_rate_limit_headers` knob): the daily cap, what is
    left of it, and seconds until the org's day ends."""
    now = clock.now()
    local = now.astimezone(ZoneInfo(org.time_zone))
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    cap = daily_cap(org)
    with _lock:
        used = _daily.get((org.organization_id, local.date().isoformat()), 0)
    return {
        "X-Rate-Limit-Limit": str(cap),
        "X-Rate-Limit-Remaining": str(max(0, cap - used)),
        "X-Rate-Limit-Reset": str(max(1, int((midnight - local).total_seconds()))),
    }


@contextmanager
def books_gate(ctx: CallContext) -> Iterator[HttpResponse | None]:
    """The gate: 1070 while `concurrency` calls of the org are running, else 44/45."""
    org = ctx.books_org
    if org is None:  # GET /organizations names no org
        yield None
        return
    with inflight.slot(("books", org.organization_id), concurrency(org)) as acquired:
        if not acquired:
            yield books_limit_error(1070, org)
            return
        yield _admit(org)
