"""The CRM import endpoints (zoho-api.md §3.7): bring one CRM record into Books, linked.

Allowed only when the org's native integration syncs that kind of record; the record must
live (not deleted) in the linked CRM org. Importing an already linked record answers the
existing Books contact. Imports also write the native sync's id map, as the integration
then treats the pair as linked. The refusal for a sync type that is not configured was
not found in any source: code 4015 is UNCERTAIN (kept stable for the product's taxonomy).
"""

from django.db.models import Q

from .. import clock
from ..ids import books_id
from ..models import BooksContact, BooksOrg, CrmRecord, NativeSyncLink
from ..models.books import SyncType
from .contacts import contact_from_crm_record
from .errors import BooksError, not_found

# kind in the URL → (CRM module, entity named by 1002, contact link column)
KINDS = {
    "account": ("Accounts", "Account", "zcrm_account_id"),
    "contact": ("Contacts", "Contact", "zcrm_contact_id"),
    "vendor": ("Vendors", "Vendor", "zcrm_vendor_id"),
    "item": ("Products", "Product", ""),
}


def import_allowed(org: BooksOrg, kind: str) -> bool:
    """Whether the integration's sync type covers `kind` (table of §3.7)."""
    if org.crm_org_id is None or not org.native_sync_connected:
        return False
    sync = org.sync_type
    if kind == "account":
        return sync in (SyncType.ACCOUNTS_AND_CONTACTS, SyncType.ACCOUNTS_ONLY)
    if kind == "contact":
        return sync == SyncType.CONTACTS_ONLY or (
            sync == SyncType.ACCOUNTS_AND_CONTACTS and org.sync_include_unassociated_contacts
        )
    return sync == {"vendor": SyncType.VENDORS_ONLY, "item": SyncType.PRODUCTS_ONLY}[kind]


def _not_configured(kind: str) -> BooksError:
    return BooksError(
        4015,
        f"The Zoho CRM integration is not configured to sync {kind}s for this organization.",
    )


def _link(org: BooksOrg, module: str, crm_id: str, books_object_id: str) -> None:
    NativeSyncLink.objects.update_or_create(
        books_org=org,
        crm_module=module,
        crm_record_id=crm_id,
        defaults={"books_contact_id": books_object_id, "created_at": clock.now()},
    )


def _linked_contact(org: BooksOrg, module: str, column: str, crm_id: str) -> BooksContact | None:
    mapped = NativeSyncLink.objects.filter(
        books_org=org, crm_module=module, crm_record_id=crm_id
    ).values("books_contact_id")
    return BooksContact.objects.filter(
        Q(**{column: crm_id}) | Q(contact_id__in=mapped), org=org
    ).first()


def crm_import(org: BooksOrg, kind: str, crm_id: str) -> dict:
    """`{"contact_id": …}` (or `{"item_id": …}`) of the Books object linked to the CRM
    record, created if needed. Raises BooksError 4015, 1002, 3062, 4011/4012, 2."""
    module, entity, column = KINDS[kind]
    if not import_allowed(org, kind):
        raise _not_configured(kind)
    record = CrmRecord.objects.filter(
        org_id=org.crm_org_id, module=module, record_id=crm_id, deleted_time__isnull=True
    ).first()
    if record is None:
        raise not_found(entity)
    if kind == "item":  # no item model: the id map is the item's only trace
        link = NativeSyncLink.objects.filter(books_org=org, crm_module=module, crm_record_id=crm_id)
        item_id = link.values_list("books_contact_id", flat=True).first() or books_id()
        _link(org, module, crm_id, item_id)
        return {"item_id": item_id}
    contact = _linked_contact(org, module, column, crm_id) or contact_from_crm_record(org, record)
    _link(org, module, crm_id, contact.contact_id)
    return {"contact_id": contact.contact_id}
