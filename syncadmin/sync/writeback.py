"""Write the Books customer id back to CRM, in batches, without firing CRM workflows.

CRM users then see the link on the record (the seed's ``Books_Contact_ID``). Writes carry
``"trigger": []``, so our own update never comes back to us as a webhook.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from syncadmin.models import PushLedger, RecordLink, SyncSettings
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
        for row, result in zip(rows, results, strict=False):
            _settle(settings, module, row, result)
        sent += sum(1 for r in results if r.ok)
        if not any(r.ok for r in results):
            break  # nothing moved: stop rather than loop on the same refusals
    return sent


def _settle(settings: SyncSettings, module: str, row: PushLedger, result) -> None:
    org, subject = settings.books_organization_id, f"writeback:{module}:{row.crm_id}"
    if result.ok:
        PushLedger.objects.filter(pk=row.pk, books_contact_id=row.books_contact_id).update(
            writeback_due=False
        )
        RecordLink.objects.filter(
            books_organization_id=org, crm_record__module=module, crm_record__crm_id=row.crm_id,
            books_contact__contact_id=row.books_contact_id,
        ).update(written_back=True)  # fmt: skip
        failures_resolve(organization_id=org, subject=subject, resolution="written back")
        return
    PushLedger.objects.filter(pk=row.pk).update(writeback_due=False)
    failure_record(
        organization_id=org, subject=subject, operation="writeback",
        reason_code="record_gone" if result.code == "INVALID_DATA" else "invalid_value",
        details={"code": result.code, "message": result.message},
    )  # fmt: skip
