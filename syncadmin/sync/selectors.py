"""Read-side queries for the sync screens: mapping, failures, history, one record's story.

Everything here is built to stay fast on a million links: list selectors return lazy
querysets ordered by an indexed column, searches are prefix or exact matches that an
index can answer, and per-row extras are fetched for one page of ids at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.db.models.functions import Lower, TruncDate
from django.utils import timezone

from syncadmin.models import (
    AuditEvent,
    BooksContact,
    CrmRecord,
    EventOutcome,
    LinkState,
    RecordLink,
    RunKind,
    RunStatus,
    SyncEvent,
    SyncFailure,
    SyncRun,
)
from syncadmin.models.mapping import LIVE_LINK
from syncadmin.sync.reasons import label, reason

# ---------------------------------------------------------------- mapping


# What one row of the mapping browser shows: the mirrors' raw Zoho payloads stay unread.
LINK_ROW_FIELDS = (
    "crm_module",
    "provenance",
    "state",
    "paused",
    "crossed",
    "last_pushed_at",
    "last_pulled_at",
    "updated_at",
    "crm_record__name",
    "crm_record__crm_id",
    "books_contact__contact_name",
    "books_contact__contact_id",
)


def link_list() -> QuerySet[RecordLink]:
    """Every link with the names and ids of both mirrors, newest change first."""
    # One column, so the -updated_at index serves the first page without a sort.
    return (
        RecordLink.objects.select_related("crm_record", "books_contact")
        .only(*LINK_ROW_FIELDS)
        .order_by("-updated_at")
    )


@dataclass(frozen=True)
class Total:
    count: int
    exact: bool


# Below this many links counting them is cheap; above it the planner's estimate is shown.
EXACT_COUNT_BELOW = 100_000


def link_total(*, exact_below: int = EXACT_COUNT_BELOW) -> Total:
    """How many links there are, for the unfiltered mapping list: PostgreSQL's own estimate
    (kept by ANALYZE and autovacuum, read from ``pg_class``) once the table is big, since
    an exact ``COUNT(*)`` of a million links costs more than the page; an exact count on a
    small table or another database."""
    if connection.vendor != "postgresql":
        return Total(RecordLink.objects.count(), exact=True)
    table = RecordLink._meta.db_table
    with connection.cursor() as cursor:
        # One round trip: the estimate, or the exact count when the estimate is small
        # (or unknown, -1, before the first ANALYZE).
        cursor.execute(
            "SELECT CASE WHEN reltuples >= %s THEN reltuples::bigint"
            f" ELSE (SELECT count(*) FROM {connection.ops.quote_name(table)}) END,"
            " reltuples < %s FROM pg_class WHERE oid = %s::regclass",
            [exact_below, exact_below, table],
        )
        count, exact = cursor.fetchone()
    return Total(count, exact=exact)


def open_failures_q() -> Exists:
    return Exists(SyncFailure.objects.filter(link=OuterRef("pk"), resolved_at__isnull=True))


SEARCH_LIMIT = 300  # matches per side; a broader search shows the first ones (narrow it)


def link_search(queryset: QuerySet[RecordLink], value: str) -> QuerySet[RecordLink]:
    """Links whose CRM record or Books customer has a name starting with ``value``
    (case-insensitive), or this email (any case), CRM id or Books id.

    Each side is matched through its own indexes (lower(name) prefix, lower(email), id) and
    the two link sets are united into one ``id IN (…)``: written as ``crm IN … OR books IN
    …`` PostgreSQL would walk the whole -updated_at index testing every link. Each side is
    capped at ``SEARCH_LIMIT`` matches so a one-word search stays a small nested loop.
    """
    value = value.strip()
    if not value:
        return queryset
    lowered = value.lower()
    crm = (
        CrmRecord.objects.annotate(lname=Lower("name"), lemail=Lower("email"))
        .filter(Q(lname__startswith=lowered) | Q(lemail=lowered) | Q(crm_id=value))
        .values("pk")[:SEARCH_LIMIT]
    )
    books = (
        BooksContact.objects.annotate(lname=Lower("contact_name"), lemail=Lower("email"))
        .filter(Q(lname__startswith=lowered) | Q(lemail=lowered) | Q(contact_id=value))
        .values("pk")[:SEARCH_LIMIT]
    )
    by_crm = RecordLink.objects.filter(crm_record__in=crm).values("pk")
    by_books = RecordLink.objects.filter(books_contact__in=books).values("pk")
    return queryset.filter(pk__in=by_crm.union(by_books))


def link_failure_counts(link_ids: Iterable[int]) -> dict[int, int]:
    """Open failures per link, for one page of links."""
    rows = (
        SyncFailure.objects.filter(link_id__in=list(link_ids), resolved_at__isnull=True)
        .values("link_id")
        .annotate(n=Count("id"))
    )
    return {row["link_id"]: row["n"] for row in rows}


def link_get(pk: int) -> RecordLink:
    return RecordLink.objects.select_related("crm_record", "books_contact", "paused_by").get(pk=pk)


def live_link_for_crm(crm_record: CrmRecord) -> RecordLink | None:
    return (
        RecordLink.objects.filter(LIVE_LINK, crm_record=crm_record)
        .select_related("crm_record", "books_contact", "paused_by")
        .first()
    )


def unlinked_crm_list() -> QuerySet[CrmRecord]:
    """CRM records without a live link to any Books customer."""
    live = RecordLink.objects.filter(LIVE_LINK, crm_record=OuterRef("pk")).exclude(
        books_contact=None
    )
    return CrmRecord.objects.filter(~Exists(live), deleted_at__isnull=True).order_by("-id")


def unlinked_books_list() -> QuerySet[BooksContact]:
    """Books customers no live link points at."""
    live = RecordLink.objects.filter(LIVE_LINK, books_contact=OuterRef("pk")).exclude(
        crm_record=None
    )
    return BooksContact.objects.filter(~Exists(live), deleted_at__isnull=True).order_by("-id")


def books_contact_search(*, organization_id: str, value: str, limit: int = 10) -> list:
    """Books customers of the organisation by name prefix or exact id, for the picker."""
    value = value.strip()
    if not value:
        return []
    return list(
        BooksContact.objects.annotate(lname=Lower("contact_name"))
        .filter(organization_id=organization_id, deleted_at__isnull=True)
        .filter(Q(lname__startswith=value.lower()) | Q(contact_id=value))
        .order_by("contact_name")[:limit]
    )


EXPORT_FIELDS = (
    "id",
    "books_organization_id",
    "crm_module",
    "crm_record__crm_id",
    "crm_record__name",
    "crm_record__email",
    "books_contact__contact_id",
    "books_contact__contact_name",
    "books_contact__email",
    "provenance",
    "state",
    "paused",
    "paused_reason",
    "paused_until",
    "crossed",
    "written_back",
    "last_pushed_at",
    "last_pulled_at",
    "created_at",
    "updated_at",
)


def link_export_rows(queryset: QuerySet[RecordLink], *, chunk: int = 2000) -> Iterator[tuple]:
    """The links as plain tuples in ``EXPORT_FIELDS`` order, streamed from a server-side
    cursor in chunks, so exporting a million links holds one chunk in memory."""
    plain = queryset.select_related(None).order_by("id").values_list(*EXPORT_FIELDS)
    return plain.iterator(chunk_size=chunk)


# ---------------------------------------------------------------- failures


@dataclass(frozen=True)
class ReasonGroup:
    code: str
    label: str
    count: int
    explanation: str
    fix: str
    last_seen_at: datetime | None


# What one row of the failures list shows (and its fix form needs).
FAILURE_ROW_FIELDS = (
    "link_id",
    "crm_record__name",
    "operation",
    "reason_code",
    "zoho_message",
    "suggested_fix",
    "details",
    "attempts",
    "last_seen_at",
    "resolved_at",
)


def failure_list() -> QuerySet[SyncFailure]:
    """Failures newest first (index on -last_seen_at), with the CRM record's name."""
    return (
        SyncFailure.objects.select_related("crm_record")
        .only(*FAILURE_ROW_FIELDS)
        .order_by("-last_seen_at")
    )


def failure_summary() -> list[ReasonGroup]:
    """Open failures grouped by reason, biggest group first, with the catalogue's words."""
    rows = (
        SyncFailure.objects.filter(resolved_at__isnull=True)
        .values("reason_code")
        # COUNT(*), not COUNT(id): the open_failure_by_reason index answers it alone.
        .annotate(n=Count("*"), last=Max("last_seen_at"))
        .order_by("-n", "reason_code")
    )
    return [
        ReasonGroup(
            code=row["reason_code"],
            label=label(row["reason_code"]),
            count=row["n"],
            explanation=reason(row["reason_code"]).explanation,
            fix=reason(row["reason_code"]).fix,
            last_seen_at=row["last"],
        )
        for row in rows
    ]


def failure_get(pk: int) -> SyncFailure:
    return SyncFailure.objects.select_related("crm_record", "books_contact", "link").get(pk=pk)


def failures_by_ids(ids: Iterable[int]) -> list[SyncFailure]:
    return list(
        SyncFailure.objects.filter(pk__in=list(ids), resolved_at__isnull=True).select_related(
            "crm_record"
        )
    )


FAILURE_EXPORT_FIELDS = (
    "id",
    "organization_id",
    "operation",
    "reason_code",
    "zoho_code",
    "zoho_message",
    "crm_record__module",
    "crm_record__crm_id",
    "crm_record__name",
    "books_contact__contact_id",
    "attempts",
    "first_seen_at",
    "last_seen_at",
    "resolved_at",
)


def failure_export_rows(queryset: QuerySet[SyncFailure]) -> Iterator[tuple]:
    plain = queryset.select_related(None).order_by("id").values_list(*FAILURE_EXPORT_FIELDS)
    return plain.iterator(chunk_size=2000)


# ---------------------------------------------------------------- history

PUSH_DONE = (EventOutcome.CREATED, EventOutcome.UPDATED, EventOutcome.LINKED)


def run_list() -> QuerySet[SyncRun]:
    return SyncRun.objects.select_related("triggered_by").order_by("-created_at")


def run_get(pk: int) -> SyncRun:
    return SyncRun.objects.select_related("triggered_by").get(pk=pk)


def run_event_list(run: SyncRun) -> QuerySet[SyncEvent]:
    return (
        SyncEvent.objects.filter(run=run)
        .select_related("crm_record", "books_contact")
        .order_by("-at", "-id")
    )


@dataclass(frozen=True)
class DayCount:
    day: date
    pushes: int
    failures: int


def activity_per_day(*, days: int = 30, now: datetime | None = None) -> list[DayCount]:
    """Pushed records and failures per day for the last ``days`` days (zeros included)."""
    today = timezone.localdate(now or timezone.now())
    since = timezone.make_aware(
        datetime.combine(today - timedelta(days=days - 1), datetime.min.time())
    )
    events = (
        SyncEvent.objects.filter(at__gte=since, run__kind=RunKind.PUSH, outcome__in=PUSH_DONE)
        .annotate(day=TruncDate("at"))
        .values("day")
        .annotate(n=Count("id"))
    )
    failures = (
        SyncFailure.objects.filter(last_seen_at__gte=since)
        .annotate(day=TruncDate("last_seen_at"))
        .values("day")
        .annotate(n=Count("id"))
    )
    pushes = {row["day"]: row["n"] for row in events}
    failed = {row["day"]: row["n"] for row in failures}
    span = [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    return [DayCount(d, pushes.get(d, 0), failed.get(d, 0)) for d in span]


def last_success_per_kind() -> dict[str, datetime]:
    rows = (
        SyncRun.objects.filter(status__in=(RunStatus.SUCCEEDED, RunStatus.PARTIAL))
        .values("kind")
        .annotate(last=Max("finished_at"))
    )
    return {row["kind"]: row["last"] for row in rows if row["last"]}


# ---------------------------------------------------------------- one record's story


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # push, pull, failure, retry, resolved, audit …
    who: str
    text: str


def record_timeline(
    *, crm_record: CrmRecord | None, books_contact: BooksContact | None, limit: int = 200
) -> list[TimelineEntry]:
    """Everything that happened to a CRM ↔ Books pair, newest first: run events, failures
    (opened, retried, resolved) and audit entries (pauses, link changes, approvals …)."""
    entries = [
        *_event_entries(crm_record, books_contact, limit),
        *_failure_entries(crm_record, books_contact, limit),
        *_audit_entries(crm_record, books_contact, limit),
    ]
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]


def _side_q(crm_record, books_contact) -> Q:
    q = Q(pk__in=[])
    if crm_record is not None:
        q |= Q(crm_record=crm_record)
    if books_contact is not None:
        q |= Q(books_contact=books_contact)
    return q


def _event_entries(crm_record, books_contact, limit) -> list[TimelineEntry]:
    events = (
        SyncEvent.objects.filter(_side_q(crm_record, books_contact))
        .select_related("run__triggered_by")
        .order_by("-at")[:limit]
    )
    pulls = (RunKind.MIRROR_CRM, RunKind.MIRROR_BOOKS, RunKind.RECONCILE)
    return [
        TimelineEntry(
            at=e.at,
            kind="pull" if e.run.kind in pulls else e.run.kind,
            who=e.run.triggered_by.get_username() if e.run.triggered_by else e.run.trigger,
            text=f"{e.run.get_kind_display()}: {e.get_outcome_display()}"
            + (f" — {e.message}" if e.message else ""),
        )
        for e in events
    ]


def _failure_entries(crm_record, books_contact, limit) -> list[TimelineEntry]:
    failures = (
        SyncFailure.objects.filter(_side_q(crm_record, books_contact))
        .select_related("resolved_by")
        .order_by("-last_seen_at")[:limit]
    )
    entries = []
    for f in failures:
        entries.append(
            TimelineEntry(
                f.first_seen_at, "failure", "system", f"{label(f.reason_code)}: {f.explanation}"
            )
        )
        if f.attempts > 1:
            entries.append(
                TimelineEntry(
                    f.last_seen_at,
                    "retry",
                    "system",
                    f"Retried {f.attempts - 1}×, still {label(f.reason_code).lower()}",
                )
            )
        if f.resolved_at:
            who = f.resolved_by.get_username() if f.resolved_by else "system"
            entries.append(
                TimelineEntry(
                    f.resolved_at,
                    "resolved",
                    who,
                    f"{label(f.reason_code)} resolved: {f.resolution}",
                )
            )
    return entries


def _audit_entries(crm_record, books_contact, limit) -> list[TimelineEntry]:
    q = Q(pk__in=[])
    if crm_record is not None:
        q |= Q(target_type="record", target_id=f"{crm_record.module}:{crm_record.crm_id}")
    if books_contact is not None:
        q |= Q(target_type="books_contact", target_id=books_contact.contact_id)
    rows = AuditEvent.objects.filter(q).order_by("-at")[:limit]
    return [TimelineEntry(a.at, "audit", a.actor_label, _audit_text(a)) for a in rows]


def _audit_text(event: AuditEvent) -> str:
    text = event.action.replace(".", " ").replace("_", " ")
    return f"{text.capitalize()}" + (f" — {event.note}" if event.note else "")


FIELD_PAIRS = (
    ("Name", "name", "contact_name"),
    ("Email", "email", "email"),
    ("Phone", "phone", "phone"),
    ("Currency", "currency", "currency_code"),
    ("Tax treatment", "tax_treatment", "tax_treatment"),
    ("Place of supply", "place_of_supply", "place_of_supply"),
    ("Tax registration", "tax_reg_no", "tax_reg_no"),
)


@dataclass(frozen=True)
class FieldRow:
    label: str
    crm: str
    books: str
    differs: bool


def record_field_rows(
    crm_record: CrmRecord | None, books_contact: BooksContact | None
) -> list[FieldRow]:
    """Both sides' values side by side; ``differs`` when both are known and disagree."""
    rows = []
    for title, crm_field, books_field in FIELD_PAIRS:
        left = str(getattr(crm_record, crm_field, "") or "") if crm_record else ""
        right = str(getattr(books_contact, books_field, "") or "") if books_contact else ""
        differs = (
            bool(crm_record and books_contact) and left.strip().lower() != right.strip().lower()
        )
        rows.append(FieldRow(title, left, right, differs))
    return rows


def link_states_count() -> dict[str, int]:
    rows = RecordLink.objects.values("state").annotate(n=Count("id")).order_by()
    by_state = {row["state"]: row["n"] for row in rows}
    return {state.label: by_state.get(state.value, 0) for state in LinkState}
