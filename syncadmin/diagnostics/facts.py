"""The evidence the checklist judges, read from the mirrors in a handful of queries.

These scans touch every mirror row (duplicate names, currency mismatches), so the result
is cached: a beat task refreshes it every ten minutes, "Check again" on demand, and the
overview reads the cache.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Count, F, Min, Q
from django.db.models.functions import Lower, TruncDate
from django.utils import timezone

from syncadmin.models import (
    AuditEvent,
    BooksContact,
    Connection,
    CrmRecord,
    InboxDelivery,
    InboxStatus,
    LinkState,
    RecordLink,
    RunStatus,
    SyncFailure,
    SyncRun,
    SyncSettings,
)
from syncadmin.sync.runs import STALE_AFTER
from syncadmin.sync.selectors import last_success_per_kind

CACHE_KEY = "diagnostics:facts:v1"
CACHE_SECONDS = 30 * 60  # the beat refreshes it well before
RECENT = timedelta(days=90)
BURST_MIN = 20


@dataclass
class Facts:
    now: datetime
    last_success: dict[str, datetime]
    stuck_runs: int
    settings: list[dict]
    connections: list[dict]
    books_name_groups: int = 0
    books_identical_groups: int = 0
    books_email_groups: int = 0
    crm_name_groups: int = 0
    reconnects: list[dict] = field(default_factory=list)
    burst_days: list[tuple[str, int]] = field(default_factory=list)
    # CRM records whose id two live Books customers carry: the native sync re-paired by
    # name after a reconnect and created renamed records again.
    crm_ids_on_two_customers: int = 0
    books_made_since_integration: int = 0
    crm_made_since_integration: int = 0
    crossed_links: int = 0
    native_duplicates: int = 0
    orphaned: dict[str, int] = field(default_factory=dict)
    open_by_reason: dict[str, int] = field(default_factory=dict)
    currency_mismatches: int = 0
    # Unlinked CRM records that would fail Books' mandatory-field check if pushed now.
    preflight_missing: dict[str, int] = field(default_factory=dict)
    rejected_deliveries: int = 0
    mirrored_records: int = 0


def facts_get(*, fresh: bool = False) -> Facts:
    """The latest facts, at most ``CACHE_SECONDS`` old (``fresh`` re-reads the mirrors)."""
    if not fresh:
        cached = cache.get(CACHE_KEY)
        if cached is not None:
            return cached
    found = facts_collect()
    cache.set(CACHE_KEY, found, CACHE_SECONDS)
    return found


def facts_collect(*, now: datetime | None = None) -> Facts:
    now = now or timezone.now()
    facts = Facts(
        now=now,
        last_success=last_success_per_kind(),
        stuck_runs=SyncRun.objects.filter(
            status=RunStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER
        ).count(),
        settings=list(
            SyncSettings.objects.values(
                "pk", "books_organization_id", "paused", "paused_at", "paused_reason",
                "paused_by__username", "writeback_field", "writeback_field_present",
                "channel_expires_at", "channel_error", "last_webhook_at",
                "native_integration_active", "books_country",
            )
        ),
        connections=list(
            Connection.objects.values(
                "pk", "service", "organization_name", "status", "user_name", "user_active",
                "last_health_check_at",
            )
        ),
    )  # fmt: skip
    _duplicates(facts)
    _reconnects(facts, now)
    _links(facts)
    _preflight(facts)
    facts.rejected_deliveries = InboxDelivery.objects.filter(
        status=InboxStatus.REJECTED, received_at__gte=now - timedelta(days=1)
    ).count()
    return facts


def _duplicates(facts: Facts) -> None:
    books = BooksContact.objects.filter(deleted_at__isnull=True, status="active")
    by_name = (
        books.annotate(lname=Lower("contact_name"))
        .values("organization_id", "lname")
        .annotate(n=Count("id"), emails=Count(Lower("email"), distinct=True))
        .filter(n__gt=1)
    )
    facts.books_name_groups = by_name.count()
    facts.books_identical_groups = by_name.filter(emails__lte=1).count()
    facts.books_email_groups = (
        books.exclude(email="")
        .annotate(lemail=Lower("email"), lname=Lower("contact_name"))
        .values("organization_id", "lemail")
        .annotate(n=Count("id"), names=Count("lname", distinct=True))
        .filter(n__gt=1, names__gt=1)
        .count()
    )
    facts.crm_name_groups = (
        CrmRecord.objects.filter(deleted_at__isnull=True)
        .annotate(lname=Lower("name"))
        .values("module", "lname")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    facts.mirrored_records = books.count()


def _reconnects(facts: Facts, now: datetime) -> None:
    facts.reconnects = list(
        AuditEvent.objects.filter(
            action__in=("connection.disconnect", "connection.connect"), at__gte=now - RECENT
        ).values("action", "actor_label", "at", "target_label")[:20]
    )
    crm_made = BooksContact.objects.filter(
        Q(zcrm_account_id__gt="") | Q(zcrm_contact_id__gt=""), created_time__isnull=False
    )
    days = list(
        crm_made.annotate(day=TruncDate("created_time"))
        .values("day")
        .annotate(n=Count("id"))
        .filter(n__gte=BURST_MIN)
        .order_by("day")
    )
    total = crm_made.count()
    facts.crm_ids_on_two_customers = (
        crm_made.filter(deleted_at__isnull=True, status="active")
        .exclude(zcrm_account_id="")
        .values("organization_id", "zcrm_account_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    facts.burst_days = [(str(d["day"]), d["n"]) for d in days if d["n"] >= total * 0.05]
    started = crm_made.aggregate(first=Min("created_time"))["first"]
    if started:
        facts.crm_made_since_integration = total
        facts.books_made_since_integration = BooksContact.objects.filter(
            zcrm_account_id="", zcrm_contact_id="", created_time__gt=started,
            deleted_at__isnull=True,
        ).count()  # fmt: skip


def _links(facts: Facts) -> None:
    facts.crossed_links = RecordLink.objects.filter(crossed=True).count()
    facts.native_duplicates = RecordLink.objects.filter(state=LinkState.NATIVE_DUPLICATE).count()
    orphan_states = (LinkState.ORPHANED_BOOKS, LinkState.ORPHANED_CRM, LinkState.BOOKS_INACTIVE,
                     LinkState.CRM_MERGED)  # fmt: skip
    facts.orphaned = dict(
        RecordLink.objects.filter(state__in=orphan_states)
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    facts.open_by_reason = dict(
        SyncFailure.objects.filter(resolved_at__isnull=True)
        .values_list("reason_code")
        .annotate(n=Count("id"))
        .values_list("reason_code", "n")
    )
    facts.currency_mismatches = (
        RecordLink.objects.filter(state=LinkState.LINKED)
        .exclude(crm_record__currency="")
        .exclude(books_contact__currency_code="")
        .exclude(crm_record__currency=F("books_contact__currency_code"))
        .count()
    )


PREFLIGHT_LIMIT = 5000


def _preflight(facts: Facts) -> None:
    """Shape the most recent unlinked CRM records as a push would, without calling Zoho."""
    from syncadmin.sync.selectors import unlinked_crm_list
    from syncadmin.sync.shape import books_payload

    countries = {s["books_organization_id"]: s.get("books_country", "") for s in facts.settings}
    country = next(iter(countries.values()), "") if len(countries) == 1 else ""
    if not country:
        return
    found: dict[str, int] = {}
    records = unlinked_crm_list().values_list("module", "raw")[:PREFLIGHT_LIMIT]
    for module, raw in records:
        missing = books_payload(module=module, fields=raw or {}, country=country).missing
        if missing:
            found[missing] = found.get(missing, 0) + 1
    facts.preflight_missing = found
