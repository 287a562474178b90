"""Mirror pulls: CRM Accounts/Contacts (and their deletions, deal counts) and Books contacts
(with their money) into the local tables, as resumable runs with progress.

Resuming. A pull saves its cursor after every page it has stored, so a killed pull picks up
at the page that was in flight:

* CRM lists are read oldest change first (``sort_by=Modified_Time asc``), so the cursor is
  a time, not a page token: the resumed read asks ``If-Modified-Since`` the newest
  ``Modified_Time`` stored and skips the ids it stored at that very second. Page tokens
  expire after 24 h and are bound to the user; a time never expires.
* Books lists contacts newest change first and has no modified-time filter for contacts
  (zoho-api.md §3.2), so its cursor is the next page number. A contact deleted between the
  kill and the resume shifts later contacts one place up; the weekly full pull (which also
  finds Books deletions) repairs that rare miss.

API cost, bounded by design (zoho-api.md §3.6):

* Books ``outstanding_receivable_amount`` and ``has_transaction`` come with the list.
* Invoice count and last invoice status/date: for the contacts a pull saw change that have
  transactions, either one ``GET /invoices?customer_id=…&per_page=1&response_option=1``
  each (count and newest invoice in one call) or one scan of all invoices (200 a page),
  whichever costs fewer calls: one count-only call tells the scan's price. A full mirror of
  2 000 contacts with 6 000 invoices costs 30 invoice calls, not 2 000.
* ``cf_crm_ref`` is only in a contact's detail, not in list items: the list pull keeps the
  value syncadmin stored when it pushed (upsert answers carry it) rather than spending one
  call per contact.
* CRM deal counts: a scan of Deals asking only ``Account_Name,Contact_Name`` (200 a page)
  on a full pull and at most once a day afterwards; deals are counted, not mirrored.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from syncadmin.models import (
    BooksContact,
    CrmRecord,
    RunKind,
    RunStatus,
    RunTrigger,
    SyncRun,
    SyncSettings,
    Watermark,
)
from syncadmin.sync import runs
from syncadmin.sync.profile import NotConnected, OrgClients, org_clients, sync_settings_ensure
from syncadmin.sync.rows import as_date, books_contact_values, crm_record_values
from syncadmin.zoho.errors import TransientZohoError, ZohoError
from syncadmin.zoho.types import CrmRecord as ZohoRecord
from syncadmin.zoho.types import parse_time

PAGE = 200
CRM_MODULES = ("Accounts", "Contacts")
MAX_FIELDS = 50  # Zoho's cap on ``fields``
DEAL_COUNT_EVERY = timedelta(days=1)
BOOKS_FULL_EVERY = timedelta(days=7)
MONEY_FIELDS = ("Books_Outstanding", "Books_Last_Invoice_Status", "Books_Last_Invoice_Date")
COMMON_FIELDS = (
    "Owner", "Currency", "Phone", "Created_Time", "Modified_Time", "GST_Treatment", "GST_No",
    "VAT_Treatment", "VAT_Reg_No", "Place_of_Supply",
)  # fmt: skip
MODULE_FIELDS = {
    "Accounts": (
        "Account_Name", "Account_Type", "Website", "Billing_Street", "Billing_City",
        "Billing_State", "Billing_Code", "Billing_Country", *MONEY_FIELDS,
    ),
    "Contacts": (
        "First_Name", "Last_Name", "Full_Name", "Email", "Account_Name", "Mailing_Street",
        "Mailing_City", "Mailing_State", "Mailing_Zip", "Mailing_Country", *MONEY_FIELDS,
    ),
}  # fmt: skip
CRM_COLUMNS = [
    f.name
    for f in CrmRecord._meta.concrete_fields
    if f.name not in ("id", "module", "crm_id", "deal_count")
]
BOOKS_COLUMNS = [
    f.name
    for f in BooksContact._meta.concrete_fields
    if f.name not in ("id", "organization_id", "contact_id", "crm_ref")
    and not f.name.startswith(("invoice_count", "last_invoice"))
]


class MirrorInterrupted(Exception):
    """Raised by nothing in production; tests raise it to stand for a killed worker."""


@dataclass(frozen=True)
class MirrorResult:
    crm_run: SyncRun | None
    books_run: SyncRun | None


# ------------------------------------------------------------------ entry points


def mirror_start(
    *,
    organization_id: str,
    kind: str,
    trigger: str = RunTrigger.SCHEDULE,
    user=None,
    full: bool = False,
) -> SyncRun:
    """A queued mirror run (``mirror_crm`` or ``mirror_books``) for a task to claim; with
    ``full``, Books is read whole (finding contacts deleted in Books) whatever its
    watermark says."""
    if kind not in (RunKind.MIRROR_CRM, RunKind.MIRROR_BOOKS):
        raise ValueError(f"Not a mirror run kind: {kind}")
    run = runs.run_create(kind=kind, trigger=trigger, organization_id=organization_id, user=user)
    if full:
        SyncRun.objects.filter(pk=run.pk).update(cursor={"full": True})
    return run


def mirror_execute(*, run_id: int, lane: str = "reconcile") -> SyncRun | None:
    """Claim and run (or resume, from its cursor) one mirror run.

    Guarantees: a run that another worker holds is left alone (None); each stored page is
    followed by a saved cursor, so a resumed run re-reads at most the page in flight; the
    run ends succeeded, partial or failed with a summary, never left running; watermarks
    move only when a stream has been read to its end.
    """
    run = runs.run_claim(run_id)
    if run is None:
        return None
    settings = sync_settings_ensure(books_organization_id=run.organization_id)
    try:
        clients = org_clients(settings, lane=lane)
    except NotConnected as exc:
        return runs.run_finish(run, summary=str(exc), status=RunStatus.FAILED)
    try:
        if run.kind == RunKind.MIRROR_CRM:
            summary = _crm_pull(run, clients)
        else:
            summary = _books_pull(run, clients)
    except TransientZohoError as exc:
        # Budget or Zoho busy: back in the queue with its cursor; the beat resumes it.
        SyncRun.objects.filter(pk=run.pk).update(
            status=RunStatus.QUEUED,
            summary=f"Waiting to resume ({exc.reason.code}): {exc}"[:2000],
        )
        run.refresh_from_db()
        return run
    except ZohoError as exc:
        return runs.run_finish(run, summary=f"Stopped by Zoho: {exc}", status=RunStatus.FAILED)
    return runs.run_finish(run, summary=summary)


def mirror_pull(
    *,
    organization_id: str,
    trigger: str = RunTrigger.SCHEDULE,
    user=None,
    lane: str = "reconcile",
    crm: bool = True,
    books: bool = True,
    full: bool = False,
) -> MirrorResult:
    """Both mirrors now, in this process (reconcile and ``sync_now`` use this), then the
    links they imply (``links.links_refresh``)."""
    done: dict[str, SyncRun | None] = {"crm": None, "books": None}
    for side, kind, wanted in (
        ("crm", RunKind.MIRROR_CRM, crm),
        ("books", RunKind.MIRROR_BOOKS, books),
    ):
        if wanted:
            run = mirror_start(
                organization_id=organization_id, kind=kind, trigger=trigger, user=user, full=full
            )
            done[side] = mirror_execute(run_id=run.pk, lane=lane)
    from syncadmin.sync.links import links_refresh  # links read what the mirror wrote

    links_refresh(organization_id=organization_id, run=done["books"] or done["crm"])
    return MirrorResult(done["crm"], done["books"])


def mirror_stale_ids(*, now: datetime | None = None) -> list[int]:
    """Mirror runs a task should resume from their cursor: those whose worker died (no
    heartbeat for ``runs.STALE_AFTER``) and those queued for over a minute (sent back to
    wait for the budget, or whose task was lost)."""
    now = now or timezone.now()
    stale = SyncRun.objects.filter(kind__in=(RunKind.MIRROR_CRM, RunKind.MIRROR_BOOKS)).filter(
        Q(status=RunStatus.RUNNING, heartbeat_at__lt=now - runs.STALE_AFTER)
        | Q(status=RunStatus.QUEUED, created_at__lt=now - timedelta(minutes=1))
    )
    return list(stale.values_list("pk", flat=True))


# ------------------------------------------------------------------ watermarks


def watermark_get(organization_id: str, stream: str) -> datetime | None:
    found = Watermark.objects.filter(organization_id=organization_id, stream=stream).first()
    return found.value if found else None


def watermark_set(organization_id: str, stream: str, value: datetime | None) -> None:
    if value is None:
        return
    Watermark.objects.update_or_create(
        organization_id=organization_id, stream=stream, defaults={"value": value}
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


# ------------------------------------------------------------------ CRM


def _crm_pull(run: SyncRun, clients: OrgClients) -> str:
    cursor = dict(run.cursor or {})
    stages = [*CRM_MODULES, "deleted", "deals"]
    start = stages.index(cursor.get("stage", stages[0]))
    counts: dict[str, int] = dict(cursor.get("counts", {}))
    for stage in stages[start:]:
        if cursor.get("stage") != stage:
            cursor = {"stage": stage, "counts": counts}
            runs.run_beat(run, cursor=cursor)
        if stage in CRM_MODULES:
            counts[stage] = _crm_module(run, clients, stage, cursor)
        elif stage == "deleted":
            counts["deleted"] = _crm_deleted(run, clients, cursor)
        else:
            counts["deals"] = _crm_deal_counts(run, clients)
        cursor = {"stage": stage, "counts": counts, "done": True}
        runs.run_beat(run, cursor=cursor)
    return (
        f"CRM mirrored: {counts.get('Accounts', 0)} accounts, {counts.get('Contacts', 0)} "
        f"contacts read; {counts.get('deleted', 0)} deletions; "
        f"{counts.get('deals', 0)} deals counted."
    )


def _crm_module(run: SyncRun, clients: OrgClients, module: str, cursor: dict) -> int:
    """Read ``module`` changed since its watermark (or the cursor), page by page."""
    if cursor.get("done"):
        return cursor.get("counts", {}).get(module, 0)
    org, settings = run.organization_id, clients.settings
    stream = f"crm:{module}"
    # Inclusive, like Zoho's If-Modified-Since: records of the watermark's second are read
    # again and skipped when the mirror already holds them as they are.
    since = parse_time(cursor.get("seen")) or watermark_get(org, stream)
    read = int(cursor.get("read", 0))
    records = clients.crm.records(
        module=module, fields=crm_fields(settings, module, clients), modified_since=since
    )
    for page in _pages(records):
        fresh = _crm_unseen(module, page, since)
        crm_store(module=module, records=fresh, settings=settings)
        read += len(fresh)
        since = max((r.modified_time for r in page if r.modified_time), default=since)
        cursor.update(seen=_iso(since), read=read)
        done_before = sum(v for k, v in cursor.get("counts", {}).items() if k in CRM_MODULES)
        SyncRun.objects.filter(pk=run.pk).update(processed=done_before + read)
        runs.run_beat(run, cursor=cursor)
    watermark_set(org, stream, since)
    return read


def _crm_unseen(module: str, page: list[ZohoRecord], since: datetime | None) -> list[ZohoRecord]:
    """The page without the records of the watermark's second the mirror holds unchanged
    (a second edit within that second differs, so it is kept)."""
    at_since = [r.id for r in page if since and r.modified_time == since]
    if not at_since:
        return page
    held = dict(
        CrmRecord.objects.filter(module=module, crm_id__in=at_since).values_list("crm_id", "raw")
    )
    return [r for r in page if r.id not in held or held[r.id] != r.fields]


def _pages(items: Iterable[Any], size: int = PAGE) -> Iterator[list[Any]]:
    """Chunks of one API page; the next page is only fetched once a chunk is stored."""
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def crm_fields(settings: SyncSettings, module: str, clients: OrgClients | None = None) -> list[str]:
    """The fields a mirror read asks for: what the mirror and the push payload use, the
    write-back and scope fields and mapped overrides; unknown custom fields dropped when
    the field metadata is at hand (Zoho caps ``fields`` at 50)."""
    wanted = [*MODULE_FIELDS[module], *COMMON_FIELDS, settings.writeback_field]
    wanted += [settings.scope_field, *(settings.field_mapping or {}).keys()]
    wanted = list(dict.fromkeys(f for f in wanted if f))
    known = _module_field_names(clients, module) if clients else None
    if known:
        wanted = [f for f in wanted if f in known]
    return wanted[:MAX_FIELDS]


def _module_field_names(clients: OrgClients, module: str) -> set[str] | None:
    fields = getattr(clients.crm, "fields", None)
    if fields is None:  # older client without field metadata: ask for everything
        return None
    try:
        answer = fields(module=module)
    except ZohoError:
        return None
    return {_api_name(f) for f in answer}


def _api_name(field: Any) -> str:
    return field.get("api_name", "") if isinstance(field, dict) else getattr(field, "api_name", "")


def crm_store(*, module: str, records: list[ZohoRecord], settings: SyncSettings) -> int:
    """Upsert one page of CRM records into the mirror in one statement (deal counts kept)."""
    if not records:
        return 0
    rows = []
    for record in records:
        values = crm_record_values(module, record.fields, writeback_field=settings.writeback_field)
        rows.append(CrmRecord(module=module, crm_id=record.id, deleted_at=None, **values))
    CrmRecord.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["module", "crm_id"],
        update_fields=CRM_COLUMNS,
    )
    return len(rows)


def _crm_deleted(run: SyncRun, clients: OrgClients, cursor: dict) -> int:
    """Tombstones from ``/{module}/deleted``: the mirror row gets ``deleted_at`` (a row is
    made for a record never mirrored, so a Books customer still pointing at it can be told
    it is orphaned). Merged-away children are among them; links.py tells them apart."""
    org = run.organization_id
    total = 0
    for module in CRM_MODULES:
        stream = f"crm_deleted:{module}"
        since = watermark_get(org, stream)
        newest = since
        gone = list(clients.crm.deleted(module=module, since=since))
        for chunk in _pages(gone, 500):
            _tombstones(module, chunk)
        for item in gone:
            when = _as_time(item.deleted_time)
            newest = max(newest, when) if newest and when else (when or newest)
        total += len(gone)
        watermark_set(org, stream, newest)
        runs.run_beat(run, cursor=cursor)
    return total


def _tombstones(module: str, gone: list[Any]) -> None:
    now = timezone.now()
    rows = [
        CrmRecord(
            module=module,
            crm_id=str(item.id),
            name=(item.display_name or "")[:255],
            deleted_at=_as_time(item.deleted_time) or now,
            raw={"deleted_type": getattr(item, "type", ""), "display_name": item.display_name},
        )
        for item in gone
    ]
    existing = set(
        CrmRecord.objects.filter(module=module, crm_id__in=[r.crm_id for r in rows]).values_list(
            "crm_id", flat=True
        )
    )
    CrmRecord.objects.bulk_create([r for r in rows if r.crm_id not in existing])
    for row in rows:
        if row.crm_id in existing:
            CrmRecord.objects.filter(module=module, crm_id=row.crm_id).filter(
                Q(deleted_at__isnull=True) | Q(deleted_at__lt=row.deleted_at)
            ).update(deleted_at=row.deleted_at)


def _as_time(value: Any) -> datetime | None:
    if isinstance(value, datetime) or value is None:
        return value
    return parse_time(str(value))


def _crm_deal_counts(run: SyncRun, clients: OrgClients) -> int:
    org = run.organization_id
    stream = "crm:Deals:counted"
    last = watermark_get(org, stream)
    if last and timezone.now() - last < DEAL_COUNT_EVERY:
        return 0
    by_record: Counter[tuple[str, str]] = Counter()
    seen = 0
    deals = clients.crm.records(module="Deals", fields=["Account_Name", "Contact_Name"])
    for page in _pages(deals):
        for deal in page:
            for field, module in (("Account_Name", "Accounts"), ("Contact_Name", "Contacts")):
                lookup = deal.fields.get(field)
                if isinstance(lookup, dict) and lookup.get("id"):
                    by_record[(module, str(lookup["id"]))] += 1
        seen += len(page)
        runs.run_beat(run)
    CrmRecord.objects.exclude(deal_count=0).update(deal_count=0)
    for (module, crm_id), count in by_record.items():
        CrmRecord.objects.filter(module=module, crm_id=crm_id).update(deal_count=count)
    watermark_set(org, stream, timezone.now())
    return seen


# ------------------------------------------------------------------ Books


def _books_pull(run: SyncRun, clients: OrgClients) -> str:
    org = run.organization_id
    cursor = dict(run.cursor or {})
    if "stage" not in cursor:
        cursor = _books_plan(org, full=bool(cursor.get("full")))
        runs.run_beat(run, cursor=cursor)
    if cursor["stage"] == "contacts":
        _books_contacts(run, clients, cursor)
        cursor["stage"] = "money"
        runs.run_beat(run, cursor=cursor)
    if cursor["stage"] == "money":
        _books_money(run, clients, cursor)
        cursor["stage"] = "done"
        runs.run_beat(run, cursor=cursor)
    if cursor.get("full"):
        gone = _books_deletions(org, parse_time(cursor["started"]))
        watermark_set(org, "books:contacts:full", parse_time(cursor["started"]))
    else:
        gone = 0
    watermark_set(org, "books:contacts", parse_time(cursor.get("newest")))
    return (
        f"Books mirrored: {cursor.get('read', 0)} contacts read"
        f"{' (full)' if cursor.get('full') else ''}; invoice figures for "
        f"{cursor.get('money_done', 0)} customers in {cursor.get('invoice_calls', 0)} calls; "
        f"{gone} gone from Books."
    )


def _books_plan(org: str, *, full: bool) -> dict:
    last_full = watermark_get(org, "books:contacts:full")
    full = full or last_full is None or timezone.now() - last_full > BOOKS_FULL_EVERY
    since = None if full else watermark_get(org, "books:contacts")
    return {
        "stage": "contacts",
        "full": full,
        "since": _iso(since),
        "page": 1,
        "read": 0,
        "started": timezone.now().isoformat(),
        "money_due": [],
    }


def _books_contacts(run: SyncRun, clients: OrgClients, cursor: dict) -> None:
    since = parse_time(cursor.get("since"))
    unique = clients.settings.unique_field
    while True:
        items, more = books_contacts_page(clients.books, page=cursor["page"])
        fresh = [c for c in items if not since or not _books_time(c) or _books_time(c) >= since]
        past = len(fresh) < len(items)
        if since:  # inclusive watermark: skip what the mirror holds unchanged at that second
            held = _held_at(run.organization_id, since)
            fresh = [c for c in fresh if held.get(str(c["contact_id"])) != c]
        due = books_store(organization_id=run.organization_id, items=fresh, unique_field=unique)
        if cursor["page"] == 1 and fresh:
            cursor["newest"] = _iso(_books_time(fresh[0]))
        cursor["money_due"] = sorted({*cursor["money_due"], *due})
        cursor["read"] += len(fresh)
        cursor["page"] += 1
        SyncRun.objects.filter(pk=run.pk).update(processed=cursor["read"])
        runs.run_beat(run, cursor=cursor)
        if not more or past:
            return  # past the watermark: older contacts have not changed


def _held_at(org: str, moment: datetime) -> dict[str, dict]:
    return dict(
        BooksContact.objects.filter(organization_id=org, last_modified_time=moment).values_list(
            "contact_id", "raw"
        )
    )


def _books_time(item: dict) -> datetime | None:
    try:
        return parse_time(item.get("last_modified_time"))
    except ValueError:
        return None


def books_contacts_page(books, *, page: int) -> tuple[list[dict], bool]:
    """One page of contacts, newest change first: (contacts, more pages)."""
    return books.contacts_page(page=page, per_page=PAGE)


def books_store(*, organization_id: str, items: list[dict], unique_field: str) -> list[str]:
    """Upsert one page of Books contacts (``crm_ref`` and invoice figures kept); the ids of
    customers whose invoice figures may have moved (new, changed or with a balance change,
    and with transactions)."""
    if not items:
        return []
    ids = [str(i["contact_id"]) for i in items]
    before = {
        row[0]: row[1:]
        for row in BooksContact.objects.filter(
            organization_id=organization_id, contact_id__in=ids
        ).values_list("contact_id", "last_modified_time", "outstanding_receivable")
    }
    rows = []
    for item in items:
        values = books_contact_values(item, unique_field=unique_field)
        crm_ref = values.pop("crm_ref")
        rows.append(
            BooksContact(
                organization_id=organization_id,
                contact_id=str(item["contact_id"]),
                crm_ref=crm_ref,
                deleted_at=None,
                **values,
            )
        )
    BooksContact.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["organization_id", "contact_id"],
        update_fields=BOOKS_COLUMNS,
    )
    # A list item has no custom fields: only a value we read elsewhere fills crm_ref.
    for row in rows:
        if row.crm_ref:
            BooksContact.objects.filter(
                organization_id=organization_id, contact_id=row.contact_id
            ).update(crm_ref=row.crm_ref)
    return [
        r.contact_id
        for r in rows
        if r.has_transaction
        and (
            r.contact_id not in before
            or before[r.contact_id] != (r.last_modified_time, r.outstanding_receivable)
        )
    ]


def _books_money(run: SyncRun, clients: OrgClients, cursor: dict) -> None:
    """Invoice count, last invoice status and date for the customers that need them."""
    due = list(cursor.get("money_due", []))
    if not due:
        return
    org = run.organization_id
    if cursor.get("money_mode") is None:
        total = invoice_total(clients.books)
        scan_calls = math.ceil(total / PAGE) if total else 1
        cursor["invoice_calls"] = cursor.get("invoice_calls", 0) + 1
        cursor["money_mode"] = "scan" if scan_calls < len(due) else "each"
        runs.run_beat(run, cursor=cursor)
    if cursor["money_mode"] == "scan":
        figures, calls = invoice_scan(clients.books)
        for contact_id in due:
            _money_save(org, contact_id, figures.get(contact_id, (0, "", None)))
        cursor["invoice_calls"] += calls
        cursor["money_done"] = len(due)
        cursor["money_due"] = []
        runs.run_beat(run, cursor=cursor)
        return
    for chunk in _pages(due, 25):
        for contact_id in chunk:
            _money_save(org, contact_id, invoice_latest(clients.books, customer_id=contact_id))
        cursor["invoice_calls"] = cursor.get("invoice_calls", 0) + len(chunk)
        cursor["money_done"] = cursor.get("money_done", 0) + len(chunk)
        cursor["money_due"] = cursor["money_due"][len(chunk) :]
        runs.run_beat(run, cursor=cursor)


def _money_save(org: str, contact_id: str, figures: tuple[int, str, Any]) -> None:
    count, status, when = figures
    BooksContact.objects.filter(organization_id=org, contact_id=contact_id).update(
        invoice_count=count, last_invoice_status=status[:24], last_invoice_date=as_date(when)
    )


def _invoices(books, **params: Any) -> dict:
    invoices, page_context = books.invoices_page(**params)
    return {"invoices": invoices, "page_context": page_context}


def _count_of(page_context: dict) -> int:
    for key in ("total", "count", "total_count"):
        if key in page_context:
            return int(page_context[key])
    return 0


def invoice_total(books) -> int:
    """All invoices of the organisation, counted in one call (``response_option=2``)."""
    return _count_of(_invoices(books, response_option=2).get("page_context", {}))


def invoice_latest(books, *, customer_id: str) -> tuple[int, str, str | None]:
    """(count, newest invoice's status, its date) in one call (``response_option=1``)."""
    body = _invoices(
        books,
        customer_id=customer_id,
        per_page=1,
        sort_column="date",
        sort_order="D",
        response_option=1,
    )
    found = body.get("invoices", [])
    count = _count_of(body.get("page_context", {})) or len(found)
    if not found:
        return count, "", None
    return count, found[0].get("status", ""), found[0].get("date")


def invoice_scan(books) -> tuple[dict[str, tuple[int, str, str | None]], int]:
    """Every invoice, newest first, 200 a page: per customer (count, status, date) of its
    newest invoice; and the number of calls it took."""
    counts: Counter[str] = Counter()
    newest: dict[str, tuple[str, str]] = {}
    page, calls = 1, 0
    while True:
        body = _invoices(books, per_page=PAGE, page=page, sort_column="date", sort_order="D")
        calls += 1
        for invoice in body.get("invoices", []):
            customer = str(invoice.get("customer_id", ""))
            counts[customer] += 1
            when = invoice.get("date") or ""
            if customer not in newest or when > newest[customer][1]:
                newest[customer] = (invoice.get("status", ""), when)
        if not body.get("page_context", {}).get("has_more_page"):
            break
        page += 1
    return {c: (counts[c], *newest[c]) for c in counts}, calls


def _books_deletions(org: str, started: datetime | None) -> int:
    """After a full pull: contacts the pull did not see are gone from Books."""
    if started is None:
        return 0
    return BooksContact.objects.filter(
        organization_id=org, deleted_at__isnull=True, mirrored_at__lt=started
    ).update(deleted_at=timezone.now())
