"""Books owns the money, CRM sees it: outstanding receivable and the last invoice's status
and date, written onto each linked CRM record.

Cost: one ``Invoice.Unpaid`` list read (200 customers a page) refreshes the outstanding
amounts; the last invoice is read again (one call) only for customers whose outstanding
moved; CRM is written in batches of 100 with ``trigger=[]`` (no workflows, so no webhook
echoes back), and only for records whose values differ from what CRM holds. Backfill
lane: interactive and real-time work go first.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from syncadmin.models import (
    BooksContact,
    EventOutcome,
    LinkState,
    RecordLink,
    RunKind,
    RunStatus,
    RunTrigger,
    SyncRun,
    SyncSettings,
)
from syncadmin.sync import runs
from syncadmin.sync.failures import failure_record, failures_resolve
from syncadmin.sync.mirror import invoice_latest
from syncadmin.sync.profile import NotConnected, OrgClients, org_clients, sync_settings_ensure
from syncadmin.sync.rows import as_date
from syncadmin.zoho.crm import record_error
from syncadmin.zoho.errors import ZohoError

OUTSTANDING = "Books_Outstanding"
STATUS = "Books_Last_Invoice_Status"
DATE = "Books_Last_Invoice_Date"
MONEY_FIELDS = (OUTSTANDING, STATUS, DATE)
LANE = "backfill"


@dataclass
class MoneyReport:
    written: int = 0
    unchanged: int = 0
    failed: int = 0
    refreshed: int = 0
    skipped: str = ""

    def __str__(self) -> str:
        if self.skipped:
            return f"Nothing written: {self.skipped}"
        return (
            f"{self.written} CRM records given their Books money, {self.unchanged} already "
            f"right, {self.failed} failed; {self.refreshed} customers' last invoice re-read."
        )


def money_start(*, organization_id: str, trigger: str = RunTrigger.SCHEDULE) -> SyncRun:
    return runs.run_create(kind=RunKind.MONEY, trigger=trigger, organization_id=organization_id)


def money_execute(*, run_id: int) -> SyncRun | None:
    """Claim and run one money write-back (see ``money_to_crm``)."""
    run = runs.run_claim(run_id)
    if run is None:
        return None
    try:
        report = money_to_crm(organization_id=run.organization_id, run=run)
    except (ZohoError, NotConnected) as exc:
        return runs.run_finish(run, summary=f"Stopped: {exc}", status=RunStatus.FAILED)
    return runs.run_finish(run, summary=str(report))


def money_to_crm(*, organization_id: str, run: SyncRun | None = None) -> MoneyReport:
    """Write Books' money onto the organisation's linked CRM records.

    Guarantees: nothing is written while the organisation or the record is paused, or
    when the organisation has turned the feature off; a missing CRM field leaves a visible
    ``writeback_field_missing`` failure (resolved once the fields exist) and writes
    nothing; only records whose CRM values differ are written, in batches of 100 without
    firing workflows; per-record Zoho refusals become failures of that record.
    """
    settings = sync_settings_ensure(books_organization_id=organization_id)
    report = MoneyReport()
    if not settings.money_to_crm:
        report.skipped = "turned off in Settings."
        return report
    if settings.paused:
        report.skipped = "the organisation is paused."
        return report
    clients = org_clients(settings, lane=LANE)
    links = _links(settings)
    modules = sorted({link.crm_module for link in links})
    ready = [m for m in modules if _fields_present(clients, settings, m, run)]
    report.refreshed = _refresh(clients, links)
    for module in ready:
        _write(clients, settings, [lk for lk in links if lk.crm_module == module], report, run)
    return report


def _links(settings: SyncSettings) -> list[RecordLink]:
    return list(
        RecordLink.objects.filter(
            books_organization_id=settings.books_organization_id,
            state=LinkState.LINKED,
            paused=False,
            crm_record__deleted_at__isnull=True,
            books_contact__isnull=False,
        ).select_related("crm_record", "books_contact")
    )


def _fields_present(clients: OrgClients, settings: SyncSettings, module: str, run) -> bool:
    names = {f.get("api_name") for f in clients.crm.fields(module=module)}
    missing = [f for f in MONEY_FIELDS if f not in names]
    org = settings.books_organization_id
    subject = f"{module}:fields"
    if missing:
        failure_record(
            organization_id=org, subject=subject, operation="money",
            reason_code="writeback_field_missing", run=run,
            details={"module": module, "missing_fields": missing},
        )  # fmt: skip
        return False
    failures_resolve(
        organization_id=org, subject=subject, resolution="fields exist",
        reason_codes=["writeback_field_missing"],
    )  # fmt: skip
    return True


def _refresh(clients: OrgClients, links: list[RecordLink]) -> int:
    """Outstanding amounts from one unpaid-customers read; the last invoice again only
    where the amount moved. Returns how many last invoices were re-read."""
    unpaid = {
        c.contact_id: _money(c.data.get("outstanding_receivable_amount"))
        for c in clients.books.contacts(filter_by="Invoice.Unpaid")
    }
    moved = 0
    for link in links:
        contact = link.books_contact
        amount = unpaid.get(contact.contact_id, Decimal("0.00"))
        if amount == contact.outstanding_receivable:
            continue
        count, status, when = invoice_latest(clients.books, customer_id=contact.contact_id)
        contact.outstanding_receivable, contact.invoice_count = amount, count
        contact.last_invoice_status, contact.last_invoice_date = status[:24], as_date(when)
        BooksContact.objects.filter(pk=contact.pk).update(
            outstanding_receivable=amount, invoice_count=count,
            last_invoice_status=status[:24], last_invoice_date=as_date(when),
        )  # fmt: skip
        moved += 1
    return moved


def money_values(contact: BooksContact) -> dict[str, Any]:
    """The CRM field values a Books customer's money makes."""
    return {
        OUTSTANDING: float(contact.outstanding_receivable),
        STATUS: contact.last_invoice_status or None,
        DATE: contact.last_invoice_date.isoformat() if contact.last_invoice_date else None,
    }


def _same(current: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return (
        _money(current.get(OUTSTANDING)) == _money(wanted[OUTSTANDING])
        and (current.get(STATUS) or None) == wanted[STATUS]
        and (str(current.get(DATE))[:10] if current.get(DATE) else None) == wanted[DATE]
    )


def _write(clients, settings, links: list[RecordLink], report: MoneyReport, run) -> None:
    due: list[tuple[RecordLink, dict[str, Any]]] = []
    for link in links:
        wanted = money_values(link.books_contact)
        if _same(link.crm_record.raw or {}, wanted):
            report.unchanged += 1
        else:
            due.append((link, wanted))
    if not due:
        return
    module = links[0].crm_module
    payload = [{"id": link.crm_record.crm_id, **wanted} for link, wanted in due]
    results = clients.crm.update(module=module, records=payload, trigger=[])
    for (link, wanted), result in zip(due, results, strict=False):
        _settle(settings, link, wanted, result, report, run)


def _settle(settings, link: RecordLink, wanted: dict, result, report: MoneyReport, run) -> None:
    record = link.crm_record
    subject = f"{record.module}:{record.crm_id}"
    org = settings.books_organization_id
    if not result.ok:
        error = record_error(result)
        failure_record(
            organization_id=org, subject=subject, operation="money",
            reason_code=error.reason.code, error=error, crm_record=record, link=link, run=run,
        )  # fmt: skip
        report.failed += 1
        return
    # Remember what CRM now holds, so the next run compares against it.
    record.raw = {**(record.raw or {}), **wanted}
    type(record).objects.filter(pk=record.pk).update(raw=record.raw, mirrored_at=timezone.now())
    report.written += 1
    if run is not None:
        runs.run_event(
            run, outcome=EventOutcome.UPDATED, crm_record=record, link=link,
            key=f"money:{subject}", message=f"Outstanding {wanted[OUTSTANDING]}",
        )  # fmt: skip


def _money(value: Any) -> Decimal:
    try:
        return Decimal(str(value or 0)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return Decimal("0.00")


def money_all(*, trigger: str = RunTrigger.SCHEDULE) -> list[int]:
    """Queue one money run per organisation that writes money to CRM; the run ids."""
    orgs = SyncSettings.objects.filter(money_to_crm=True, paused=False)
    return [
        money_start(organization_id=o, trigger=trigger).pk
        for o in orgs.values_list("books_organization_id", flat=True)
    ]
