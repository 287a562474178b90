"""API credits per rolling 24 h and concurrency per org and app (zoho-api.md §2.8).

`gate` is the `crm_endpoint` gate: it refuses with 429 TOO_MANY_REQUESTS when the day's
credits are spent or the org already runs its edition's number of calls for this client;
`with_credits_header` adds `X-API-CREDITS-REMAINING` once half the credits are used."""

import json
import math
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import wraps

from django.db.models import Sum
from django.http import HttpRequest, HttpResponse

from .. import clock, knobs, limits
from ..api import CallContext, crm_too_many_requests, inflight
from ..models import ApiCall, CrmOrg
from ..models.control import Service

WINDOW = timedelta(hours=24)
RECORDS_PER_CREDIT = 10
HEADER = "X-API-CREDITS-REMAINING"


def daily_credits(org: CrmOrg) -> int:
    return knobs.get().crm_daily_credits or limits.crm_daily_credits(org)


def concurrency(org: CrmOrg) -> int:
    return knobs.get().crm_concurrency or limits.crm_concurrency(org)


def credits_used(org: CrmOrg) -> int:
    """Credits charged to the org over the rolling 24 hours (from the ApiCall log)."""
    since = clock.now() - WINDOW
    used = ApiCall.objects.filter(service=Service.CRM, org_id=org.org_id, at__gt=since)
    return used.aggregate(total=Sum("credits"))["total"] or 0


def write_cost(records: int) -> int:
    """Insert/update/upsert: 1 credit per 10 records, at least 1."""
    return max(1, math.ceil(records / RECORDS_PER_CREDIT))


def write_request_cost(request: HttpRequest) -> int:
    """The credits a write call costs, from its body's `data` array (§2.5, §2.8); a body
    the view will refuse costs 1, like any other call."""
    try:
        data = json.loads(request.body or b"{}").get("data")
    except (ValueError, AttributeError):
        return 1
    return write_cost(len(data)) if isinstance(data, list) and data else 1


def slot_key(ctx: CallContext) -> tuple:
    client = ctx.token.client_id if ctx.token else ""
    return (Service.CRM, ctx.org_id, client)


# Credits charged by calls that passed the gate but whose ApiCall row is not written yet,
# per org. The sandbox serves from one process, so this in-process ledger is exact.
_reserved: dict[str, int] = defaultdict(int)
_reserve_lock = threading.Lock()


def _reserve(ctx: CallContext, org: CrmOrg, daily: int) -> bool:
    """Reserve the call's cost if `used + reserved + cost <= daily`; the reservation ends
    once the call's ApiCall row (which then counts in `credits_used`) is written. Reading
    the log under the lock makes check-and-reserve atomic: concurrent calls cannot
    together overspend the day's credits."""
    cost = ctx.credits
    with _reserve_lock:
        used = credits_used(org) + _reserved[org.org_id]
        ctx.extra.update(credits_used=used, credits_daily=daily)
        if used + cost > daily:
            return False
        _reserved[org.org_id] += cost

    def release() -> None:
        with _reserve_lock:
            _reserved[org.org_id] -= cost

    ctx.after_log.append(release)
    return True


@contextmanager
def gate(ctx: CallContext) -> Iterator[HttpResponse | None]:
    """Refuse (429) a call whose cost does not fit the day's remaining credits, or when
    the org already runs its concurrency limit of calls for this client."""
    org = ctx.crm_org
    if org is None:
        yield None
        return
    if not _reserve(ctx, org, daily_credits(org)):
        yield crm_too_many_requests()
        return
    with inflight.slot(slot_key(ctx), concurrency(org)) as acquired:
        yield None if acquired else crm_too_many_requests()


@contextmanager
def heavy_gate(ctx: CallContext) -> Iterator[HttpResponse | None]:
    """`gate` plus the sub-concurrency limit of heavy APIs such as search."""
    with gate(ctx) as refusal:
        if refusal is not None or ctx.crm_org is None:
            yield refusal
            return
        limit = min(limits.CRM_HEAVY_CONCURRENCY, concurrency(ctx.crm_org))
        with inflight.slot((*slot_key(ctx), "heavy"), limit) as acquired:
            yield None if acquired else crm_too_many_requests()


def with_credits_header(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        ctx = request.zoho
        daily = ctx.extra.get("credits_daily")
        if daily:
            used = ctx.extra["credits_used"] + ctx.credits
            if used * 2 >= daily:
                response[HEADER] = str(max(0, daily - used))
        return response

    return wrapper


def occupy(org_id: str, client_pk: int, count: int, seconds: float) -> int:
    """Hold `count` concurrency slots for `seconds` on a background thread, as other
    in-flight calls of the same app would (control API, for tests). Returns slots taken."""
    key = (Service.CRM, org_id, client_pk)
    ready = threading.Barrier(count + 1, timeout=5)

    def hold() -> None:
        with inflight.slot(key, 10**6):
            ready.wait()
            time.sleep(seconds)

    for _ in range(count):
        threading.Thread(target=hold, daemon=True).start()
    ready.wait()
    return inflight.count(key)
