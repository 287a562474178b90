"""Read-side queries. Views call these; they never chain the ORM themselves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, QuerySet

from syncadmin import budget
from syncadmin.connections import connection_limits
from syncadmin.models import (
    Connection,
    ConnectionStatus,
    LinkState,
    RecordLink,
    SyncFailure,
    SyncRun,
    WorkerHeartbeat,
)

PROBLEM_STATUSES = (ConnectionStatus.NEEDS_REAUTH, ConnectionStatus.USER_INACTIVE)


@dataclass(frozen=True)
class Overview:
    links_by_state: dict[str, int]
    paused_links: int
    open_failures: int
    failures_by_reason: list[dict]
    recent_runs: list[SyncRun]
    connections: list[Connection]
    budgets: list[tuple[Connection, budget.Usage]]
    worker_last_beat: datetime | None


def connection_list() -> QuerySet[Connection]:
    return Connection.objects.order_by("service", "organization_name")


def connection_problem_list() -> list[Connection]:
    """Connections whose state must be shown on every page until someone fixes it."""
    return list(Connection.objects.filter(status__in=PROBLEM_STATUSES).order_by("service"))


def link_list() -> QuerySet[RecordLink]:
    return RecordLink.objects.select_related("crm_record", "books_contact").order_by("-updated_at")


def failure_list() -> QuerySet[SyncFailure]:
    return SyncFailure.objects.select_related("crm_record", "books_contact").order_by(
        "-last_seen_at"
    )


def run_list() -> QuerySet[SyncRun]:
    return SyncRun.objects.select_related("triggered_by").order_by("-created_at")


def budget_list(connections: list[Connection]) -> list[tuple[Connection, budget.Usage]]:
    """Each bound connection's API budget as the shared limiter sees it right now."""
    return [
        (c, budget.usage(c.service, c.organization_id, connection_limits(c)))
        for c in connections
        if c.organization_id
    ]


def overview_get() -> Overview:
    by_state = dict(
        RecordLink.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n")
    )
    open_failures = SyncFailure.objects.filter(resolved_at__isnull=True)
    beat = WorkerHeartbeat.objects.order_by("-beat_at").first()
    connections = list(connection_list())
    return Overview(
        links_by_state={state.label: by_state.get(state.value, 0) for state in LinkState},
        paused_links=RecordLink.objects.filter(paused=True).count(),
        open_failures=open_failures.count(),
        failures_by_reason=list(
            open_failures.values("reason_code").annotate(n=Count("id")).order_by("-n")[:5]
        ),
        recent_runs=list(run_list()[:5]),
        connections=connections,
        budgets=budget_list(connections),
        worker_last_beat=beat.beat_at if beat else None,
    )
