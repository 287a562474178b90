"""Bulk writers for seeding: rows are built in memory with deterministic ids and written
with `bulk_create` in large batches; no per-row ORM call, no API, no webhooks."""

import random
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import connection

from ..crm.records import denormalise, user_lookup
from ..ids import BOOKS_PREFIX, CRM_PREFIX, IdSequence
from ..models import (
    BooksContact,
    BooksContactPerson,
    BooksInvoice,
    BooksOrg,
    CrmOrg,
    CrmRecord,
    SandboxUser,
)
from ..native.bulk import insert_rows, update_rows

BATCH = 5000
CRM_COLUMNS = ["data", "name", "email", "phone", "account_id", "modified_time", "deleted_time"]


def fast_sqlite() -> None:
    """Trade durability for speed while seeding (a crash mid-seed is re-seeded anyway)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-262144")  # 256 MB
            cursor.execute("PRAGMA temp_store=MEMORY")


def normal_sqlite() -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=NORMAL")


class Writer:
    """Queues rows for one CRM org and one Books org; `flush()` writes them."""

    def __init__(self, seed: int, crm_org: CrmOrg, org: BooksOrg, users: list[SandboxUser]):
        self.crm_org, self.org, self.users = crm_org, org, users
        self.crm_ids = IdSequence(CRM_PREFIX, random.Random(f"{seed}:crm"))
        self.books_ids = IdSequence(BOOKS_PREFIX, random.Random(f"{seed}:books"))
        self.records: list[CrmRecord] = []
        self.contacts: list[BooksContact] = []
        self.persons: list[BooksContactPerson] = []
        self.invoices: list[BooksInvoice] = []
        self.invoice_count = 0
        self.written = {"crm": 0, "contacts": 0, "persons": 0, "invoices": 0}

    # ------------------------------------------------------------ CRM

    def crm(self, module: str, fields: dict, *, at: datetime, owner: SandboxUser) -> CrmRecord:
        data = {**fields, "Owner": user_lookup(owner)}
        by = {"name": owner.full_name, "id": owner.crm_user_id}
        data["Created_By"] = data["Modified_By"] = by
        if module == "Contacts":
            data["Full_Name"] = f"{fields.get('First_Name', '')} {fields['Last_Name']}".strip()
        record = CrmRecord(
            org=self.crm_org,
            module=module,
            record_id=self.crm_ids.next(),
            data=data,
            owner=owner,
            created_time=at,
            modified_time=at,
            **denormalise(module, data),
        )
        self.records.append(record)
        return record

    @staticmethod
    def crm_edit(record: CrmRecord, fields: dict, *, at: datetime) -> None:
        """Edit a queued or written record in memory (save with `save_crm`)."""
        record.data.update(fields)
        record.modified_time = at
        for column, value in denormalise(record.module, record.data).items():
            setattr(record, column, value)

    @staticmethod
    def save_crm(records: Iterable[CrmRecord]) -> None:
        update_rows(list(records), CRM_COLUMNS)

    # ------------------------------------------------------------ Books

    def customer(self, name: str, *, at: datetime, person: dict | None, data: dict) -> BooksContact:
        """A customer created by a Books user (no CRM link), with one primary person."""
        contact = BooksContact(
            org=self.org,
            contact_id=self.books_ids.next(),
            contact_name=name,
            company_name=name,
            contact_type="customer",
            customer_sub_type="business",
            currency_code=self.org.currency_code,
            source="user",
            data=data,
            created_time=at,
            last_modified_time=at,
        )
        if person:
            for key in ("first_name", "last_name", "email", "phone"):
                setattr(contact, key, person.get(key, ""))
            self.persons.append(
                BooksContactPerson(
                    contact=contact,
                    contact_person_id=self.books_ids.next(),
                    is_primary_contact=True,
                    created_time=at,
                    last_modified_time=at,
                    **person,
                )
            )
        self.contacts.append(contact)
        return contact

    def invoice(
        self,
        customer: BooksContact | int,
        *,
        at: datetime,
        total: Decimal,
        status: str,
        deal_id: str = "",
    ) -> BooksInvoice:
        """An invoice; `balance` follows the status (paid 0, partially paid half)."""
        self.invoice_count += 1
        balance = {"paid": Decimal(0), "partially_paid": (total / 2).quantize(Decimal("0.01"))}
        invoice = BooksInvoice(
            org=self.org,
            invoice_id=self.books_ids.next(),
            **_customer_kw(customer),
            invoice_number=f"INV-{self.invoice_count:06d}",
            status=status,
            date=at.date(),
            due_date=(at + timedelta(days=30)).date(),
            currency_code=self.org.currency_code,
            total=total,
            balance=balance.get(status, total),
            line_items=[{"name": "Services", "rate": float(total), "quantity": 1}],
            zcrm_potential_id=deal_id,
            created_time=at,
            last_modified_time=at,
        )
        self.invoices.append(invoice)
        return invoice

    # ------------------------------------------------------------ writing

    def flush(self) -> None:
        """Write everything queued: CRM, contacts, then their persons and invoices."""
        for rows in (self.records, self.contacts, self.persons, self.invoices):
            insert_rows(rows)
        if self.invoices:
            customers = {i.customer_id for i in self.invoices}
            for chunk in _chunks(sorted(customers)):
                BooksContact.objects.filter(pk__in=chunk).update(has_transaction=True)
        for key, rows in (
            ("crm", self.records),
            ("contacts", self.contacts),
            ("persons", self.persons),
            ("invoices", self.invoices),
        ):
            self.written[key] += len(rows)
        self.records, self.contacts, self.persons, self.invoices = [], [], [], []


def _customer_kw(customer: BooksContact | int) -> dict:
    # an unsaved contact queued in the same flush, or the pk of one already written
    if isinstance(customer, BooksContact):
        return {"customer": customer}
    return {"customer_id": customer}


def _chunks(items: list, size: int = BATCH) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
