"""The "messy" scenario: an org that went through what real CRM → Books orgs go through.

Timeline (sandbox clock, `base` = when seeding starts):

* long ago: CRM accounts, contacts and deals; some customers already typed into Books by
  hand, some under a slightly different name (name drift), some with invoices;
* T1 (300 days ago): the integration is connected and the native sync runs for the first
  time, pairing by exact display name → drifted names become second customers, case and
  trailing-space drift and CRM twins fail with 3062, missing place of supply and unknown
  currencies fail;
* then: invoices on synced customers, renames on either side, customers created on both
  sides;
* T2 (180 days ago): disconnect and reconnect; the next run pairs by exact name again, so
  every rename made meanwhile becomes one more customer (the reconnect pattern);
* then: customers created on both sides (3062 or duplicates), Books partners deleted (half
  re-created by a later CRM edit), CRM merges orphaning a Books customer, contact-person
  emails edited in Books;
* T3 (a minute ago): the last scheduled run.

Every native run goes through `native_sync_run` itself, so the pairing is the real code.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from .. import clock, lifecycle
from ..books.tax import state_code
from ..crm import fields as crm_fields
from ..models import BooksContact, BooksContactPerson, BooksOrg, CrmRecord, SandboxUser
from ..models.books import SyncType
from ..native.service import native_sync_run
from . import names as nm
from .writer import Writer

PATTERN_WEIGHTS = {
    "clean": 46,
    "pre_paired": 10,
    "name_drift": 12,
    "reconnect": 6,
    "both_sides": 5,
    "collision": 4,
    "deleted_partner": 4,
    "merge_orphan": 4,
    "email_mismatch": 4,
    "missing_tax": 3,
    "currency": 2,
}
RECORDS_PER_ENTITY = 5.15  # CRM records + Books contacts + invoices, on average
UNSUPPORTED_CURRENCY = "JPY"  # in neither baseline org
UK_CITIES = (("London", "Greater London"), ("Manchester", "Lancashire"), ("Leeds", "Yorkshire"),
             ("Bristol", "Avon"), ("Glasgow", "Lanarkshire"), ("Cardiff", "Glamorgan"))  # fmt: skip


@dataclass
class Entity:
    """One real customer and every record it ended up with."""

    key: int
    pattern: str
    detail: str = ""
    name: str = ""
    accounts: list[CrmRecord] = field(default_factory=list)
    contacts: list[CrmRecord] = field(default_factory=list)
    deals: list[CrmRecord] = field(default_factory=list)
    dead: list[str] = field(default_factory=list)  # CRM ids deleted by a merge
    books: list[str] = field(default_factory=list)  # Books ids typed in by hand


class Messy:
    def __init__(self, *, size: int, seed: int, org: BooksOrg) -> None:
        self.size, self.seed, self.org = size, seed, org
        self.rng = random.Random(seed)
        self.names = nm.NameBook(random.Random(f"{seed}:names"))
        self.users = list(SandboxUser.objects.filter(crm_org=org.crm_org).order_by("id"))
        self.w = Writer(seed, org.crm_org, org, self.users)
        self.base = clock.now().replace(microsecond=0)
        self.runs: list = []
        self.timings: dict[str, float] = {}
        self.invoices_later: list[tuple[BooksContact, datetime]] = []
        self.entities = self._entities()

    # ------------------------------------------------------------ helpers

    def _entities(self) -> list[Entity]:
        count = max(len(PATTERN_WEIGHTS), round(self.size / RECORDS_PER_ENTITY))
        patterns = list(PATTERN_WEIGHTS)  # every pattern at least once
        weights = list(PATTERN_WEIGHTS.values())
        patterns += self.rng.choices(list(PATTERN_WEIGHTS), weights, k=count - len(patterns))
        self.rng.shuffle(patterns)
        return [Entity(key, pattern) for key, pattern in enumerate(patterns)]

    def ago(self, oldest_days: float, newest_days: float) -> datetime:
        seconds = self.rng.uniform(newest_days * 86400, oldest_days * 86400)
        return self.base - timedelta(seconds=int(seconds))

    def _india(self) -> bool:
        return self.org.country == "in"

    def _place(self) -> tuple[str, str]:
        return self.rng.choice(nm.CITIES if self._india() else UK_CITIES)

    def account(self, entity: Entity, name: str, at: datetime, **extra: object) -> CrmRecord:
        city, state = self._place()
        fields = {
            "Account_Name": name,
            "Account_Type": "Customer",
            "Phone": f"+91 {self.rng.randint(7000000000, 9999999999)}"
            if self._india()
            else f"+44 20 {self.rng.randint(10000000, 99999999)}",
            "Website": f"www.{nm.domain(name)}",
            "Billing_Street": f"{self.rng.randint(1, 400)} {self.rng.choice(nm.STREETS)}",
            "Billing_City": city,
            "Billing_State": state,
            "Billing_Code": str(self.rng.randint(100000, 999999)),
            "Billing_Country": "India" if self._india() else "United Kingdom",
        }
        if self._india() and self.rng.random() < 0.5:
            fields["GST_Treatment"] = "business_gst"
            fields["GST_No"] = f"{self.rng.randint(10, 37)}ABCDE{self.rng.randint(1000, 9999)}F1Z5"
        fields.update(extra)
        record = self.w.crm("Accounts", fields, at=at, owner=self.rng.choice(self.users))
        entity.accounts.append(record)
        return record

    def people(self, entity: Entity, account: CrmRecord, at: datetime, least: int = 0) -> None:
        count = max(least, self.rng.choices((0, 1, 2, 3), (15, 40, 30, 15))[0])
        for _ in range(count):
            first, last = self.names.person()
            fields = {
                "First_Name": first,
                "Last_Name": last,
                "Email": f"{first}.{last}@{nm.domain(account.name)}".lower(),
                "Phone": account.data["Phone"],
                "Title": self.rng.choice(("Accounts Manager", "Director", "Buyer", "CFO")),
                "Account_Name": {"name": account.name, "id": account.record_id},
            }
            entity.contacts.append(self.w.crm("Contacts", fields, at=at, owner=account.owner))

    def deals(self, entity: Entity, account: CrmRecord, at: datetime) -> None:
        for _ in range(self.rng.choices((0, 1, 2), (50, 40, 10))[0]):
            fields = {
                "Deal_Name": f"{account.name.strip()} - {self.rng.choice(nm.TRADES)}",
                "Stage": self.rng.choice(("Qualification", "Negotiation", "Closed Won")),
                "Amount": self.rng.randint(5, 500) * 1000,
                "Closing_Date": (at + timedelta(days=60)).date().isoformat(),
                "Account_Name": {"name": account.name, "id": account.record_id},
            }
            entity.deals.append(self.w.crm("Deals", fields, at=at, owner=account.owner))

    def books_customer(self, entity: Entity, name: str, at: datetime, email: str) -> BooksContact:
        first, last = self.names.person()
        city, state = self._place()
        tax = (
            {"gst_treatment": "business_none", "place_of_contact": state_code(state)}
            if self._india()
            else {"vat_treatment": "uk", "tax_treatment": "uk", "country_code": "GB"}
        )
        data = {
            "billing_address": {"city": city, "state": state, "country": ""},
            "payment_terms": 30,
            "payment_terms_label": "Net 30",
            **tax,
        }
        person = {"first_name": first, "last_name": last, "email": email}
        contact = self.w.customer(name.strip(), at=at, person=person, data=data)
        entity.books.append(contact.contact_id)
        return contact

    def invoices(self, customer: BooksContact | int, at: datetime) -> None:
        """1-3 invoices, most with an outstanding balance (survivor rules weigh these)."""
        for _ in range(self.rng.randint(1, 3)):
            total = Decimal(self.rng.randint(100, 50000))
            status = self.rng.choice(("paid", "sent", "overdue", "partially_paid", "paid"))
            when = at + timedelta(days=self.rng.randint(0, 20))
            self.w.invoice(customer, at=when, total=total, status=status)

    def sync(self, at: datetime) -> None:
        self.runs.append(
            native_sync_run(self.org, now=at, trigger="schedule", id_source=self.w.books_ids)
        )

    def linked(self) -> dict[str, tuple[str, int]]:
        """CRM account id → (Books contact id, pk) of the customers carrying it."""
        rows = BooksContact.objects.filter(org=self.org).exclude(zcrm_account_id="")
        return {a: (c, pk) for c, pk, a in rows.values_list("contact_id", "pk", "zcrm_account_id")}


def prepare(org_id: str, *, deactivate_sync_user: bool) -> BooksOrg:
    """Reset to baseline and point the integration at one Books org only (both baseline
    orgs would otherwise receive every CRM account)."""
    lifecycle.reset_all()
    # the org has been running a Books sync that writes back to CRM (crm/fields.py)
    crm_org = BooksOrg.objects.get(organization_id=org_id).crm_org
    if crm_org is not None:
        crm_fields.fields_load(crm_org, crm_fields.SEEDED_FIELDS)
    BooksOrg.objects.exclude(organization_id=org_id).update(
        sync_type=SyncType.NONE, native_sync_connected=False
    )
    BooksOrg.objects.filter(organization_id=org_id).update(native_sync_connected=False)
    if deactivate_sync_user:
        SandboxUser.objects.filter(email__iexact="sync@zylker.test").update(active=False)
    return BooksOrg.objects.select_related("crm_org").get(organization_id=org_id)


def persons_by_crm(org: BooksOrg, crm_ids: list[str]) -> dict[str, BooksContactPerson]:
    found = {}
    for start in range(0, len(crm_ids), 5000):
        chunk = crm_ids[start : start + 5000]
        rows = BooksContactPerson.objects.filter(contact__org=org, zcrm_contact_id__in=chunk)
        found.update({p.zcrm_contact_id: p for p in rows.select_related("contact")})
    return found
