"""Push one CRM record to Books: exactly once, within the budget, never behind a pause.

The order of checks is the product's promise: paused → out of scope → mandatory fields →
(claim) → linked: update only on change → same party already in Books: link → create by
upsert on the unique custom field, so a retry after a crash finds the customer it made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from syncadmin.budget import UnknownPlan
from syncadmin.models import (
    BooksContact,
    CrmRecord,
    EventOutcome,
    LinkProvenance,
    LinkState,
    ModuleMapping,
    PushLedger,
    RecordLink,
    RunTrigger,
    SyncSettings,
)
from syncadmin.models.mapping import NOT_LIVE_STATES
from syncadmin.sync import ledger, persons, runs
from syncadmin.sync.failures import failure_record, failures_resolve
from syncadmin.sync.guard import Verdict, collision_guard, disambiguated_name
from syncadmin.sync.profile import NotConnected, OrgClients, org_clients, sync_settings_ensure
from syncadmin.sync.rows import books_contact_values, crm_record_values
from syncadmin.sync.shape import Shaped, books_payload, in_scope
from syncadmin.zoho import BooksClient
from syncadmin.zoho.errors import ZohoError
from syncadmin.zoho.ids import crm_module, zoho_id
from syncadmin.zoho.types import BooksContact as ZohoContact

PUSHABLE_MODULES = ("Accounts", "Contacts")


@dataclass(frozen=True)
class PushOutcome:
    outcome: str  # an EventOutcome value
    link: RecordLink | None = None
    reason_code: str = ""
    message: str = ""
    books_calls: int = field(default=0, compare=False)


@dataclass
class Push:
    """One push in flight: what it knows about the record, and where it reports."""

    settings: SyncSettings
    module: str
    crm_id: str
    trigger: str
    actor: Any = None
    run: Any = None
    lane: str = "realtime"
    record: CrmRecord | None = None
    ledger: PushLedger | None = None  # the claimed ledger row, while the claim is held

    @property
    def org(self) -> str:
        return self.settings.books_organization_id

    @property
    def subject(self) -> str:
        return f"{self.module}:{self.crm_id}"


def record_push(
    *,
    organization_id: str,
    module: str,
    crm_id: str,
    fields: dict[str, Any] | None = None,
    trigger: str = RunTrigger.WEBHOOK,
    actor=None,
    run=None,
    lane: str = "realtime",
) -> PushOutcome:
    """Bring one CRM record into Books, or say why not.

    Guarantees: a paused record or organisation is never sent (skipped, with the reason);
    at most one Books customer per CRM record — concurrent pushes of the record serialise
    on its ledger claim, creates go through Books' upsert on the unique custom field, and
    an existing customer for the same party is linked instead of duplicated; an unchanged
    record costs no Books call; every outcome is an event of ``run`` (or of the hour's
    push run) and every failure an open ``SyncFailure`` that a later success resolves.
    ``fields`` None means: read the record from CRM first (one CRM call).
    """
    module, crm_id = crm_module(module), zoho_id(crm_id)
    if module not in PUSHABLE_MODULES:
        raise ValueError(f"Only {', '.join(PUSHABLE_MODULES)} are pushed to Books.")
    settings = sync_settings_ensure(books_organization_id=organization_id)
    push = Push(settings, module, crm_id, trigger, actor, run, lane)
    push.run = run or runs.run_rolling(kind="push", trigger=trigger, organization_id=push.org)
    try:
        clients = org_clients(settings, lane=lane)
    except NotConnected as exc:
        return _fail(push, "not_connected", str(exc))
    except UnknownPlan as exc:
        return _fail(push, "plan_unknown", str(exc))
    return _push(push, clients, fields)


def _push(push: Push, clients: OrgClients, fields: dict[str, Any] | None) -> PushOutcome:
    if paused := _pause_reason(push):
        return _skip(push, "paused", paused)
    try:
        if fields is None:
            found = clients.crm.record(module=push.module, record_id=push.crm_id)
            if found is None:
                return _fail(push, "record_gone", "The CRM record no longer exists.")
            fields = found.fields
        push.record = _mirror_crm(push, fields)
        s = push.settings
        if not in_scope(fields, scope_field=s.scope_field, scope_value=s.scope_value):
            return _skip(push, "out_of_scope", f"{s.scope_field} is not {s.scope_value!r}.")
        shape = module_shape(s.module_mapping, push.module, push.record.account_crm_id)
        if shape == "skip":
            mapping = s.get_module_mapping_display()
            return _skip(push, "out_of_scope", f"{push.module} are not synced ({mapping}).")
        if shape == "person":
            return persons.person_push(push, clients.books, fields)
        shaped = books_payload(
            module=push.module, fields=fields, country=s.books_country, overrides=s.field_mapping
        )
        if shaped.missing:
            return _fail(push, shaped.missing, shaped.detail)
        with ledger.ledger_claim(
            organization_id=push.org, module=push.module, crm_id=push.crm_id
        ) as push.ledger:
            return _push_claimed(push, clients.books, shaped)
    except ledger.RecordBusy as exc:
        return _fail(push, "record_locked", str(exc))
    except ZohoError as exc:
        return _fail(push, exc.reason.code, str(exc), error=exc)


def module_shape(mapping: str, module: str, account_id: str) -> str:
    """What a record of ``module`` becomes under the organisation's module mapping:
    a "customer", a "person" of its account's customer, or "skip"."""
    if mapping == ModuleMapping.ACCOUNTS:
        return "customer" if module == "Accounts" else "skip"
    if mapping == ModuleMapping.CONTACTS:
        return "customer" if module == "Contacts" else "skip"
    return "person" if module == "Contacts" and account_id else "customer"


def _pause_reason(push: Push) -> str:
    s = push.settings
    if s.paused:
        return f"Sync is paused for this organisation: {s.paused_reason or 'no reason given'}."
    link = _live_link(push)
    if link and link.paused and (link.paused_until is None or link.paused_until > timezone.now()):
        return f"This record is paused: {link.paused_reason or 'no reason given'}."
    return ""


def _live_link(push: Push) -> RecordLink | None:
    return (
        RecordLink.objects.select_related("books_contact")
        .filter(
            books_organization_id=push.org,
            crm_record__module=push.module,
            crm_record__crm_id=push.crm_id,
        )
        .exclude(state__in=NOT_LIVE_STATES)
        .first()
    )


def _push_claimed(push: Push, books: BooksClient, shaped: Shaped) -> PushOutcome:
    link = _live_link(push)
    if link and link.state == LinkState.LINKED and link.books_contact_id:
        return _update(push, books, link, shaped)
    verdict = collision_guard(
        organization_id=push.org, module=push.module, crm_id=push.crm_id,
        name=shaped.payload["contact_name"], email=push.record.email,
    )  # fmt: skip
    if verdict.kind == "same":
        return _adopt(push, link, verdict, shaped)
    if verdict.kind == "lookalike":
        return _hold_for_review(push, verdict)
    return _create(push, books, link, shaped)


def _update(push: Push, books: BooksClient, link: RecordLink, shaped: Shaped) -> PushOutcome:
    if link.pushed_payload_hash == shaped.hash:
        return _done(push, EventOutcome.UNCHANGED, link, "Books already has these values.")
    payload = {k: v for k, v in shaped.payload.items() if k != "contact_persons"}
    persons = _persons_update(link.books_contact, shaped.payload.get("contact_persons"))
    if persons is not None:
        payload["contact_persons"] = persons
    contact = books.contact_update(contact_id=link.books_contact.contact_id, payload=payload)
    _mirror_books(push, contact)
    RecordLink.objects.filter(pk=link.pk).update(
        pushed_payload_hash=shaped.hash, last_pushed_at=timezone.now(), updated_at=timezone.now()
    )
    return _done(push, EventOutcome.UPDATED, link, "Books customer updated.", books_calls=1)


def _persons_update(contact: BooksContact, wanted: list[dict] | None) -> list[dict] | None:
    """The persons to send with an update so the primary one gets the CRM record's e-mail
    and phone, or None to leave persons alone. Books' PUT replaces the whole list, so every
    person the mirror knows is sent back with its id; without that knowledge (a contact
    mirrored from a list read) persons are not touched rather than lost."""
    known = (contact.raw or {}).get("contact_persons")
    if not wanted or not isinstance(known, list):
        return None
    primary = next((p for p in known if p.get("is_primary_contact")), None)
    keep = ("contact_person_id", "first_name", "last_name", "email", "phone", "is_primary_contact")
    persons = [{k: p[k] for k in keep if k in p} for p in known]
    if primary is None:
        return [*persons, wanted[0]]
    for person in persons:
        if person.get("contact_person_id") == primary.get("contact_person_id"):
            person.update({k: v for k, v in wanted[0].items() if k in ("email", "phone")})
    return persons


def _create(push: Push, books: BooksClient, link: RecordLink | None, shaped: Shaped):
    unique = push.settings.unique_field
    payload = {**shaped.payload, "custom_fields": [{"api_name": unique, "value": push.crm_id}]}
    try:
        contact, created = books.contact_upsert(
            unique_key=unique, unique_value=push.crm_id, payload=payload
        )
    except ZohoError as exc:
        if exc.reason.code == "display_name_taken":
            return _collision(push, books, link, shaped, exc)
        raise
    outcome = EventOutcome.CREATED if created else EventOutcome.LINKED
    saved = _link_save(push, link, _mirror_books(push, contact), LinkProvenance.PUSHED, shaped)
    return _done(push, outcome, saved, f"Books customer {contact.contact_id}.", books_calls=1)


def _collision(push: Push, books: BooksClient, link, shaped: Shaped, error: ZohoError):
    """3062: the display name is taken. The same party → link; else a failure that names
    the existing customer and suggests a name that would not collide."""
    name = shaped.payload["contact_name"]
    existing = [c for c in books.contacts(contact_name=name) if c.contact_name == name]
    verdict = collision_guard(
        organization_id=push.org, module=push.module, crm_id=push.crm_id, name=name,
        email=push.record.email, candidates=[_mirror_books(push, c) for c in existing],
    )  # fmt: skip
    if verdict.kind == "same":
        return _adopt(push, link, verdict, shaped)
    details = {
        "existing_contact_id": existing[0].contact_id if existing else "",
        "existing_name": name,
        "suggested_name": disambiguated_name(name, push.record),
    }
    return _fail(push, "display_name_taken", str(error), error=error, details=details)


def _adopt(push: Push, link, verdict: Verdict, shaped: Shaped) -> PushOutcome:
    contact = verdict.contact
    saved = _link_save(push, link, contact, verdict.provenance, shaped, hash_known=False)
    message = f"Linked to existing Books customer {contact.contact_id}: {verdict.evidence}."
    return _done(push, EventOutcome.LINKED, saved, message)


def _hold_for_review(push: Push, verdict: Verdict) -> PushOutcome:
    details = {"candidate_contact_id": verdict.contact.contact_id, "evidence": verdict.evidence}
    message = f"Held for review: {verdict.contact.contact_name} looks alike ({verdict.evidence})."
    return _fail(push, "needs_review", message, details=details)


def _link_save(
    push: Push,
    link: RecordLink | None,
    contact: BooksContact,
    provenance: str,
    shaped: Shaped,
    *,
    hash_known: bool = True,
) -> RecordLink:
    """Point the record's live link at ``contact`` (creating it), and owe CRM the id."""
    now = timezone.now()
    values = {
        "books_contact": contact, "state": LinkState.LINKED, "provenance": provenance,
        "pushed_payload_hash": shaped.hash if hash_known else "", "last_pushed_at": now,
        "written_back": push.record.books_ref == contact.contact_id,
    }  # fmt: skip
    if link is None:
        link = _orphan_rows_for(push, contact).first()
    if link is None:
        link = RecordLink.objects.create(
            books_organization_id=push.org, crm_module=push.module, crm_record=push.record,
            **values,
        )  # fmt: skip
    else:
        values.update(crm_record=push.record, updated_at=now)
        RecordLink.objects.filter(pk=link.pk).update(**values)
        for name, value in values.items():
            setattr(link, name, value)
    ledger_owes_writeback(push, contact.contact_id, shaped.hash, owed=not values["written_back"])
    return link


def _orphan_rows_for(push: Push, contact: BooksContact):
    """A link kept for this Books customer without a CRM side is completed, not doubled."""
    return RecordLink.objects.filter(
        books_organization_id=push.org, crm_module=push.module, books_contact=contact,
        crm_record__isnull=True,
    ).exclude(state__in=NOT_LIVE_STATES)  # fmt: skip


def ledger_owes_writeback(push: Push, contact_id: str, payload_hash: str, *, owed: bool) -> None:
    from syncadmin.sync import writeback

    row = push.ledger
    ledger.ledger_record(
        row, books_contact_id=contact_id, payload_hash=payload_hash, writeback_due=owed,
        pushes=row.pushes + 1,
    )  # fmt: skip
    if owed:
        writeback.writeback_schedule(organization_id=push.org)


def _mirror_crm(push: Push, fields: dict[str, Any]) -> CrmRecord:
    values = crm_record_values(push.module, fields, writeback_field=push.settings.writeback_field)
    values["deleted_at"] = None
    return _upsert(CrmRecord, {"module": push.module, "crm_id": push.crm_id}, values)


def _mirror_books(push: Push, contact: ZohoContact) -> BooksContact:
    values = books_contact_values(contact.data, unique_field=push.settings.unique_field)
    values["deleted_at"] = None
    key = {"organization_id": push.org, "contact_id": contact.contact_id}
    return _upsert(BooksContact, key, values)


def _upsert(model, key: dict[str, Any], values: dict[str, Any]):
    """Insert the row of ``key`` with ``values``, or update those values (and its auto_now
    time) if it exists: one statement, safe beside a concurrent push doing the same. The
    row comes back with its primary key and these values; its other fields, which keep
    what is stored, are not read back."""
    row = model(**key, **values)
    stamped = [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
    model.objects.bulk_create(
        [row], update_conflicts=True, unique_fields=list(key), update_fields=[*values, *stamped]
    )
    return row


def _done(push: Push, outcome: str, link: RecordLink, message: str, books_calls: int = 0):
    failures_resolve(
        organization_id=push.org, subject=push.subject, resolution=f"push {outcome}",
        operation="push",
    )  # fmt: skip
    _event(push, outcome, message, link=link)
    return PushOutcome(outcome, link, "", message, books_calls)


def _known_record(push: Push) -> CrmRecord | None:
    """The mirrored CRM record, for an outcome reached before the push mirrored it."""
    if push.record is None:
        push.record = CrmRecord.objects.filter(module=push.module, crm_id=push.crm_id).first()
    return push.record


def _skip(push: Push, reason_code: str, message: str) -> PushOutcome:
    _known_record(push)
    _event(push, EventOutcome.SKIPPED, message)
    return PushOutcome(EventOutcome.SKIPPED, _live_link(push), reason_code, message)


def _fail(push: Push, reason_code: str, message: str, *, error=None, details=None):
    # The record got past whatever it failed on before: those reasons are history now.
    failures_resolve(
        organization_id=push.org, subject=push.subject, resolution=f"now fails: {reason_code}",
        except_codes=[reason_code], operation="push",
    )  # fmt: skip
    failure_record(
        organization_id=push.org, subject=push.subject, operation="push",
        reason_code=reason_code, error=error, crm_record=_known_record(push), link=_live_link(push),
        run=push.run, details=details,
        retry_at=_budget_retry_at(error),
    )  # fmt: skip
    _event(push, EventOutcome.FAILED, message)
    return PushOutcome(EventOutcome.FAILED, _live_link(push), reason_code, message)


def _budget_retry_at(error):
    """Budget exhaustion waits for the budget, visibly: retry when it frees up."""
    retry_at = getattr(error, "retry_at", None)
    return datetime.fromtimestamp(retry_at, tz=UTC) if retry_at else None


def _event(push: Push, outcome: str, message: str, *, link=None) -> None:
    runs.run_event(
        push.run, outcome=outcome, message=message, crm_record=push.record,
        books_contact=link.books_contact if link else None, link=link,
    )  # fmt: skip
