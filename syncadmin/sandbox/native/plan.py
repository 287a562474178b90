"""The native integration's decisions, as a pure function of a snapshot.

Zoho's behaviour (issue item 5, zoho-api.md §4):

* FIRST run (the id map of the org is empty): a CRM record pairs with the Books customer of
  exactly the same display name (as typed in CRM: no trimming, case counts); anything else
  becomes a new customer. "Acme Ltd" and "Acme Limited" are therefore two customers, while
  "ACME LTD" or "Acme Ltd " fail with 3062 against "Acme Ltd" (Books trims and ignores case).
* later runs: only the hidden id map counts; an unmapped record becomes a new customer.
* a new or renamed customer whose name is taken (Books compares case-insensitively, or
  exactly under the `books_name_match` knob) fails with 3062.
* a mapped record whose Books customer was deleted is re-created on its next CRM edit.
* CRM deletions and merges change nothing in Books: the customer keeps the dead id.
* duplicates "skip" pairs by name but keeps the Books data; "overwrite" takes CRM's;
  "create" never pairs: it makes a second customer, its name suffixed " (2)", " (3)" …
  where the name is taken (Zoho's naming of such copies is UNCERTAIN).
* a Books customer whose unique custom field `cf_crm_ref` holds the CRM record's id (a
  tool such as syncadmin pushed it) counts as the same customer on every run, as a name
  match does on the first: "skip"/"overwrite" pair with it, "create" duplicates it. How
  Zoho's own duplicate detection sees such a customer is not documented (UNCERTAIN); this
  stands in for it.
"""

from dataclasses import dataclass, field, replace
from datetime import datetime

from ..books.contacts import duplicate_name, name_key
from ..books.errors import BooksError
from .mapping import ContactSpec


@dataclass
class Unit:
    """One CRM record the sync type covers (an Account, or a Contact)."""

    module: str
    crm_id: str
    spec: ContactSpec
    modified_time: datetime


@dataclass
class BooksEntry:
    contact_id: str
    contact_name: str
    crm_ref: str = ""  # the unique custom field cf_crm_ref, "" when unset


@dataclass
class Link:
    books_contact_id: str
    last_synced_at: datetime | None


@dataclass
class Failure:
    crm_module: str
    crm_record_id: str
    code: int
    reason: str

    def as_dict(self) -> dict:
        return {
            "crm_module": self.crm_module,
            "crm_record_id": self.crm_record_id,
            "code": self.code,
            "reason": self.reason,
        }


@dataclass
class Plan:
    creates: list[Unit] = field(default_factory=list)  # new customers (incl. re-creations)
    recreated: int = 0
    updates: list[tuple[Unit, str]] = field(default_factory=list)  # (unit, contact_id)
    pairs: list[tuple[Unit, str, bool]] = field(default_factory=list)  # (…, overwrite)
    failures: list[Failure] = field(default_factory=list)
    skipped: int = 0


class _Names:
    """The org's display names while the plan is made: exact for first-run pairing,
    keyed as 3062 compares them (`match`: the `books_name_match` knob) for collisions."""

    def __init__(self, books: dict[str, BooksEntry], match: str) -> None:
        self.match = match
        self.owner = {self.key(e.contact_name): cid for cid, e in books.items()}
        self.exact = {e.contact_name: cid for cid, e in books.items()}

    def key(self, name: str) -> str:
        return name_key(name, self.match)

    def taken_by_other(self, name: str, contact_id: str | None) -> bool:
        owner = self.owner.get(self.key(name))
        return owner is not None and owner != contact_id

    def claim(self, name: str, contact_id: str, old_name: str | None = None) -> None:
        if old_name is not None and self.owner.get(self.key(old_name)) == contact_id:
            del self.owner[self.key(old_name)]
        self.owner[self.key(name)] = contact_id


def _failure(unit: Unit, error: BooksError) -> Failure:
    return Failure(unit.module, unit.crm_id, error.code, error.message)


def _name_taken(unit: Unit) -> Failure:
    return _failure(unit, duplicate_name(unit.spec.contact_name, "customer"))


def plan_sync(
    *,
    units: list[Unit],
    books: dict[str, BooksEntry],
    links: dict[tuple[str, str], Link],
    duplicates: str,
    name_match: str = "normalised",
) -> Plan:
    """Decide, record by record in CRM order, what one native sync run does."""
    plan = Plan()
    names = _Names(books, name_match)
    first_run = not links
    by_ref = {e.crm_ref: cid for cid, e in books.items() if e.crm_ref}
    paired: set[str] = set()  # a Books customer pairs with one CRM record at most
    for unit in units:
        reason = unit.spec.refusal
        link = links.get((unit.module, unit.crm_id))
        if link is not None:
            _plan_linked(plan, names, unit, link, books, reason)
            continue
        match = by_ref.get(unit.crm_id)
        if match is None and first_run:
            match = names.exact.get(unit.spec.crm_name)
        if match is not None and match not in paired:
            if duplicates == "create":
                _plan_create(plan, names, _renamed(unit, names), reason)
                continue
            paired.add(match)
            _plan_pair(plan, unit, match, reason, duplicates)
            continue
        _plan_create(plan, names, unit, reason)
    return plan


def _renamed(unit: Unit, names: _Names) -> Unit:
    """The unit with a display name no other customer holds: "Acme (2)", "Acme (3)" …"""
    name, number = unit.spec.contact_name, 2
    while names.taken_by_other(name, None):
        name = f"{unit.spec.contact_name} ({number})"
        number += 1
    if name == unit.spec.contact_name:
        return unit
    return replace(unit, spec=replace(unit.spec, contact_name=name))


def _plan_pair(
    plan: Plan, unit: Unit, contact_id: str, reason: BooksError | None, dup: str
) -> None:
    overwrite = dup == "overwrite"
    if overwrite and reason:
        plan.failures.append(_failure(unit, reason))
        return
    plan.pairs.append((unit, contact_id, overwrite))
    if not overwrite:
        plan.skipped += 1


def _plan_create(plan: Plan, names: _Names, unit: Unit, reason: BooksError | None) -> bool:
    if reason:
        plan.failures.append(_failure(unit, reason))
        return False
    if names.taken_by_other(unit.spec.contact_name, None):
        plan.failures.append(_name_taken(unit))
        return False
    names.claim(unit.spec.contact_name, f"new:{unit.module}:{unit.crm_id}")
    plan.creates.append(unit)
    return True


def _plan_linked(
    plan: Plan,
    names: _Names,
    unit: Unit,
    link: Link,
    books: dict[str, BooksEntry],
    reason: BooksError | None,
) -> None:
    edited = link.last_synced_at is None or unit.modified_time > link.last_synced_at
    if not edited:
        return
    current = books.get(link.books_contact_id)
    if current is None:  # the Books partner was deleted: this edit brings it back
        if _plan_create(plan, names, unit, reason):
            plan.recreated += 1
        return
    if reason:
        plan.failures.append(_failure(unit, reason))
        return
    if names.taken_by_other(unit.spec.contact_name, current.contact_id):
        plan.failures.append(_name_taken(unit))
        return
    names.claim(unit.spec.contact_name, current.contact_id, current.contact_name)
    plan.updates.append((unit, current.contact_id))
