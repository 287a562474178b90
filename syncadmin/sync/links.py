"""Links made visible: the pairs Zoho and syncadmin already know, read from the mirror.

Where a pair comes from, strongest first:

* ``pushed``: the Books customer's unique custom field (``cf_crm_ref``) holds the CRM id;
  only syncadmin writes it.
* ``writeback``: the CRM record's write-back field (``Books_Contact_ID``) holds the Books id.
* the native integration's ``zcrm_account_id`` / ``zcrm_contact_id`` on the Books customer.
  A customer whose ``source`` is ``user`` was typed into Books by a person, so the native
  sync can only have paired it by its exact display name: ``native_name_match``; one the
  native sync made itself (``source`` ``crm``) is ``native_id_map``. With the Accounts
  mapping the native sync also stamps the primary person's ``zcrm_contact_id``; that is
  the account's contact person, not a second link, so contact ids count only where the
  customer carries no account id or the organisation maps Contacts. ``zcrm_vendor_id``
  pairs a vendor, never a customer: not imported.

A pair a person unlinked (or relinked away from) is not imported again. Nothing is
dropped: a side that is gone becomes a link state (``orphaned_crm``,
``orphaned_books``, ``books_inactive``, ``crm_merged``) with an ``orphaned_link`` failure;
extra Books copies of one CRM record become ``native_duplicate`` rows; a customer linked
to two CRM records is ``crossed``. No API call is made here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from syncadmin.matching.normalise import company_name
from syncadmin.models import (
    AuditEvent,
    BooksContact,
    CrmRecord,
    LinkProvenance,
    LinkState,
    RecordLink,
    SyncFailure,
    SyncRun,
    Watermark,
)
from syncadmin.models.mapping import NOT_LIVE_STATES
from syncadmin.models.sync import ModuleMapping
from syncadmin.sync.failures import failure_key, failure_record, failures_resolve
from syncadmin.sync.profile import sync_settings_ensure

# Link states this module decides from the two sides; others are left as people set them.
DERIVED_STATES = (
    LinkState.LINKED,
    LinkState.ORPHANED_BOOKS,
    LinkState.ORPHANED_CRM,
    LinkState.BOOKS_INACTIVE,
    LinkState.CRM_MERGED,
)
ORPHAN_STATES = (
    LinkState.ORPHANED_BOOKS,
    LinkState.ORPHANED_CRM,
    LinkState.BOOKS_INACTIVE,
    LinkState.CRM_MERGED,
)
PRIORITY = {
    LinkProvenance.PUSHED: 0,
    LinkProvenance.WRITEBACK: 1,
    LinkProvenance.NATIVE_ID_MAP: 2,
    LinkProvenance.NATIVE_NAME_MATCH: 2,
}


@dataclass(frozen=True)
class Claim:
    module: str
    crm_id: str
    contact: BooksContact
    provenance: str


@dataclass
class LinkReport:
    created: int = 0
    duplicates: int = 0
    state_changes: int = 0
    crossed: int = 0
    # Customers found naming two records of one module in this refresh: stay flagged.
    crossed_contacts: set[int] = field(default_factory=set)

    def __str__(self) -> str:
        return (
            f"{self.created} links imported, {self.duplicates} native duplicates, "
            f"{self.state_changes} state changes, {self.crossed} crossed."
        )


def links_refresh(*, organization_id: str, run: SyncRun | None = None) -> LinkReport:
    """Bring the mapping in line with what the mirror says.

    Guarantees: every pair Books or CRM records (custom field, write-back field, native
    link ids) has a link or a ``native_duplicate`` row, never overriding a live link a
    person or a push made; every link whose side is gone, inactive or merged away carries
    that state and an open ``orphaned_link`` failure, resolved when it heals; a Books
    customer linked to two CRM records has all its links ``crossed`` and an open
    ``crossed_mapping`` failure. Idempotent: a second run changes nothing.
    """
    settings = sync_settings_ensure(books_organization_id=organization_id)
    report = LinkReport()
    contacts = list(BooksContact.objects.filter(organization_id=organization_id))
    claims = _claims(settings, contacts)
    records = _records({(c.module, c.crm_id) for c in claims})
    crm_mirrored = Watermark.objects.filter(
        organization_id=organization_id, stream__startswith="crm:"
    ).exists()
    by_record: dict[tuple[str, str], list[Claim]] = defaultdict(list)
    for claim in claims:
        by_record[(claim.module, claim.crm_id)].append(claim)
    undone = set(
        RecordLink.objects.filter(
            books_organization_id=organization_id, state=LinkState.SUPERSEDED
        ).values_list("crm_record_id", "books_contact_id")
    )
    for key, group in by_record.items():
        record = records.get(key)
        # A pair a person unlinked or relinked away from stays undone.
        group = [c for c in group if (record and record.pk, c.contact.pk) not in undone]
        if not group:
            continue
        group.sort(key=lambda c: (PRIORITY[c.provenance], _age(c.contact)))
        _import(organization_id, record, key, group, report, run, crm_mirrored)
    _states(organization_id, report, run)
    _crossed(organization_id, report, run)
    return report


def _finding(*, organization_id: str, subject: str, reason_code: str, **kwargs) -> None:
    """Open a failure for a finding unless one is open: a finding seen again at every
    refresh is the same finding, not a repeated attempt."""
    key = failure_key(organization_id=organization_id, subject=subject, reason_code=reason_code)
    if SyncFailure.objects.filter(open_key=key, resolved_at__isnull=True).exists():
        return
    failure_record(
        organization_id=organization_id, subject=subject, reason_code=reason_code, **kwargs
    )


# ------------------------------------------------------------------ claims


def _claims(settings, contacts: list[BooksContact]) -> list[Claim]:
    claims: list[Claim] = []
    by_id = {c.contact_id: c for c in contacts}
    refs = {c.crm_ref for c in contacts if c.crm_ref}
    modules = dict(
        CrmRecord.objects.filter(crm_id__in=refs).values_list("crm_id", "module")
    )  # a CRM id names one record in one module
    contacts_mapped = settings.module_mapping == ModuleMapping.CONTACTS
    for contact in contacts:
        if contact.contact_type != "customer":
            continue
        if contact.crm_ref and contact.crm_ref in modules:
            claims.append(
                Claim(modules[contact.crm_ref], contact.crm_ref, contact, LinkProvenance.PUSHED)
            )
        native = (
            LinkProvenance.NATIVE_NAME_MATCH
            if contact.source == "user"
            else LinkProvenance.NATIVE_ID_MAP
        )
        if contact.zcrm_account_id:
            claims.append(Claim("Accounts", contact.zcrm_account_id, contact, native))
        if contact.zcrm_contact_id and (contacts_mapped or not contact.zcrm_account_id):
            claims.append(Claim("Contacts", contact.zcrm_contact_id, contact, native))
    written = CrmRecord.objects.exclude(books_ref="").values_list("module", "crm_id", "books_ref")
    for module, crm_id, books_ref in written:
        if books_ref in by_id:
            claims.append(Claim(module, crm_id, by_id[books_ref], LinkProvenance.WRITEBACK))
    return _dedupe(claims)


def _dedupe(claims: list[Claim]) -> list[Claim]:
    """One claim per (record, customer): the strongest provenance wins."""
    best: dict[tuple[str, str, int], Claim] = {}
    for claim in claims:
        key = (claim.module, claim.crm_id, claim.contact.pk)
        if key not in best or PRIORITY[claim.provenance] < PRIORITY[best[key].provenance]:
            best[key] = claim
    return list(best.values())


def _records(keys: set[tuple[str, str]]) -> dict[tuple[str, str], CrmRecord]:
    found: dict[tuple[str, str], CrmRecord] = {}
    ids = {crm_id for _, crm_id in keys}
    for record in CrmRecord.objects.filter(crm_id__in=ids):
        found[(record.module, record.crm_id)] = record
    return found


def _age(contact: BooksContact):
    # Oldest first: the customer the native sync made first is the one invoices went to.
    return (not contact.has_transaction, contact.created_time or timezone.now(), contact.pk)


# ------------------------------------------------------------------ import


def _import(org, record, key, group: list[Claim], report: LinkReport, run, crm_mirrored) -> None:
    module, crm_id = key
    if record is None and not crm_mirrored:
        return  # the CRM mirror has not run yet: unknown is not gone
    live = _live_for_record(org, record) if record else None
    if live is not None:
        extras = [c for c in group if c.contact.pk != live.books_contact_id]
    else:
        made = _link_create(org, module, record, group[0], report, run)
        extras = group[1:] if made else []
    for claim in extras:
        elsewhere = _live_for_contact(claim.contact, module)
        if elsewhere is not None and record is not None and elsewhere.crm_record_id != record.pk:
            # The customer already speaks for another record: a crossing, not a copy.
            report.crossed_contacts.add(claim.contact.pk)
            _flag_crossed(org, claim.contact, [elsewhere], report, run, other=f"{module}:{crm_id}")
        else:
            _native_duplicate(org, module, record, crm_id, claim, live, report, run)


def _live_for_contact(contact: BooksContact, module: str) -> RecordLink | None:
    return (
        RecordLink.objects.filter(books_contact=contact, crm_module=module)
        .exclude(state__in=NOT_LIVE_STATES)
        .select_related("crm_record")
        .first()
    )


def _live_for_record(org: str, record: CrmRecord) -> RecordLink | None:
    return (
        RecordLink.objects.filter(books_organization_id=org, crm_record=record)
        .exclude(state__in=NOT_LIVE_STATES)
        .first()
    )


def _link_create(org, module, record, claim: Claim, report: LinkReport, run) -> bool:
    """A live link for ``claim``; False when the customer already speaks for another record
    of the module (then that link is flagged crossed instead)."""
    taken = _live_for_contact(claim.contact, module)
    if taken is not None:
        if record is not None and taken.crm_record_id != record.pk:
            # Two records of one module: only one link can be live; flag the live one.
            report.crossed_contacts.add(claim.contact.pk)
            _flag_crossed(
                org, claim.contact, [taken], report, run, other=f"{module}:{claim.crm_id}"
            )
        return False
    try:
        with transaction.atomic():
            RecordLink.objects.create(
                books_organization_id=org,
                crm_module=module,
                crm_record=record,
                books_contact=claim.contact,
                provenance=claim.provenance,
                state=LinkState.LINKED,
                written_back=bool(record and record.books_ref == claim.contact.contact_id),
                last_pulled_at=timezone.now(),
            )
    except IntegrityError:  # a push linked it a moment ago
        return False
    report.created += 1
    return True


def _native_duplicate(org, module, record, crm_id, claim: Claim, live, report, run) -> None:
    """An extra Books customer carrying a CRM record's id: kept as a finding, never live."""
    if record is None:
        return
    row, made = RecordLink.objects.get_or_create(
        books_organization_id=org,
        crm_module=module,
        crm_record=record,
        books_contact=claim.contact,
        state=LinkState.NATIVE_DUPLICATE,
        defaults={"provenance": claim.provenance, "last_pulled_at": timezone.now()},
    )
    if made:
        report.duplicates += 1
    kept = live.books_contact.contact_id if live and live.books_contact_id else ""
    _finding(
        organization_id=org,
        subject=f"books:{claim.contact.contact_id}",
        operation="reconcile",
        reason_code="native_duplicate",
        crm_record=record,
        books_contact=claim.contact,
        link=row,
        run=run,
        details={"crm_id": crm_id, "module": module, "kept_contact_id": kept},
    )


# ------------------------------------------------------------------ states


def link_state_of(link: RecordLink, *, merged: set[tuple[str, str]]) -> str:
    """What a link's two sides say its state is."""
    record, contact = link.crm_record, link.books_contact
    if record is not None and record.deleted_at is not None:
        key = (record.module, record.crm_id)
        return LinkState.CRM_MERGED if key in merged else LinkState.ORPHANED_BOOKS
    if contact is None or contact.deleted_at is not None:
        return LinkState.ORPHANED_CRM
    if record is None:
        return LinkState.ORPHANED_BOOKS
    if contact.status == "inactive":
        return LinkState.BOOKS_INACTIVE
    return LinkState.LINKED


def _states(org: str, report: LinkReport, run) -> None:
    links = list(
        RecordLink.objects.filter(books_organization_id=org, state__in=DERIVED_STATES)
        .select_related("crm_record", "books_contact")
        .order_by("pk")
    )
    merged = merged_records([lk.crm_record for lk in links if lk.crm_record])
    open_orphans = set(
        SyncFailure.objects.filter(
            organization_id=org, reason_code="orphaned_link", resolved_at__isnull=True
        ).values_list("open_key", flat=True)
    )
    for link in links:
        state = link_state_of(link, merged=merged)
        if state != link.state:
            RecordLink.objects.filter(pk=link.pk).update(state=state, updated_at=timezone.now())
            link.state = state
            report.state_changes += 1
        subject = _subject(link)
        # A record paused before it ever had a customer is not a broken link.
        placeholder = link.books_contact is None and state == LinkState.ORPHANED_CRM
        if state in ORPHAN_STATES and not placeholder:
            _finding(
                organization_id=org, subject=subject, operation="reconcile",
                reason_code="orphaned_link", crm_record=link.crm_record,
                books_contact=link.books_contact, link=link, run=run,
                details={"state": state},
            )  # fmt: skip
        elif failure_key(organization_id=org, subject=subject, reason_code="orphaned_link") in (
            open_orphans
        ):
            failures_resolve(
                organization_id=org, subject=subject, resolution="both sides present",
                reason_codes=["orphaned_link"],
            )  # fmt: skip


def _subject(link: RecordLink) -> str:
    if link.crm_record is not None:
        return f"{link.crm_record.module}:{link.crm_record.crm_id}"
    return f"books:{link.books_contact.contact_id}"


def merged_records(records: list[CrmRecord]) -> set[tuple[str, str]]:
    """Deleted CRM records that were merged away rather than deleted.

    CRM's deleted list does not say (a merged child is an ordinary "recycle" tombstone), so:
    syncadmin's own merge left an audit event on the record; or a live record of the same
    module bears its name once legal forms, case and punctuation are folded (merges join
    duplicates, so the survivor carries the name)."""
    dead = [r for r in records if r.deleted_at is not None]
    if not dead:
        return set()
    targets = [f"{r.module}:{r.crm_id}" for r in dead]
    audited = set(
        AuditEvent.objects.filter(
            target_type="record", target_id__in=targets, action__icontains="merge"
        ).values_list("target_id", flat=True)
    )
    names = {(r.module, _core(r.module, r.name)) for r in dead}
    alive = {
        (module, _core(module, name))
        for module, name in CrmRecord.objects.filter(
            deleted_at__isnull=True, module__in={m for m, _ in names}
        ).values_list("module", "name")
    }
    return {
        (r.module, r.crm_id)
        for r in dead
        if f"{r.module}:{r.crm_id}" in audited or (r.module, _core(r.module, r.name)) in alive
    }


def _core(module: str, name: str) -> str:
    if module == "Accounts":
        return company_name(name).core
    return " ".join(name.casefold().split())


# ------------------------------------------------------------------ crossed


def _crossed(org: str, report: LinkReport, run) -> None:
    """A customer with live links from both modules is crossed."""
    by_contact: dict[int, list[RecordLink]] = defaultdict(list)
    for link in (
        RecordLink.objects.filter(books_organization_id=org, books_contact__isnull=False)
        .exclude(state__in=NOT_LIVE_STATES)
        .select_related("books_contact", "crm_record")
    ):
        by_contact[link.books_contact_id].append(link)
    for links in by_contact.values():
        contact = links[0].books_contact
        if len({lk.crm_module for lk in links}) > 1:
            _flag_crossed(org, contact, links, report, run)
        elif any(lk.crossed for lk in links) and contact.pk not in report.crossed_contacts:
            RecordLink.objects.filter(pk__in=[lk.pk for lk in links]).update(crossed=False)
            failures_resolve(
                organization_id=org, subject=f"books:{contact.contact_id}",
                resolution="one CRM record left", reason_codes=["crossed_mapping"],
            )  # fmt: skip


def _flag_crossed(org, contact, links: list[RecordLink], report, run, other: str = "") -> None:
    fresh = [lk.pk for lk in links if not lk.crossed]
    if fresh:
        RecordLink.objects.filter(pk__in=fresh).update(crossed=True, updated_at=timezone.now())
        report.crossed += len(fresh)
    named = sorted(
        {f"{lk.crm_record.module}:{lk.crm_record.crm_id}" for lk in links if lk.crm_record}
        | ({other} if other else set())
    )
    _finding(
        organization_id=org,
        subject=f"books:{contact.contact_id}",
        operation="reconcile",
        reason_code="crossed_mapping",
        books_contact=contact,
        link=links[0],
        run=run,
        details={"crm_records": named},
    )
