"""The emulated native CRM → Books integration: runs, connect and disconnect.

Native sync is Zoho-internal: it writes straight to the tables, never through the public
API, so it spends no API credits or Books request quota and logs no `ApiCall`.
"""

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

from django.db import IntegrityError, connection, transaction

from .. import ids, knobs
from ..books.contacts import PERSON_FIELDS, crm_source, duplicate_name, name_key, names_clashing
from ..ids import IdSequence
from ..models import (
    BooksContact,
    BooksContactPerson,
    BooksOrg,
    BooksUniqueValue,
    NativeSyncLink,
    NativeSyncRun,
)
from ..models.books import SyncType
from ..models.crm import CrmModule, CrmRecord
from .bulk import insert_rows, update_rows
from .mapping import ContactSpec, add_person, spec_for
from .plan import BooksEntry, Failure, Link, Plan, Unit, plan_sync

BATCH = 5000
CHUNK = 1000  # units per write transaction: short enough that API writes get their turn
# SQLite's busy handler is not fair: a waiting writer sleeps up to 100 ms between tries,
# so a run that re-took the write lock right after each chunk would starve API calls.
CHUNK_PAUSE_SECONDS = 0.02
ACCOUNT_SYNC_TYPES = (SyncType.ACCOUNTS_AND_CONTACTS, SyncType.ACCOUNTS_ONLY)


def is_syncing(org: BooksOrg) -> bool:
    return bool(org.native_sync_connected and org.crm_org_id and org.sync_type != SyncType.NONE)


# ------------------------------------------------------------------ snapshot


def _crm_rows(org: BooksOrg) -> Iterator[tuple]:
    rows = CrmRecord.objects.filter(
        org_id=org.crm_org_id,
        module__in=[CrmModule.ACCOUNTS, CrmModule.CONTACTS],
        deleted_time__isnull=True,
    ).values_list("module", "record_id", "data", "account_id", "created_time", "modified_time")
    yield from sorted(rows.iterator(chunk_size=BATCH), key=lambda r: (r[4], r[1]))


def load_units(org: BooksOrg) -> list[Unit]:
    """The live CRM records the org's sync type covers, oldest first, with the contacts of
    each account folded in as its contact persons (their edits count as the account's)."""
    accounts_mode = org.sync_type in ACCOUNT_SYNC_TYPES
    with_persons = org.sync_type == SyncType.ACCOUNTS_AND_CONTACTS
    loose_contacts = org.sync_type == SyncType.CONTACTS_ONLY or (
        with_persons and org.sync_include_unassociated_contacts
    )
    units: list[Unit] = []
    by_account: dict[str, Unit] = {}
    for module, record_id, data, account_id, _created, modified in _crm_rows(org):
        if module == CrmModule.ACCOUNTS and accounts_mode:
            unit = Unit(module, record_id, spec_for(org, module, record_id, data), modified)
            units.append(unit)
            by_account[record_id] = unit
        elif module == CrmModule.CONTACTS:
            parent = by_account.get(account_id) if with_persons else None
            if parent is not None:
                _fold_person(parent, record_id, data, modified)
            elif loose_contacts and (not account_id or org.sync_type == SyncType.CONTACTS_ONLY):
                spec = spec_for(org, module, record_id, data)
                units.append(Unit(module, record_id, spec, modified))
    return units


def _fold_person(parent: Unit, record_id: str, data: dict, modified: datetime) -> None:
    add_person(parent.spec, record_id, data)
    parent.modified_time = max(parent.modified_time, modified)


def _books_entries(org: BooksOrg) -> dict[str, BooksEntry]:
    contacts = BooksContact.objects.filter(org=org)
    if knobs.get().books_name_shared_across_types:  # else vendors' names clash too
        contacts = contacts.filter(contact_type="customer")
    rows = contacts.values_list("contact_id", "contact_name").iterator(chunk_size=BATCH)
    entries = {cid: BooksEntry(cid, name) for cid, name in rows}
    refs = BooksUniqueValue.objects.filter(org=org, api_name="cf_crm_ref").values_list(
        "contact__contact_id", "value"
    )
    for contact_id, value in refs.iterator(chunk_size=BATCH):
        if contact_id in entries:
            entries[contact_id].crm_ref = value
    return entries


def _links(org: BooksOrg) -> dict[tuple[str, str], Link]:
    rows = NativeSyncLink.objects.filter(books_org=org).values_list(
        "crm_module", "crm_record_id", "books_contact_id", "last_synced_at"
    )
    return {(m, r): Link(b, at) for m, r, b, at in rows.iterator(chunk_size=BATCH)}


# ------------------------------------------------------------------ writing


def _chunks(items: list, size: int = BATCH) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _link_fields(contact: BooksContact, spec: ContactSpec) -> None:
    for name, value in spec.links.items():
        setattr(contact, name, value)


def _overwrite_fields(contact: BooksContact, spec: ContactSpec) -> None:
    contact.contact_name = spec.contact_name
    contact.company_name = spec.company_name
    contact.customer_sub_type = spec.customer_sub_type
    contact.currency_code = spec.currency_code
    contact.data = {**contact.data, **spec.data}


def _new_contact(
    org: BooksOrg, spec: ContactSpec, contact_id: str, now: datetime, source: str
) -> BooksContact:
    contact = BooksContact(
        org=org,
        contact_id=contact_id,
        contact_type="customer",
        source=source,
        created_time=now,
        last_modified_time=now,
        data={},
    )
    _overwrite_fields(contact, spec)
    _link_fields(contact, spec)
    return contact


_PERSON_FIELDS = [*PERSON_FIELDS, "last_modified_time"]


def _person(contact: BooksContact, spec: dict, pid: str, primary: bool, now: datetime):
    """A Books contact person from a CRM contact (`books.contacts` person keys)."""
    values = {f: str(spec.get(f) or "")[:255] for f in PERSON_FIELDS}
    return BooksContactPerson(
        contact=contact,
        contact_person_id=pid,
        is_primary_contact=primary,
        zcrm_contact_id=spec["zcrm_contact_id"],
        created_time=now,
        last_modified_time=now,
        **values,
    )


def _mirror_primary(contact: BooksContact, person: BooksContactPerson) -> None:
    for name in ("first_name", "last_name", "email", "phone", "mobile"):
        setattr(contact, name, getattr(person, name))


_CONTACT_FIELDS = ["contact_name", "company_name", "customer_sub_type", "currency_code", "data"]
_CONTACT_FIELDS += ["zcrm_account_id", "zcrm_contact_id", "crm_owner_id"]
_CONTACT_FIELDS += ["is_linked_with_zohocrm", "is_crm_customer", "last_modified_time"]
_CONTACT_FIELDS += ["first_name", "last_name", "email", "phone", "mobile"]


def _create_all(org: BooksOrg, units: list[Unit], now: datetime, seq: IdSequence) -> list[str]:
    contacts, persons, source = [], [], crm_source()
    for unit in units:
        contact = _new_contact(org, unit.spec, seq.next(), now, source)
        mine = [
            _person(contact, spec, seq.next(), index == 0, now)
            for index, spec in enumerate(unit.spec.persons)
        ]
        if mine:
            _mirror_primary(contact, mine[0])
        persons += mine
        contacts.append(contact)
    insert_rows(contacts)
    insert_rows(persons)
    return [c.contact_id for c in contacts]


def _fetch(org: BooksOrg, contact_ids: Iterable[str]) -> dict[str, BooksContact]:
    found: dict[str, BooksContact] = {}
    for batch in _chunks(list(contact_ids)):
        found.update(BooksContact.objects.filter(org=org).in_bulk(batch, field_name="contact_id"))
    return found


def _persons_of(contacts: list[BooksContact]) -> dict[int, list[BooksContactPerson]]:
    found: dict[int, list[BooksContactPerson]] = defaultdict(list)
    for batch in _chunks([c.pk for c in contacts]):
        for person in BooksContactPerson.objects.filter(contact_id__in=batch).order_by("id"):
            found[person.contact_id].append(person)
    return found


def _merge_persons(
    contact: BooksContact,
    existing: list[BooksContactPerson],
    specs: list[dict],
    now: datetime,
    seq: IdSequence,
) -> tuple[list[BooksContactPerson], list[BooksContactPerson]]:
    """CRM contacts overwrite the Books persons linked to them; new ones are added;
    persons added in Books (no CRM id) are left alone. Returns (changed, new)."""
    by_crm = {p.zcrm_contact_id: p for p in existing if p.zcrm_contact_id}
    changed, new = [], []
    has_primary = any(p.is_primary_contact for p in existing)
    for spec in specs:
        person = by_crm.get(spec["zcrm_contact_id"])
        if person is None:
            new.append(_person(contact, spec, seq.next(), not has_primary, now))
            has_primary = True
            continue
        for name in PERSON_FIELDS:
            setattr(person, name, str(spec.get(name) or "")[:255])
        person.last_modified_time = now
        changed.append(person)
    primary = next((p for p in [*existing, *new] if p.is_primary_contact), None)
    if primary is not None:
        _mirror_primary(contact, primary)
    return changed, new


def _write_existing(
    org: BooksOrg,
    items: list[tuple[Unit, str, bool]],
    now: datetime,
    seq: IdSequence,
) -> list[tuple[Unit, str]]:
    """Pairs and updates: link fields always; CRM data where `overwrite`. A contact
    deleted since the plan was made is skipped (its next CRM edit re-creates it).
    Returns the (unit, contact_id) pairs written."""
    contacts = _fetch(org, [cid for _, cid, _ in items])
    wanted = [contacts[cid] for _, cid, overwrite in items if overwrite and cid in contacts]
    persons = _persons_of(wanted)
    changed_persons, new_persons, written = [], [], []
    for unit, cid, overwrite in items:
        contact = contacts.get(cid)
        if contact is None:
            continue
        written.append((unit, cid))
        _link_fields(contact, unit.spec)
        contact.last_modified_time = now
        if overwrite:
            _overwrite_fields(contact, unit.spec)
            changed, new = _merge_persons(
                contact, persons.get(contact.pk, []), unit.spec.persons, now, seq
            )
            changed_persons += changed
            new_persons += new
    update_rows(list(contacts.values()), _CONTACT_FIELDS)
    update_rows(changed_persons, _PERSON_FIELDS)
    insert_rows(new_persons)
    return written


def _write_links(org: BooksOrg, pairs: list[tuple[Unit, str]], now: datetime) -> None:
    rows = [
        NativeSyncLink(
            books_org=org,
            crm_module=unit.module,
            crm_record_id=unit.crm_id,
            books_contact_id=contact_id,
            created_at=now,
            last_synced_at=now,
        )
        for unit, contact_id in pairs
    ]
    NativeSyncLink.objects.bulk_create(
        rows,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["books_org", "crm_module", "crm_record_id"],
        update_fields=["books_contact_id", "last_synced_at"],
    )


def _in_chunks(items: list, write: Callable[[list], int], failures: list[Failure]) -> int:
    """Apply `items` CHUNK at a time, each chunk in its own transaction, pausing between
    chunks so waiting API writers get the lock. Returns how many items were written."""
    written = 0
    for chunk in _chunks(items, CHUNK):
        written += _write_chunk(chunk, write, failures)
        if not connection.in_atomic_block:  # inside a caller's transaction: no one to wait for
            time.sleep(CHUNK_PAUSE_SECONDS)
    return written


def _write_chunk(chunk: list, write: Callable[[list], int], failures: list[Failure]) -> int:
    """One transaction for the chunk (`write` leaves out names taken since the plan).
    Should the exact-name constraint still fire, retry item by item and fail only the
    clashing ones with 3062, as the run would had it seen the name."""
    try:
        with transaction.atomic():
            return write(chunk)
    except IntegrityError:
        pass
    written = 0
    for item in chunk:
        unit = item[0] if isinstance(item, tuple) else item
        try:
            with transaction.atomic():
                written += write([item])
        except IntegrityError:
            error = duplicate_name(unit.spec.contact_name, "customer")
            failures.append(Failure(unit.module, unit.crm_id, error.code, error.message))
    return written


def _drop_taken(org: BooksOrg, items: list, own_ids: list[str], late: list[Failure]) -> list:
    """Inside the chunk's transaction: leave out, as 3062 failures in `late`, the items
    whose display name an API writer took since the plan was made (compared as the
    knobs say). `own_ids` are the chunk's own contacts, whose names are being rewritten."""
    if not items:
        return items
    match = knobs.get().books_name_match
    units = [item[0] if isinstance(item, tuple) else item for item in items]
    names = [unit.spec.contact_name for unit in units]
    clashing = names_clashing(org, names, contact_type="customer").exclude(contact_id__in=own_ids)
    taken = {name_key(name, match) for name in clashing.values_list("contact_name", flat=True)}
    kept = []
    for item, unit in zip(items, units, strict=True):
        if name_key(unit.spec.contact_name, match) not in taken:
            kept.append(item)
            continue
        error = duplicate_name(unit.spec.contact_name, "customer")
        late.append(Failure(unit.module, unit.crm_id, error.code, error.message))
    return kept


def apply_plan(org: BooksOrg, plan: Plan, now: datetime, seq: IdSequence) -> tuple[int, int]:
    """Write a plan: new customers, paired and updated ones, and the id map, in short
    transactions. Each unit's contact, persons and id-map row commit together, so a crash
    leaves whole units only. Late 3062s are appended to `plan.failures`.
    Returns (created, paired or updated) counts of what was written."""

    def create(units: list[Unit]) -> int:
        late: list[Failure] = []
        units = _drop_taken(org, units, [], late)
        _write_links(org, list(zip(units, _create_all(org, units, now, seq), strict=True)), now)
        plan.failures.extend(late)  # only once the chunk wrote (a retry re-checks)
        return len(units)

    def update(items: list[tuple[Unit, str, bool]]) -> int:
        late: list[Failure] = []
        renames = [i for i in items if i[2]]  # only overwrites write a (new) name
        kept = {id(i) for i in _drop_taken(org, renames, [i[1] for i in renames], late)}
        items = [i for i in items if not i[2] or id(i) in kept]
        written = _write_existing(org, items, now, seq)
        _write_links(org, written, now)
        plan.failures.extend(late)
        return len(written)

    existing = [(u, cid, ov) for u, cid, ov in plan.pairs]
    existing += [(u, cid, True) for u, cid in plan.updates]
    created = _in_chunks(plan.creates, create, plan.failures)
    return created, _in_chunks(existing, update, plan.failures)


# ------------------------------------------------------------------ services


# One run per org at a time: two overlapping runs would plan the same creates. The
# sandbox serves from one process, so an in-process lock is exact.
_run_locks: dict[int, threading.Lock] = defaultdict(threading.Lock)


def native_sync_run(
    books_org: BooksOrg,
    *,
    now: datetime,
    trigger: str = "manual",
    id_source: IdSequence | None = None,
) -> NativeSyncRun:
    """Run the native sync for one Books org as Zoho would (see plan.py) and record it.

    Guarantees: the plan is made from a read (no write lock) and applied in transactions
    of at most CHUNK units, so API calls keep being answered during a long run; each
    unit's contact, persons and id-map row commit together (a crash leaves whole units
    only, and the run row says "failed" with the reason); runs of one org never overlap;
    the run row carries the bare failure count Zoho shows plus the per-record reasons; no
    API quota is spent.
    """
    run = NativeSyncRun.objects.create(books_org=books_org, trigger=trigger, started_at=now)
    try:
        with _run_locks[books_org.pk]:
            plan = _plan_for(books_org)
            created, written = apply_plan(books_org, plan, now, id_source or ids.books_ids)
            BooksOrg.objects.filter(pk=books_org.pk).update(native_sync_last_run_at=now)
    except Exception as exc:
        _finish(run, now, status="failed", failures=[{"reason": repr(exc)}])
        raise
    _finish(
        run,
        now,
        status="done",
        created_count=created,
        updated_count=written - plan.skipped,
        skipped_count=plan.skipped,
        failures=[f.as_dict() for f in plan.failures],
    )
    books_org.native_sync_last_run_at = now
    return run


def _plan_for(org: BooksOrg) -> Plan:
    if not is_syncing(org):
        return Plan()
    return plan_sync(
        units=load_units(org),
        books=_books_entries(org),
        links=_links(org),
        duplicates=knobs.get().native_sync_duplicates,
        name_match=knobs.get().books_name_match,
    )


def _finish(run: NativeSyncRun, now: datetime, *, failures: list, **fields: object) -> None:
    run.finished_at = now
    run.failures = failures
    run.failure_count = len(failures)
    for name, value in fields.items():
        setattr(run, name, value)
    run.save()


def native_sync_disconnect(books_org: BooksOrg) -> int:
    """Disconnect as Zoho does: the hidden id map is wiped (the `zcrm_*` fields on Books
    contacts stay). Returns the number of links forgotten."""
    with transaction.atomic():
        forgotten, _ = NativeSyncLink.objects.filter(books_org=books_org).delete()
        BooksOrg.objects.filter(pk=books_org.pk).update(native_sync_connected=False)
    books_org.native_sync_connected = False
    return forgotten


def native_sync_connect(books_org: BooksOrg, *, sync_type: str | None = None) -> None:
    """(Re)connect; with an empty map the next run pairs by exact display name again."""
    fields: dict[str, object] = {"native_sync_connected": True}
    if sync_type:
        fields["sync_type"] = sync_type
    BooksOrg.objects.filter(pk=books_org.pk).update(**fields)
    for name, value in fields.items():
        setattr(books_org, name, value)


def native_sync_run_due(*, now: datetime) -> list[NativeSyncRun]:
    """Run every connected org whose last run is `native_sync_interval_minutes` old."""
    interval = knobs.get().native_sync_interval_minutes
    runs = []
    for org in BooksOrg.objects.filter(native_sync_connected=True).exclude(sync_type="none"):
        last = org.native_sync_last_run_at
        if last is None or (now - last).total_seconds() >= interval * 60:
            runs.append(native_sync_run(org, now=now, trigger="schedule"))
    return runs
