"""Per-record and per-organisation controls: pause, resume, push now, re-import, relink,
unlink, and the settings. Each is one audited service; every sync path honours the
pauses they set (push, reconcile, failure retries, re-import, money write-back)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from syncadmin.models import (
    BooksContact,
    CrmRecord,
    LinkProvenance,
    LinkState,
    RecordLink,
    RunTrigger,
    SyncSettings,
)
from syncadmin.models.mapping import NOT_LIVE_STATES
from syncadmin.services import audit_record
from syncadmin.sync.failures import failure_record
from syncadmin.sync.profile import org_clients, sync_settings_ensure
from syncadmin.sync.push import PushOutcome, record_push
from syncadmin.sync.rows import books_contact_values
from syncadmin.zoho.errors import ZohoError

EDITABLE_SETTINGS = (
    "module_mapping", "scope_field", "scope_value", "field_mapping", "writeback_field",
    "unique_field", "books_country", "native_integration_active", "money_to_crm",
)  # fmt: skip
IMPORT_KIND = {"Accounts": "account", "Contacts": "contact"}


class ControlRefused(Exception):
    """The control cannot be applied as asked; the message says why, for the person."""


# ------------------------------------------------------------------ helpers


def _target(link: RecordLink) -> tuple[str, str, str]:
    """(target_type, target_id, label) of the record timeline convention."""
    if link.crm_record_id:
        record = link.crm_record
        return "record", f"{record.module}:{record.crm_id}", record.name
    contact = link.books_contact
    return "books_contact", contact.contact_id, contact.contact_name


def _audit(link: RecordLink, actor, action: str, before=None, after=None, note="") -> None:
    kind, target, label = _target(link)
    audit_record(
        actor=actor, action=action, target_type=kind, target_id=target, target_label=label,
        before=before, after=after, note=note,
    )  # fmt: skip


def _pause_state(link: RecordLink) -> dict[str, Any]:
    return {
        "paused": link.paused,
        "reason": link.paused_reason,
        "until": link.paused_until.isoformat() if link.paused_until else None,
    }


def live_link_for(*, crm_record: CrmRecord, organization_id: str) -> RecordLink | None:
    """The record's one live link in the organisation, if any."""
    return (
        RecordLink.objects.filter(books_organization_id=organization_id, crm_record=crm_record)
        .exclude(state__in=NOT_LIVE_STATES)
        .select_related("crm_record", "books_contact")
        .first()
    )


def record_paused(*, crm_record: CrmRecord, organization_id: str) -> str:
    """Why nothing may be sent for this record now ("" when nothing stops it)."""
    settings = sync_settings_ensure(books_organization_id=organization_id)
    if settings.paused:
        return f"Sync is paused for this organisation: {settings.paused_reason or 'no reason'}."
    link = live_link_for(crm_record=crm_record, organization_id=organization_id)
    if link and link.paused and (link.paused_until is None or link.paused_until > timezone.now()):
        return f"This record is paused: {link.paused_reason or 'no reason given'}."
    return ""


# ------------------------------------------------------------------ pause / resume


def record_pause(
    *,
    link: RecordLink | None = None,
    actor,
    reason: str,
    until: datetime | None = None,
    crm_record: CrmRecord | None = None,
    organization_id: str = "",
) -> RecordLink:
    """Pause one record: no path sends it to Books or writes to it until resumed (or until
    ``until`` passes; reconcile then resumes it as the system).

    Give ``link``, or ``crm_record`` and ``organization_id`` for a record that may have no
    link yet: it gets one in state ``orphaned_crm`` ("CRM record without Books customer")
    that carries the pause. Audited with before/after."""
    if until is not None and until <= timezone.now():
        raise ControlRefused("A pause must end in the future.")
    if link is None:
        if crm_record is None or not organization_id:
            raise ControlRefused("Say which record to pause.")
        link = _link_or_placeholder(crm_record, organization_id)
    before = _pause_state(link)
    link.paused, link.paused_reason, link.paused_until = True, reason[:255], until
    link.paused_by = actor
    link.save(update_fields=["paused", "paused_reason", "paused_until", "paused_by", "updated_at"])
    _audit(link, actor, "record_pause", before, _pause_state(link), note=reason)
    return link


def _link_or_placeholder(crm_record: CrmRecord, organization_id: str) -> RecordLink:
    found = live_link_for(crm_record=crm_record, organization_id=organization_id)
    if found:
        return found
    try:
        with transaction.atomic():
            return RecordLink.objects.create(
                books_organization_id=organization_id, crm_module=crm_record.module,
                crm_record=crm_record, provenance=LinkProvenance.MANUAL,
                state=LinkState.ORPHANED_CRM,
            )  # fmt: skip
    except IntegrityError:  # a push linked it a moment ago
        return live_link_for(crm_record=crm_record, organization_id=organization_id)


def record_resume(*, link: RecordLink, actor, note: str = "") -> RecordLink:
    """Lift a record's pause; the next webhook, reconcile or push-now sends it again.
    ``actor`` None is the system (a timed pause ending). Audited."""
    before = _pause_state(link)
    link.paused, link.paused_reason, link.paused_until, link.paused_by = False, "", None, None
    link.save(update_fields=["paused", "paused_reason", "paused_until", "paused_by", "updated_at"])
    _audit(link, actor, "record_resume", before, _pause_state(link), note=note)
    return link


def pauses_expire(*, now: datetime | None = None) -> int:
    """Resume every record whose timed pause has ended, audited as the system."""
    due = RecordLink.objects.filter(paused=True, paused_until__lte=now or timezone.now())
    count = 0
    for link in due.select_related("crm_record", "books_contact"):
        record_resume(link=link, actor=None, note="The pause ended.")
        count += 1
    return count


def org_pause(*, settings: SyncSettings, actor, reason: str) -> SyncSettings:
    """Stop every path for the organisation (pushes skip with reason ``paused``). Audited."""
    before = {"paused": settings.paused, "reason": settings.paused_reason}
    settings.paused, settings.paused_reason = True, reason[:255]
    settings.paused_at, settings.paused_by = timezone.now(), actor
    settings.save(update_fields=["paused", "paused_reason", "paused_at", "paused_by", "updated_at"])
    _audit_org(settings, actor, "org_pause", before, {"paused": True, "reason": reason}, reason)
    return settings


def org_resume(*, settings: SyncSettings, actor) -> SyncSettings:
    """Let the organisation sync again; reconcile catches up what changed meanwhile."""
    before = {"paused": settings.paused, "reason": settings.paused_reason}
    settings.paused, settings.paused_reason, settings.paused_at = False, "", None
    settings.paused_by = None
    settings.save(update_fields=["paused", "paused_reason", "paused_at", "paused_by", "updated_at"])
    _audit_org(settings, actor, "org_resume", before, {"paused": False, "reason": ""})
    return settings


def _audit_org(settings: SyncSettings, actor, action: str, before, after, note="") -> None:
    audit_record(
        actor=actor, action=action, target_type="org",
        target_id=settings.books_organization_id, before=before, after=after, note=note,
    )  # fmt: skip


def sync_settings_update(*, settings: SyncSettings, actor, **changes: Any) -> SyncSettings:
    """Change the organisation's sync settings; only editable fields, validated by the
    model, audited with the values before and after (unchanged keys left out)."""
    unknown = set(changes) - set(EDITABLE_SETTINGS)
    if unknown:
        raise ControlRefused(f"Not editable here: {', '.join(sorted(unknown))}.")
    changed = {k: v for k, v in changes.items() if getattr(settings, k) != v}
    if not changed:
        return settings
    before = {k: getattr(settings, k) for k in changed}
    for key, value in changed.items():
        setattr(settings, key, value)
    others = [f.name for f in SyncSettings._meta.fields if f.name not in changed]
    settings.full_clean(exclude=others, validate_unique=False, validate_constraints=False)
    settings.save(update_fields=[*changed, "updated_at"])
    _audit_org(settings, actor, "sync_settings_update", before, changed)
    return settings


# ------------------------------------------------------------------ push now / re-import


def record_push_now(*, crm_record: CrmRecord, organization_id: str, actor) -> PushOutcome:
    """Push the record now, from CRM's current values, on the interactive lane (ahead of
    background work). A paused record is skipped with reason ``paused``. Audited."""
    outcome = record_push(
        organization_id=organization_id, module=crm_record.module, crm_id=crm_record.crm_id,
        fields=None, trigger=RunTrigger.MANUAL, actor=actor, lane="interactive",
    )  # fmt: skip
    audit_record(
        actor=actor, action="record_push_now", target_type="record",
        target_id=f"{crm_record.module}:{crm_record.crm_id}", target_label=crm_record.name,
        after={"outcome": outcome.outcome, "reason": outcome.reason_code},
        note=outcome.message,
    )  # fmt: skip
    return outcome


def record_reimport(*, crm_record: CrmRecord, organization_id: str, actor) -> RecordLink:
    """Have Books import the record through Zoho's own integration (the CRM-import
    endpoint) and link the customer it answers with (provenance ``imported``).

    Refused (``ControlRefused``) while Zoho's integration is off (the endpoint only works
    with it on), for a paused record or organisation, and for modules Books cannot import.
    A Zoho error is recorded as a failure and raised. Audited."""
    settings = sync_settings_ensure(books_organization_id=organization_id)
    if not settings.native_integration_active:
        raise ControlRefused(
            "Re-import uses Zoho's own CRM integration, which is switched off for this "
            "organisation. Use Push now instead, or switch the integration on in Books."
        )
    if paused := record_paused(crm_record=crm_record, organization_id=organization_id):
        raise ControlRefused(paused)
    if crm_record.module not in IMPORT_KIND:
        raise ControlRefused(f"Books cannot import CRM {crm_record.module}.")
    books = org_clients(settings, lane="interactive").books
    subject = f"{crm_record.module}:{crm_record.crm_id}"
    try:
        contact_id = books.crm_import(kind=IMPORT_KIND[crm_record.module], crm_id=crm_record.crm_id)
        contact = books.contact(contact_id=contact_id)
    except ZohoError as exc:
        failure_record(
            organization_id=organization_id, subject=subject, operation="reimport",
            reason_code=exc.reason.code, error=exc, crm_record=crm_record,
        )  # fmt: skip
        raise
    row = _mirror_contact(settings, contact)
    link = _link_to(crm_record, organization_id, row, LinkProvenance.IMPORTED)
    _audit(link, actor, "record_reimport", after={"books_contact_id": contact_id})
    return link


def _mirror_contact(settings: SyncSettings, contact) -> BooksContact:
    values = books_contact_values(contact.data, unique_field=settings.unique_field)
    row, _ = BooksContact.objects.update_or_create(
        organization_id=settings.books_organization_id,
        contact_id=contact.contact_id,
        defaults={**values, "deleted_at": None},
    )
    return row


def _link_to(record: CrmRecord, org: str, contact: BooksContact, provenance: str) -> RecordLink:
    with transaction.atomic():
        link = live_link_for(crm_record=record, organization_id=org)
        values = {
            "books_contact": contact, "provenance": provenance, "state": LinkState.LINKED,
            "written_back": record.books_ref == contact.contact_id, "pushed_payload_hash": "",
        }  # fmt: skip
        if link is None:
            return RecordLink.objects.create(
                books_organization_id=org, crm_module=record.module, crm_record=record, **values
            )
        for key, value in values.items():
            setattr(link, key, value)
        link.save()
        return link


# ------------------------------------------------------------------ relink / unlink


def link_relink(*, link: RecordLink, books_contact: BooksContact, actor) -> RecordLink:
    """Point the record at another Books customer. The old link is kept as history
    (``superseded``, pointing at the new one); the new link is ``manual`` and keeps the
    record's pause. Refused when that customer already speaks for another record of the
    module. Audited with both customer ids."""
    if link.state in NOT_LIVE_STATES:
        raise ControlRefused("This link is history; relink the record's current link.")
    if books_contact.pk == link.books_contact_id:
        return link
    before = {"books_contact_id": link.books_contact.contact_id if link.books_contact else None}
    try:
        with transaction.atomic():
            RecordLink.objects.filter(pk=link.pk).update(
                state=LinkState.SUPERSEDED, updated_at=timezone.now()
            )
            fresh = RecordLink.objects.create(
                books_organization_id=link.books_organization_id, crm_module=link.crm_module,
                crm_record=link.crm_record, books_contact=books_contact,
                provenance=LinkProvenance.MANUAL, state=LinkState.LINKED,
                paused=link.paused, paused_reason=link.paused_reason,
                paused_until=link.paused_until, paused_by=link.paused_by,
                written_back=bool(
                    link.crm_record and link.crm_record.books_ref == books_contact.contact_id
                ),
            )  # fmt: skip
            RecordLink.objects.filter(pk=link.pk).update(superseded_by=fresh)
    except IntegrityError as exc:
        raise ControlRefused(
            f"{books_contact.contact_name} is already linked to another CRM "
            f"{link.get_crm_module_display().lower()}; unlink that first."
        ) from exc
    _audit(fresh, actor, "link_relink", before, {"books_contact_id": books_contact.contact_id})
    return fresh


def link_unlink(*, link: RecordLink, actor, note: str = "") -> RecordLink:
    """End the link: kept as history (``superseded``), no longer speaking for either side;
    the record pushes afresh (creating or matching a customer) next time. Audited."""
    if link.state in NOT_LIVE_STATES:
        return link
    before = {"state": link.state, "books_contact_id": _contact_id(link)}
    link.state = LinkState.SUPERSEDED
    link.save(update_fields=["state", "updated_at"])
    _audit(link, actor, "link_unlink", before, {"state": link.state}, note=note)
    return link


def _contact_id(link: RecordLink) -> str | None:
    return link.books_contact.contact_id if link.books_contact_id else None
