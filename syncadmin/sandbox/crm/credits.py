"""API credits per rolling 24 h and concurrency per org and app (zoho-api.md §2.8).

`gate` is the `crm_endpoint` gate: it refuses with 429 TOO_MANY_REQUESTS when the day's
credits are spent or the org already runs its edition's number of calls for this client;
`with_credits_header` adds `X-API-CREDITS-REMAINING` once half the credits are used."""

import math
import threading
import time
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


def slot_key(ctx: CallContext) -> tuple:
    client = ctx.token.client_id if ctx.token else ""
    return (Service.CRM, ctx.org_id, client)


@contextmanager
def gate(ctx: CallContext) -> Iterator[HttpResponse | None]:
    org = ctx.crm_org
    if org is None:
        yield None
        return
    used = credits_used(org)
    daily = daily_credits(org)
    ctx.extra.update(credits_used=used, credits_daily=daily)
    if used + 1 > daily:
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
