"""Write the Books customer id back to CRM, in batches, without firing CRM workflows.

CRM users then see the link on the record (the seed's ``Books_Contact_ID``). Writes carry
``"trigger": []``, so our own update never comes back to us as a webhook.
"""

from __future__ import annotations

from datetime import timedelta
from functools import reduce
from operator import or_

from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from syncadmin.models import PushLedger, RecordLink, SyncFailure, SyncSettings
from syncadmin.sync.failures import failure_record, failures_resolve
from syncadmin.sync.profile import NotConnected, org_clients
from syncadmin.zoho.crm import BATCH
from syncadmin.zoho.errors import ZohoError

FIELD_CHECK_EVERY = timedelta(hours=1)


def writeback_schedule(*, organization_id: str) -> None:
    """Queue one flush per organisation per batching window (later callers ride along)."""
    from syncadmin import tasks

    window = django_settings.WRITEBACK_BATCH_SECONDS
    if cache.add(f"syncadmin:writeback:{organization_id}", 1, timeout=max(1, int(window))):
        transaction.on_commit(
            lambda: tasks.writeback_flush.apply_async(args=[organization_id], countdown=window)
        )


def writeback_field_check(settings: SyncSettings, *, force: bool = False) -> bool:
    """Whether CRM has the write-back field on every pushed module (metadata, cached an
    hour). A missing field is an open ``writeback_field_missing`` failure saying how to
    add it; finding it resolves that failure."""
    fresh = settings.writeback_checked_at and (
        timezone.now() - settings.writeback_checked_at < FIELD_CHECK_EVERY
    )
    if fresh and not force and settings.writeback_field_present is not None:
        return settings.writeback_field_present
    crm = org_clients(settings, lane="backfill").crm
    modules = ("Accounts", "Contacts") if settings.module_mapping == "both" else (
        ("Contacts",) if settings.module_mapping == "contacts" else ("Accounts",)
    )  # fmt: skip
    present = all(
        any(f.get("api_name") == settings.writeback_field for f in crm.fields(module=module))
        for module in modules
    )
    SyncSettings.objects.filter(pk=settings.pk).update(
        writeback_field_present=present, writeback_checked_at=timezone.now()
    )
    settings.writeback_field_present = present
    subject, org = f"crm-field:{settings.writeback_field}", settings.books_organization_id
    if present:
        failures_resolve(organization_id=org, subject=subject, resolution="field found")
    else:
        failure_record(
            organization_id=org, subject=subject, operation="writeback",
            reason_code="writeback_field_missing",
            details={"field": settings.writeback_field, "modules": list(modules)},
        )  # fmt: skip
    return present


def writeback_flush(*, organization_id: str) -> int:
    """Send every owed write-back of the organisation, 100 records per CRM call.

    Guarantees: a row is cleared only after CRM accepted its element; a refused element
    stays owed with a failure; nothing is sent while the field is missing.
    """
    settings = SyncSettings.objects.filter(books_organization_id=organization_id).first()
    if settings is None:
        return 0
    try:
        if not writeback_field_check(settings):
            return 0
        crm = org_clients(settings, lane="realtime").crm
    except NotConnected:
        return 0  # the connection's own status says why; reconcile flushes later
    except ZohoError as exc:
        failure_record(
            organization_id=organization_id, subject="writeback", operation="writeback",
            reason_code=exc.reason.code, error=exc,
        )  # fmt: skip
        return 0
    sent = 0
    try:
        for module in ("Accounts", "Contacts"):
            sent += _flush_module(settings, crm, module)
    except ZohoError as exc:  # what was sent is settled; the rest stays owed
        failure_record(
            organization_id=organization_id, subject="writeback", operation="writeback",
            reason_code=exc.reason.code, error=exc,
        )  # fmt: skip
        if exc.transient:
            writeback_schedule(organization_id=organization_id)
    return sent


def _flush_module(settings: SyncSettings, crm, module: str) -> int:
    org, sent = settings.books_organization_id, 0
    owed = PushLedger.objects.filter(
        books_organization_id=org, crm_module=module, writeback_due=True
    ).exclude(books_contact_id="")
    while rows := list(owed.order_by("pk")[:BATCH]):
        records = [{"id": r.crm_id, settings.writeback_field: r.books_contact_id} for r in rows]
        results = crm.update(module=module, records=records, trigger=[])
        _settle(settings, module, list(zip(rows, results, strict=False)))
        sent += sum(1 for r in results if r.ok)
        if not any(r.ok for r in results):
            break  # nothing moved: stop rather than loop on the same refusals
    return sent


def _settle(settings: SyncSettings, module: str, answered: list) -> None:
    """Clear what CRM took (a row re-pushed meanwhile to another customer stays owed) in
    a few queries per batch; a refused element is a failure of its own."""
    org = settings.books_organization_id
    taken = [row for row, result in answered if result.ok]
    if taken:
        same_ledger = reduce(or_, (Q(pk=r.pk, books_contact_id=r.books_contact_id) for r in taken))
        PushLedger.objects.filter(same_ledger).update(writeback_due=False)
        same_link = reduce(or_, (
            Q(crm_record__crm_id=r.crm_id, books_contact__contact_id=r.books_contact_id)
            for r in taken
        ))  # fmt: skip
        RecordLink.objects.filter(
            same_link, books_organization_id=org, crm_record__module=module
        ).update(written_back=True)
        _resolve_refusals(org, module, taken)
    for row, result in answered:
        if not result.ok:
            _refused(org, module, row, result)


def _resolve_refusals(org: str, module: str, rows: list[PushLedger]) -> None:
    """Earlier refusals of these write-backs are over (rare: checked before any update)."""
    open_ones = SyncFailure.objects.filter(
        organization_id=org, operation="writeback", resolved_at__isnull=True
    )
    if not open_ones.exists():
        return
    for row in rows:
        failures_resolve(
            organization_id=org, subject=f"writeback:{module}:{row.crm_id}",
            resolution="written back",
        )  # fmt: skip


def _refused(org: str, module: str, row: PushLedger, result) -> None:
    PushLedger.objects.filter(pk=row.pk).update(writeback_due=False)
    failure_record(
        organization_id=org, subject=f"writeback:{module}:{row.crm_id}", operation="writeback",
        reason_code="record_gone" if result.code == "INVALID_DATA" else "invalid_value",
        details={"code": result.code, "message": result.message},
    )  # fmt: skip
