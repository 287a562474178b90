"""What happens to each pattern's records before T1, between T1 and T2, and after T2
(see messy.py for the timeline)."""

from datetime import timedelta

from ..models import BooksContact, CrmRecord
from ..native.bulk import update_rows
from . import names as nm
from .messy import UNSUPPORTED_CURRENCY, Entity, Messy, persons_by_crm
from .writer import Writer

# ------------------------------------------------------------------ before the first sync


def phase_a(m: Messy) -> None:
    drift_turn = 0
    for e in m.entities:
        at = m.ago(1000, 320)
        if e.pattern == "name_drift":
            e.detail = nm.DRIFTS[drift_turn % len(nm.DRIFTS)]
            drift_turn += 1
            if drift_turn > len(nm.DRIFTS):
                e.detail = m.rng.choice(nm.DRIFTS)
        handler = _PHASE_A.get(e.pattern, _plain)
        handler(m, e, at)


def _plain(m: Messy, e: Entity, at, **extra) -> None:
    e.name = e.name or m.names.company()
    account = m.account(e, e.name, at, **extra)
    m.people(e, account, at, least=1 if e.pattern == "email_mismatch" else 0)
    m.deals(e, account, at)


def _pre_paired(m: Messy, e: Entity, at) -> None:
    _plain(m, e, at)
    email = e.contacts[0].email if e.contacts else f"accounts@{nm.domain(e.name)}"
    contact = m.books_customer(e, e.name, at - timedelta(days=30), email)
    m.invoices_later.append((contact, at))


def _name_drift(m: Messy, e: Entity, at) -> None:
    kind = e.detail
    e.name = m.names.company(drift=kind)
    crm_name, books_name = nm.drift(kind, e.name), e.name
    if kind in nm.DRIFT_DUPLICATES and m.rng.random() < 0.5:
        crm_name, books_name = books_name, crm_name  # either side may carry the variant
    account = m.account(e, crm_name, at)
    m.people(e, account, at, least=1)
    m.deals(e, account, at)
    # contact-person email mismatch: Books holds the accounts mailbox, CRM the person's
    email = f"accounts@{nm.domain(e.name)}"
    contact = m.books_customer(e, books_name, at - timedelta(days=60), email)
    if m.rng.random() < 0.7:
        m.invoices_later.append((contact, at))


def _collision(m: Messy, e: Entity, at) -> None:
    e.detail = m.rng.choice(("crm_twins", "books_first"))
    if e.detail == "crm_twins":  # two CRM accounts with one name: the second fails 3062
        _plain(m, e, at)
        twin = m.account(e, e.name, at + timedelta(days=3))
        m.people(e, twin, at + timedelta(days=3))


def _merge_orphan(m: Messy, e: Entity, at) -> None:
    e.name = m.names.company(drift="ltd_limited")
    for name, when in ((e.name, at), (nm.drift("ltd_limited", e.name), at + timedelta(days=9))):
        account = m.account(e, name, when)
        m.people(e, account, when, least=1)
        m.deals(e, account, when)


def _missing_tax(m: Messy, e: Entity, at) -> None:
    if m.org.country == "in":
        e.detail = "place_of_supply"
        _plain(m, e, at, GST_Treatment="business_gst", Billing_State="", GST_No="33ABCDE1234F1Z5")
    else:
        e.detail = "vat_treatment"
        _plain(m, e, at, VAT_Treatment="eu")  # a CRM picklist value Books does not know


def _currency(m: Messy, e: Entity, at) -> None:
    e.detail = UNSUPPORTED_CURRENCY
    _plain(m, e, at, Currency=UNSUPPORTED_CURRENCY)


def _later(m: Messy, e: Entity, at) -> None:
    """Patterns whose records appear after the first sync."""


_PHASE_A = {
    "pre_paired": _pre_paired,
    "name_drift": _name_drift,
    "collision": _collision,
    "merge_orphan": _merge_orphan,
    "missing_tax": _missing_tax,
    "currency": _currency,
    "both_sides": _later,
}

# ------------------------------------------------------------------ between T1 and T2


def phase_b(m: Messy, linked: dict[str, tuple[str, int]]) -> None:
    for contact, at in m.invoices_later:
        m.invoices(contact.pk, at + timedelta(days=10))
    renamed_books: list[BooksContact] = []
    edited: list[CrmRecord] = []
    for e in m.entities:
        at = m.ago(290, 200)
        synced = [linked[a.record_id] for a in e.accounts if a.record_id in linked]
        if e.pattern == "clean" and synced and m.rng.random() < 0.25:
            m.invoices(synced[0][1], at)
        elif e.pattern == "merge_orphan" and synced:
            m.invoices(m.rng.choice(synced)[1], at)
        elif e.pattern == "reconnect" and synced:
            m.invoices(synced[0][1], at)
            _rename(m, e, synced[0][0], at, edited, renamed_books)
        elif e.pattern == "both_sides" and m.rng.random() < 0.5:
            e.detail = "before_reconnect"
            _both_sides(m, e, at)
    m.w.flush()
    Writer.save_crm(edited)
    update_rows(renamed_books, ["contact_name", "company_name"])


def _rename(m: Messy, e: Entity, contact_id: str, at, edited, renamed_books) -> None:
    """A rename while the integration waits: CRM's is synced only after the reconnect,
    Books' is never pushed back; either way exact-name pairing misses afterwards."""
    kind = m.rng.choice(("ltd_limited", "punctuation"))
    new_name = nm.drift(kind, e.name)
    if m.rng.random() < 0.5:
        e.detail = f"crm_rename:{kind}"
        Writer.crm_edit(e.accounts[0], {"Account_Name": new_name}, at=at)
        edited.append(e.accounts[0])
    else:
        e.detail = f"books_rename:{kind}"
        contact = BooksContact.objects.get(contact_id=contact_id)
        contact.contact_name = contact.company_name = new_name
        renamed_books.append(contact)


def _both_sides(m: Messy, e: Entity, at) -> None:
    """The same new customer typed into CRM and into Books, under drifted names."""
    kind = m.rng.choice(nm.DRIFT_DUPLICATES)
    e.name = m.names.company(drift=kind)
    account = m.account(e, e.name, at)
    m.people(e, account, at)
    contact = m.books_customer(e, nm.drift(kind, e.name), at, f"info@{nm.domain(e.name)}")
    if m.rng.random() < 0.5:
        m.invoices(contact, at)


# ------------------------------------------------------------------ after the reconnect


def phase_c(m: Messy, linked: dict[str, tuple[str, int]]) -> None:
    edited: list[CrmRecord] = []
    doomed: list[str] = []
    mailboxes: list[str] = []
    for e in m.entities:
        at = m.ago(170, 10)
        synced = [linked[a.record_id] for a in e.accounts if a.record_id in linked]
        if e.pattern == "both_sides" and not e.detail:
            e.detail = "after_reconnect"
            _both_sides(m, e, at)
        elif e.pattern == "collision" and e.detail == "books_first":
            e.name = m.names.company()
            m.books_customer(e, e.name, at, f"sales@{nm.domain(e.name)}")
            account = m.account(e, e.name, at + timedelta(days=1))
            m.people(e, account, at + timedelta(days=1))
        elif e.pattern == "deleted_partner" and synced:
            doomed.append(synced[0][0])
            e.detail = m.rng.choice(("recreated", "pending"))
            if e.detail == "recreated":  # the next CRM edit brings the partner back
                phone = e.accounts[0].data["Phone"][:-1] + "7"
                Writer.crm_edit(e.accounts[0], {"Phone": phone}, at=at + timedelta(days=2))
                edited.append(e.accounts[0])
        elif e.pattern == "merge_orphan":
            edited += _merge(m, e, at)
        elif e.pattern == "email_mismatch" and e.contacts:
            mailboxes.append(e.contacts[0].record_id)
    m.w.flush()
    Writer.save_crm(edited)
    for start in range(0, len(doomed), 5000):
        BooksContact.objects.filter(contact_id__in=doomed[start : start + 5000]).delete()
    _edit_mailboxes(m, mailboxes)


def _merge(m: Messy, e: Entity, at) -> list[CrmRecord]:
    """CRM merge: the child account is deleted, its contacts move to the master; the
    Books customer of the child is left behind with the dead zcrm_account_id."""
    master, child = e.accounts
    e.detail = "merged"
    e.dead.append(child.record_id)
    child.deleted_time = child.modified_time = at
    child.data["Deleted_By"] = master.data["Owner"]
    moved = []
    for related in [*e.contacts, *e.deals]:  # as CRM's merge re-parents related records
        if related.account_id == child.record_id:
            lookup = {"name": master.name, "id": master.record_id}
            Writer.crm_edit(related, {"Account_Name": lookup}, at=at)
            moved.append(related)
    Writer.crm_edit(master, {"Description": "Merged duplicate account"}, at=at)
    return [master, child, *moved]


def _edit_mailboxes(m: Messy, crm_contact_ids: list[str]) -> None:
    """A Books user changes the person's email; CRM never hears of it."""
    persons = persons_by_crm(m.org, crm_contact_ids)
    contacts = []
    for person in persons.values():
        person.email = f"billing@{person.email.split('@')[-1]}"
        if person.is_primary_contact:
            person.contact.email = person.email
            contacts.append(person.contact)
    update_rows(list(persons.values()), ["email"])
    update_rows(contacts, ["email"])
