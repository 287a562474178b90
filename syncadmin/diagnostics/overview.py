"""The overview at a glance: a few small reads plus the cached diagnostic facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Min
from django.utils import timezone

from syncadmin import budget
from syncadmin.connections import connection_limits
from syncadmin.diagnostics.checklist import Check, checklist_counts, checklist_evaluate
from syncadmin.diagnostics.facts import Facts, facts_get
from syncadmin.models import Connection, SyncSettings, Watermark
from syncadmin.sync.reasons import label
from syncadmin.sync.selectors import last_success_per_kind


@dataclass(frozen=True)
class Budget:
    connection: Connection
    usage: budget.Usage
    exhausted_at: datetime | None  # at this minute's rate, before the daily reset


@dataclass(frozen=True)
class Overview:
    connections: list[Connection]
    last_success: dict[str, datetime]
    watermark_age: dict[str, datetime | None]
    failures_by_reason: list[tuple[str, str, int]]
    budgets: list[Budget]
    settings: list[SyncSettings]
    review_waiting: int
    checks: list[Check]
    check_counts: dict[str, int]
    checked_at: datetime


def _exhaustion(usage: budget.Usage, now: datetime) -> datetime | None:
    if not usage.used_this_minute or not usage.daily_cap:
        return None
    left = max(0, usage.daily_cap - usage.used_today)
    at = now + timedelta(minutes=left / usage.used_this_minute)
    reset = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return at if at < reset else None


def budget_rows(connections: list[Connection], now: datetime) -> list[Budget]:
    rows = []
    for c in connections:
        if not c.organization_id:
            continue
        try:
            usage = budget.usage(c.service, c.organization_id, connection_limits(c))
        except Exception:
            continue
        rows.append(Budget(c, usage, _exhaustion(usage, now)))
    return rows


def overview_get(*, fresh: bool = False) -> Overview:
    now = timezone.now()
    facts: Facts = facts_get(fresh=fresh)
    checks = checklist_evaluate(facts)
    connections = list(Connection.objects.select_related("connected_by").order_by("service", "pk"))
    watermarks = dict(
        Watermark.objects.values_list("organization_id")
        .annotate(v=Min("value"))
        .values_list("organization_id", "v")
    )
    reasons = sorted(facts.open_by_reason.items(), key=lambda kv: -kv[1])
    return Overview(
        connections=connections,
        last_success=last_success_per_kind(),
        watermark_age=watermarks,
        failures_by_reason=[(code, label(code), n) for code, n in reasons],
        budgets=budget_rows(connections, now),
        settings=list(
            SyncSettings.objects.select_related("paused_by").order_by("books_organization_id")
        ),
        review_waiting=facts.open_by_reason.get("needs_review", 0),
        checks=checks,
        check_counts=checklist_counts(checks),
        checked_at=facts.now,
    )
