"""Fix-in-place for failures whose fix is data: write the value where it belongs (CRM is
the source), mirror it, and push the record again."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser

from syncadmin.models import BooksContact, CrmRecord, SyncFailure
from syncadmin.services import audit_record
from syncadmin.sync.profile import org_clients, sync_settings_ensure
from syncadmin.sync.shape import GST_TREATMENTS, INDIAN_STATE_CODES, VAT_TREATMENTS


class FixError(Exception):
    """The fix could not be applied; the message says why, in words for the admin."""


@dataclass(frozen=True)
class Fixable:
    crm_field: str  # CRM API name written
    mirror_field: str  # CrmRecord column kept in step
    label: str
    choices: tuple[tuple[str, str], ...] = ()


def _pairs(values) -> tuple[tuple[str, str], ...]:
    return tuple((v, v) for v in values)


STATES = tuple(
    sorted((code, f"{code} · {name.title()}") for name, code in INDIAN_STATE_CODES.items())
)
FIXABLE: dict[str, Fixable] = {
    "missing_place_of_supply": Fixable(
        "Place_of_Supply", "place_of_supply", "Place of supply", STATES
    ),
    "missing_gst_treatment": Fixable(
        "GST_Treatment", "tax_treatment", "GST treatment", _pairs(GST_TREATMENTS)
    ),
    "missing_vat_treatment": Fixable(
        "VAT_Treatment", "tax_treatment", "VAT treatment", _pairs(VAT_TREATMENTS)
    ),
    "missing_currency": Fixable("Currency", "currency", "Currency code (e.g. GBP)"),
    "currency_invalid": Fixable(
        "Currency", "currency", "Currency code enabled in Books (e.g. GBP)"
    ),
}


def failure_fix_value(*, failure: SyncFailure, value: str, actor: AbstractBaseUser):
    """Set the missing field on the CRM record, then retry the push.

    Guarantees: the value is written to CRM first (with ``trigger=[]`` so no workflow
    echoes it back), the mirror row follows only after CRM accepted it, the change is
    audited on the record, and the push runs once; its outcome is returned.
    """
    fix = FIXABLE.get(failure.reason_code)
    record = failure.crm_record
    if fix is None or record is None:
        raise FixError("This failure is not fixed by setting a value.")
    settings = sync_settings_ensure(books_organization_id=failure.organization_id)
    try:
        clients = org_clients(settings, lane="interactive")
    except Exception as exc:  # NotConnected: say so instead of a 500
        raise FixError(str(exc)) from exc
    [result] = clients.crm.update(
        module=record.module, records=[{"id": record.crm_id, fix.crm_field: value}], trigger=[]
    )
    if not result.ok:
        raise FixError(f"CRM refused the value: {result.message or result.code}")
    before = getattr(record, fix.mirror_field)
    CrmRecord.objects.filter(pk=record.pk).update(**{fix.mirror_field: value})
    setattr(record, fix.mirror_field, value)
    audit_record(
        actor=actor,
        action="record.fix",
        target_type="record",
        target_id=f"{record.module}:{record.crm_id}",
        target_label=record.name,
        before={fix.crm_field: before},
        after={fix.crm_field: value},
        note=f"{fix.label} set to {value} to fix {failure.reason_code}",
    )
    return _push_now(record, failure.organization_id, actor)


def failure_link_existing(*, failure: SyncFailure, actor: AbstractBaseUser):
    """For a display-name collision: link the record to the customer Books already has."""
    from syncadmin.sync import controls

    contact = _colliding_contact(failure)
    link = failure.link
    if link is None:
        raise FixError("Open the record page and link it with the customer picker.")
    controls.link_relink(link=link, books_contact=contact, actor=actor)
    return contact


def failure_retry_renamed(*, failure: SyncFailure, actor: AbstractBaseUser):
    """For a display-name collision: push again with Books' display name set to the
    suggested, disambiguated name (the CRM record keeps its own name)."""
    from syncadmin.sync.push import record_push

    name = (failure.details or {}).get("suggested_name")
    record = failure.crm_record
    if not name or record is None:
        raise FixError("No suggested name was recorded for this failure.")
    settings = sync_settings_ensure(books_organization_id=failure.organization_id)
    try:
        clients = org_clients(settings, lane="interactive")
    except Exception as exc:
        raise FixError(str(exc)) from exc
    found = clients.crm.record(module=record.module, record_id=record.crm_id)
    if found is None:
        raise FixError("The CRM record no longer exists.")
    key = "Account_Name" if record.module == "Accounts" else "Full_Name"
    audit_record(
        actor=actor,
        action="record.retry_renamed",
        target_type="record",
        target_id=f"{record.module}:{record.crm_id}",
        target_label=record.name,
        note=f"Retried as {name!r} after a display-name collision",
    )
    return record_push(
        organization_id=failure.organization_id,
        module=record.module,
        crm_id=record.crm_id,
        fields={**found.fields, key: name},
        trigger="manual",
        actor=actor,
        lane="interactive",
    )


def _colliding_contact(failure: SyncFailure) -> BooksContact:
    details = failure.details or {}
    contact_id = details.get("existing_contact_id") or details.get("contact_id")
    found = BooksContact.objects.filter(
        organization_id=failure.organization_id, contact_id=str(contact_id or "")
    ).first()
    if found is None:
        raise FixError("The existing Books customer is not mirrored yet; run a Books mirror.")
    return found


def _push_now(record: CrmRecord, organization_id: str, actor):
    from syncadmin.sync import controls

    return controls.record_push_now(crm_record=record, organization_id=organization_id, actor=actor)
