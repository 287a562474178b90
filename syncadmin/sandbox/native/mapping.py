"""How the native integration turns CRM records into Books contacts, and which records
Books refuses. The field mapping and the edition rules are Books' own
(`books.contacts` / `books.tax`); this module only adds what a bulk writer needs: the
account's persons passed in (no query per record) and the refusal computed up front
instead of raised mid-write.
"""

from dataclasses import dataclass, field

from ..books import contacts as books_contacts
from ..books import tax
from ..books.errors import BooksError
from ..models import BooksOrg

# Books' own mapping helpers: a bulk writer cannot call crm_record_to_body(), which reads
# each account's CRM contacts with one query per account.
_data_keys = books_contacts.DATA_KEYS


@dataclass
class ContactSpec:
    """The Books customer one CRM record maps to, already validated."""

    crm_name: str  # as typed in CRM: first-run pairing compares this, exactly
    contact_name: str  # as Books stores it (trimmed): 3062 compares this (books_name_match)
    customer_sub_type: str
    company_name: str
    currency_code: str
    data: dict
    links: dict  # zcrm_account_id / zcrm_contact_id / crm_owner_id / is_* flags
    persons: list[dict] = field(default_factory=list)
    refusal: BooksError | None = None


def _owner_id(data: dict) -> str:
    owner = data.get("Owner")
    return str(owner.get("id") or "") if isinstance(owner, dict) else ""


def person_from_crm(record_id: str, data: dict) -> dict:
    return books_contacts.crm_person(data, record_id)


def spec_for(org: BooksOrg, module: str, record_id: str, data: dict) -> ContactSpec:
    """The validated Books customer for a CRM Accounts or Contacts record."""
    body = (
        books_contacts.account_body(data)
        if module == "Accounts"
        else books_contacts.contact_body(record_id, data)
    )
    state = data.get("Billing_State" if module == "Accounts" else "Mailing_State") or ""
    body.update(books_contacts.crm_tax_keys(org, data, body["customer_sub_type"], state))
    link_column = "zcrm_account_id" if module == "Accounts" else "zcrm_contact_id"
    spec = ContactSpec(
        crm_name=body["contact_name"],
        contact_name=body["contact_name"].strip(),
        customer_sub_type=body["customer_sub_type"],
        company_name=body["company_name"],
        currency_code="",
        data={k: body[k] for k in _data_keys if k in body},
        links={
            link_column: record_id,
            "crm_owner_id": _owner_id(data),
            "is_linked_with_zohocrm": True,
            "is_crm_customer": True,
        },
        persons=body.get("contact_persons", []),
    )
    try:
        _validate(org, spec, body)
    except BooksError as exc:
        spec.refusal = exc
    return spec


def _validate(org: BooksOrg, spec: ContactSpec, body: dict) -> None:
    """Books' create rules, minus the name clash (the plan checks that against the org)."""
    if not spec.contact_name or len(spec.contact_name) > books_contacts.MAX_NAME:
        raise BooksError(2, "Invalid value passed for contact_name")
    merged = {k: body[k] for k in books_contacts.TAX_KEYS if k in body}
    spec.data.update(
        tax.tax_data(org, merged, contact_type="customer", sub_type=spec.customer_sub_type)
    )
    entry = tax.currency(org, currency_code=str(body.get("currency_code") or ""))
    spec.currency_code = entry["currency_code"]
    spec.data["currency_id"] = entry["currency_id"]


def add_person(spec: ContactSpec, record_id: str, data: dict) -> None:
    """Fold a CRM contact of the account into its customer (the first is primary)."""
    spec.persons.append(person_from_crm(record_id, data))
    spec.links.setdefault("zcrm_contact_id", record_id)
