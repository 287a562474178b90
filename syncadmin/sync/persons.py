"""CRM contacts as contact persons of their account's Books customer (module mapping
"both": accounts are customers, their contacts the people Books invoices go to)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from syncadmin.models import EventOutcome, LinkState, RecordLink
from syncadmin.sync import ledger
from syncadmin.zoho import BooksClient


def person_payload(fields: dict[str, Any]) -> dict[str, str]:
    values = {
        "first_name": str(fields.get("First_Name") or ""),
        "last_name": str(fields.get("Last_Name") or ""),
        "email": str(fields.get("Email") or ""),
        "phone": str(fields.get("Phone") or ""),
    }
    return {k: v for k, v in values.items() if v}


def _account_link(push) -> RecordLink | None:
    return (
        RecordLink.objects.select_related("books_contact")
        .filter(
            books_organization_id=push.org, crm_record__module="Accounts",
            crm_record__crm_id=push.record.account_crm_id, state=LinkState.LINKED,
            books_contact__isnull=False,
        )
        .first()
    )  # fmt: skip


def person_push(push, books: BooksClient, fields: dict[str, Any]):
    """Add the CRM contact to its account's Books customer as a contact person.

    Guarantees: waits (a transient failure, retried) until the account is in Books; one
    person per CRM contact — an existing person with the same e-mail is taken, not
    doubled; an unchanged contact costs no Books call; the CRM contact learns the Books
    customer id through the write-back like an account does."""
    from syncadmin.sync import push as engine

    account = _account_link(push)
    if account is None:
        message = f"Its account {push.record.account_crm_id} is not in Books yet."
        return engine._fail(push, "account_not_in_books", message)
    payload = person_payload(fields)
    if not payload.get("last_name"):
        return engine._fail(push, "invalid_record", "The CRM contact has no last name.")
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
    customer_id = account.books_contact.contact_id
    with ledger.ledger_claim(
        organization_id=push.org, module=push.module, crm_id=push.crm_id
    ) as row:
        if row.books_contact_id == customer_id and row.payload_hash == digest:
            return engine._done(push, EventOutcome.UNCHANGED, account, "Person unchanged.")
        outcome = _person_write(books, customer_id, payload)
        ledger.ledger_record(
            row, books_contact_id=customer_id, payload_hash=digest, writeback_due=True,
            pushes=row.pushes + 1,
        )  # fmt: skip
    from syncadmin.sync import writeback

    writeback.writeback_schedule(organization_id=push.org)
    message = f"Contact person of Books customer {customer_id}."
    return engine._done(push, outcome, account, message, books_calls=1)


def _person_write(books: BooksClient, customer_id: str, payload: dict[str, str]) -> str:
    email = payload.get("email", "").casefold()
    if email:
        existing = books.contact_persons(contact_id=customer_id)
        if any(str(p.get("email") or "").casefold() == email for p in existing):
            return EventOutcome.LINKED
    books.contact_person_create(contact_id=customer_id, payload=payload)
    return EventOutcome.CREATED
