"""Helpers for sync tests: records made in the sandbox's CRM through the product's own
clients, and Books customers read back through Books' API."""

from syncadmin.models import SyncFailure, SyncSettings
from syncadmin.sync.profile import org_clients
from syncadmin.sync.rows import books_contact_values
from syncadmin.zoho.types import BooksContact


def crm_account(org: SyncSettings, name: str, **fields) -> str:
    """Create a CRM account (UK-ready: VAT treatment "uk" unless given) and return its id."""
    values = {"Account_Name": name, "VAT_Treatment": "uk", **fields}
    values = {k: v for k, v in values.items() if v is not None}
    [result] = org_clients(org).crm.insert(module="Accounts", records=[values])
    assert result.ok, result
    return result.id


def crm_contact(org: SyncSettings, first: str, last: str, **fields) -> str:
    values = {"First_Name": first, "Last_Name": last, **fields}
    [result] = org_clients(org).crm.insert(module="Contacts", records=[values])
    assert result.ok, result
    return result.id


def link_existing(org: SyncSettings, crm_id: str, contact: BooksContact):
    """A live link from a CRM account to a Books customer, as an earlier sync left it."""
    from syncadmin.models import CrmRecord, LinkProvenance, RecordLink

    record, _ = CrmRecord.objects.get_or_create(
        module="Accounts", crm_id=crm_id, defaults={"name": contact.contact_name}
    )
    return RecordLink.objects.create(
        books_organization_id=org.books_organization_id, crm_module="Accounts",
        crm_record=record, books_contact=mirror_books(org, contact),
        provenance=LinkProvenance.NATIVE_ID_MAP,
    )  # fmt: skip


def books_customers_for(org: SyncSettings, crm_id: str) -> list[BooksContact]:
    """Every Books customer carrying ``crm_id`` in the unique custom field."""
    books = org_clients(org).books
    found = []
    for item in books.contacts():
        contact = books.contact(contact_id=item.contact_id)
        if (contact.data.get("custom_field_hash") or {}).get(org.unique_field) == crm_id:
            found.append(contact)
    return found


def mirror_books(org: SyncSettings, contact: BooksContact):
    """Put a Books customer in the local mirror, as a mirror pull would."""
    from syncadmin.models import BooksContact as Row

    values = books_contact_values(contact.data, unique_field=org.unique_field)
    row, _ = Row.objects.update_or_create(
        organization_id=org.books_organization_id, contact_id=contact.contact_id, defaults=values
    )
    return row


def open_failures(crm_id: str) -> list[SyncFailure]:
    return list(SyncFailure.objects.filter(open_key__contains=f":{crm_id}:", resolved_at=None))
