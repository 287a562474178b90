"""Books contact services (zoho-api.md §3.2–§3.5, §3.8).

Every writer of `BooksContact` goes through here — the API views, the CRM import endpoints
and the emulated native sync — so the display-name rule (3062), the edition's tax rules,
currencies, the contact-person rules (exactly one primary, mirrored onto the contact) and
the timestamps hold whoever writes.
"""

import string

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower

from .. import clock, knobs
from ..ids import books_id
from ..models import BooksContact, BooksContactPerson, BooksOrg, BooksUniqueValue, CrmRecord
from ..models.books import ContactStatus, ContactType
from . import custom_fields, tax
from .errors import BooksError, invalid_value, not_found

PERSON_FIELDS = (
    "salutation",
    "first_name",
    "last_name",
    "email",
    "phone",
    "mobile",
    "designation",
    "department",
)
# request keys kept verbatim in `BooksContact.data`
DATA_KEYS = (
    "website",
    "notes",
    "billing_address",
    "shipping_address",
    "payment_terms",
    "payment_terms_label",
    "language_code",
    "owner_id",
    "tags",
    "default_templates",
)
TAX_KEYS = (
    "gst_treatment", "gst_no", "place_of_contact", "vat_treatment", "vat_reg_no",
    "country_code", "is_taxable", "tax_id", "tax_authority_id", "tax_exemption_id",
)  # fmt: skip
MAX_NAME = 200


def duplicate_name(name: str, contact_type: str) -> BooksError:
    """Code 3062 (§3.4). The vendor wording is UNCERTAIN."""
    kind = "vendor" if contact_type == ContactType.VENDOR else "customer"
    return BooksError(3062, f'The {kind} "{name}" already exists. Please specify a different name.')


# ---------------------------------------------------------------- create / update

# UNCERTAIN code and wording (behind the `books_individual_needs_person` knob).
CONTACT_PERSON_MISSING = BooksError(
    4014, "Please add a contact person with a first and last name for an individual customer."
)


def contact_create(
    org: BooksOrg, body: dict, *, source: str = "api", links: dict | None = None
) -> BooksContact:
    """Create a contact from a request body. Guarantees: `contact_name` present and unique
    in the org (3062, checked inside the write transaction so concurrent creates cannot
    both win),
    edition tax keys valid, currency known to the org, exactly one primary person when
    any are given. `links` sets the CRM link columns (only the import/sync paths do)."""
    name = _contact_name(body, required=True)
    now = clock.now()
    contact = BooksContact(
        org=org,
        contact_id=books_id(),
        contact_name=name,
        contact_type=_choice(body, "contact_type", ("customer", "vendor"), "customer"),
        customer_sub_type=_choice(
            body, "customer_sub_type", ("business", "individual"), "business"
        ),
        source=source,
        created_time=now,
        last_modified_time=now,
        **(links or {}),
    )
    _apply(contact, body, {})
    persons = body.get("contact_persons") or []
    needs_person = knobs.get().books_individual_needs_person
    if needs_person and not persons and contact.customer_sub_type == "individual":
        raise CONTACT_PERSON_MISSING
    with transaction.atomic():
        _save_unique(contact)
        _save_unique_values(contact)
        _replace_persons(contact, _person_items(persons), now, trusted=links is not None)
    return contact


# The columns a PUT may change; never `status`, so an edit cannot undo /inactive.
_EDIT_COLUMNS = ("contact_name", "contact_type", "customer_sub_type", "company_name",
                 "currency_code", "data", "last_modified_time")  # fmt: skip


def contact_update(
    contact: BooksContact, body: dict, *, trusted: bool = False, links: dict | None = None
) -> BooksContact:
    """PUT semantics: keys sent replace, keys omitted stay; a sent `contact_persons` array
    replaces the persons (existing ones by `contact_person_id`, omitted ones removed).
    The contact is re-read inside the transaction (IMMEDIATE serialises writers) and only
    the edited columns are written, so concurrent status changes and edits are not lost;
    a contact deleted meanwhile answers 1002. `links` sets CRM link columns (sync paths)."""
    with transaction.atomic():
        fresh = BooksContact.objects.select_related("org").filter(pk=contact.pk).first()
        if fresh is None:
            raise not_found("Contact")
        _edit(fresh, body)
        for key, value in (links or {}).items():
            setattr(fresh, key, value)
        fresh.last_modified_time = now = clock.now()
        _save_unique(fresh, exclude_self=True, columns=(*_EDIT_COLUMNS, *(links or {})))
        if "custom_fields" in body:
            _save_unique_values(fresh)
        if "contact_persons" in body:
            items = _person_items(body["contact_persons"] or [])
            _replace_persons(fresh, items, now, trusted=trusted)
    return fresh


def _edit(contact: BooksContact, body: dict) -> None:
    if "contact_name" in body:
        contact.contact_name = _contact_name(body, required=True)
    if "contact_type" in body:
        contact.contact_type = _choice(body, "contact_type", ("customer", "vendor"), "customer")
    if "customer_sub_type" in body:
        options = ("business", "individual")
        contact.customer_sub_type = _choice(body, "customer_sub_type", options, "business")
    _apply(contact, body, contact.data)


def _contact_name(body: dict, *, required: bool) -> str:
    # Zoho trims display names; so a CRM "Acme " collides with a Books "Acme"
    name = str(body.get("contact_name") or "").strip()
    if (required and not name) or len(name) > MAX_NAME:
        raise invalid_value("contact_name")
    return name


def _choice(body: dict, key: str, options: tuple[str, ...], default: str) -> str:
    value = body.get(key) or default
    if value not in options:
        raise invalid_value(key)
    return value


def _apply(contact: BooksContact, body: dict, current: dict) -> None:
    """Copy the plain, tax, currency and custom-field keys of `body` onto `contact`."""
    data = dict(current)
    data.update({k: body[k] for k in DATA_KEYS if k in body})
    if "company_name" in body:
        contact.company_name = str(body["company_name"] or "")[:MAX_NAME]
    if "custom_fields" in body:
        data["custom_fields"] = {
            **data.get("custom_fields", {}),
            **custom_fields.parse(body["custom_fields"]),
        }
    merged = {k: v for k, v in {**current, **body}.items() if k in TAX_KEYS}
    for key in TAX_KEYS:
        data.pop(key, None)
    data.update(
        tax.tax_data(
            contact.org,
            merged,
            contact_type=contact.contact_type,
            sub_type=contact.customer_sub_type,
        )
    )
    if "currency_id" in body or "currency_code" in body or not contact.currency_code:
        entry = tax.currency(
            contact.org,
            currency_id=str(body.get("currency_id") or ""),
            currency_code=str(body.get("currency_code") or ""),
        )
        contact.currency_code = entry["currency_code"]
        data["currency_id"] = entry["currency_id"]
    contact.data = data


_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def name_key(name: str, match: str) -> str:
    """What 3062 compares (knob `books_name_match`): the name itself, or folded as
    SQLite's LOWER() folds (ASCII letters only), so Python and SQL keys agree."""
    return name if match == "exact" else name.translate(_ASCII_LOWER)


def names_clashing(org: BooksOrg, names: list[str], *, contact_type: str) -> QuerySet:
    """The org's contacts whose display name one of `names` would collide with (3062),
    under the knobs: exact or case-insensitive, vendors apart or not."""
    settings = knobs.get()
    rows = BooksContact.objects.filter(org=org)
    if settings.books_name_shared_across_types:
        rows = rows.filter(contact_type=contact_type)
    if settings.books_name_match == "exact":
        return rows.filter(contact_name__in=names)
    keys = [name_key(n, "normalised") for n in names]
    return rows.alias(key=Lower("contact_name")).filter(key__in=keys)


def _name_taken(contact: BooksContact, exclude_self: bool) -> bool:
    others = names_clashing(contact.org, [contact.contact_name], contact_type=contact.contact_type)
    if exclude_self:
        others = others.exclude(pk=contact.pk)
    return others.exists()


def _save_unique(
    contact: BooksContact, exclude_self: bool = False, columns: tuple[str, ...] | None = None
) -> None:
    """Save (only `columns` when given) or raise 3062. Callers hold a write transaction
    (IMMEDIATE: writers are serialised), so the check cannot race another writer; the
    exact-name constraint is the database's backstop."""
    if _name_taken(contact, exclude_self):
        raise duplicate_name(contact.contact_name, contact.contact_type)
    try:
        with transaction.atomic():
            contact.save(update_fields=columns)
    except IntegrityError as exc:
        raise duplicate_name(contact.contact_name, contact.contact_type) from exc


def duplicate_unique_value(api_name: str, value: str) -> BooksError:
    """A second contact with the same value in a unique custom field. Zoho's code and
    wording were not found (UNCERTAIN): the code is the `books_unique_cf_code` knob."""
    label = (custom_fields.unique_definition(api_name) or {}).get("label", api_name)
    return BooksError(
        knobs.get().books_unique_cf_code,
        f'The value "{value}" already exists for the custom field "{label}". '
        "Please specify a different value.",
    )


def _save_unique_values(contact: BooksContact) -> None:
    """Record the contact's values of unique custom fields, or raise the duplicate error.
    Runs inside the contact's write transaction: the unique constraint is the guard."""
    values = contact.data.get("custom_fields", {})
    for api_name in custom_fields.UNIQUE:
        value = str(values.get(api_name) or "").strip()
        rows = BooksUniqueValue.objects.filter(contact=contact, api_name=api_name)
        if not value:
            rows.delete()
            continue
        taken = BooksUniqueValue.objects.filter(org=contact.org, api_name=api_name, value=value)
        if taken.exclude(contact=contact).exists():
            raise duplicate_unique_value(api_name, value)
        try:
            with transaction.atomic():
                rows.delete()
                BooksUniqueValue.objects.create(
                    org=contact.org, contact=contact, api_name=api_name, value=value
                )
        except IntegrityError as exc:
            raise duplicate_unique_value(api_name, value) from exc


def contact_by_unique_value(org: BooksOrg, api_name: str, value: str) -> BooksContact | None:
    row = (
        BooksUniqueValue.objects.filter(org=org, api_name=api_name, value=value.strip())
        .select_related("contact", "contact__org")
        .first()
    )
    return row.contact if row else None


def contact_upsert(
    org: BooksOrg, body: dict, *, key: str, value: str, create: bool
) -> tuple[BooksContact, bool]:
    """`PUT /contacts` with `X-Unique-Identifier-Key/-Value` (and `X-Upsert`), §3.2:
    update the contact holding `value` in the unique field `key`, or, when `create`,
    create one carrying it. Returns (contact, created). The lookup and the write share one
    IMMEDIATE transaction, so concurrent upserts of one value make one contact; 3062 and
    the unique-value rule apply as on POST/PUT. Raises code 2 for a key that is not a
    unique custom field, 1002 when nothing matches and `create` is False."""
    if custom_fields.unique_definition(key) is None:
        raise invalid_value("X-Unique-Identifier-Key")
    value = value.strip()
    if not value:
        raise invalid_value("X-Unique-Identifier-Value")
    items = body.get("custom_fields") or []
    if not isinstance(items, list):
        raise invalid_value("custom_fields")
    body = {**body, "custom_fields": [*items, {"api_name": key, "value": value}]}
    with transaction.atomic():
        existing = contact_by_unique_value(org, key, value)
        if existing is not None:
            return contact_update(existing, body), False
        if not create:
            raise not_found("Contact")
        return contact_create(org, body), True


# ---------------------------------------------------------------- contact persons


def _person_items(items: object) -> list[dict]:
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise invalid_value("contact_persons")
    return items


def _person_values(item: dict) -> dict:
    return {f: str(item.get(f) or "")[:255] for f in PERSON_FIELDS if f in item}


def _replace_persons(contact: BooksContact, items: list[dict], now, *, trusted: bool) -> None:
    """Make the contact's persons exactly `items` (replace-on-PUT, §3.3)."""
    existing = {p.contact_person_id: p for p in contact.contact_persons.all()}
    kept: list[BooksContactPerson] = []
    for item in items:
        cp_id = str(item.get("contact_person_id") or "")
        if cp_id and cp_id not in existing:
            raise not_found("Contact person")
        person = existing.get(cp_id) or BooksContactPerson(
            contact=contact, contact_person_id=books_id(), created_time=now
        )
        for key, value in _person_values(item).items():
            setattr(person, key, value)
        if trusted and "zcrm_contact_id" in item:  # read-only for API callers (§3.8)
            person.zcrm_contact_id = str(item["zcrm_contact_id"] or "")
        person.last_modified_time = now
        kept.append(person)
    BooksContactPerson.objects.filter(contact=contact).exclude(
        contact_person_id__in=[p.contact_person_id for p in kept]
    ).delete()
    flags = [bool(item.get("is_primary_contact")) for item in items]
    _save_persons(contact, kept, flags)


def _save_persons(contact: BooksContact, persons: list[BooksContactPerson], flags: list) -> None:
    """Save `persons` with exactly one primary: the first flagged, else the current
    primary, else the first; then mirror it onto the contact."""
    if persons:
        primary = next((p for p, f in zip(persons, flags, strict=True) if f), None)
        primary = primary or next((p for p in persons if p.is_primary_contact), persons[0])
        for person in persons:
            person.is_primary_contact = person is primary
            person.save()
    _mirror_primary(contact)


def _mirror_primary(contact: BooksContact) -> None:
    primary = contact.contact_persons.filter(is_primary_contact=True).first()
    for key in ("first_name", "last_name", "email", "phone", "mobile"):
        setattr(contact, key, getattr(primary, key) if primary else "")
    contact.save(update_fields=["first_name", "last_name", "email", "phone", "mobile"])


def person_create(contact: BooksContact, body: dict) -> BooksContactPerson:
    """Add one person; it becomes primary if flagged or if it is the first."""
    now = clock.now()
    person = BooksContactPerson(
        contact=contact, contact_person_id=books_id(), created_time=now, last_modified_time=now
    )
    for key, value in _person_values(body).items():
        setattr(person, key, value)
    with transaction.atomic():
        persons = [*contact.contact_persons.all(), person]
        flags = [False] * (len(persons) - 1) + [bool(body.get("is_primary_contact"))]
        _save_persons(contact, persons, flags)
    return person


def person_update(person: BooksContactPerson, body: dict) -> BooksContactPerson:
    for key, value in _person_values(body).items():
        setattr(person, key, value)
    person.last_modified_time = clock.now()
    with transaction.atomic():
        person.save()
        if body.get("is_primary_contact"):
            person.contact.contact_persons.exclude(pk=person.pk).update(is_primary_contact=False)
            BooksContactPerson.objects.filter(pk=person.pk).update(is_primary_contact=True)
        _mirror_primary(person.contact)
    return person


def person_delete(person: BooksContactPerson) -> None:
    """Delete one person; if it was the primary, the oldest remaining one takes over."""
    contact = person.contact
    with transaction.atomic():
        person.delete()
        rest = list(contact.contact_persons.order_by("created_time", "id"))
        if rest and not any(p.is_primary_contact for p in rest):
            _save_persons(contact, rest, [False] * len(rest))
        else:
            _mirror_primary(contact)


# ---------------------------------------------------------------- status and delete


def contact_set_status(contact: BooksContact, status: str) -> None:
    """Set only `status` (and the timestamp): a concurrent edit keeps its other columns."""
    changed = BooksContact.objects.filter(pk=contact.pk).update(
        status=ContactStatus(status), last_modified_time=clock.now()
    )
    if not changed:  # deleted since the caller read it
        raise not_found("Contact")


def contact_delete(contact: BooksContact) -> None:
    """Delete, unless the contact has transactions (§3.5: code/status are knobs)."""
    if contact.has_transaction or contact.invoices.exists():
        current = knobs.get()
        raise BooksError(
            current.books_delete_blocked_code,
            "The contact cannot be deleted as it has transactions associated with it. "
            "Mark it as inactive instead.",
            current.books_delete_blocked_status,
        )
    contact.delete()


# ---------------------------------------------------------------- from a CRM record

_LINK_COLUMN = {
    "Accounts": "zcrm_account_id",
    "Contacts": "zcrm_contact_id",
    "Vendors": "zcrm_vendor_id",
}


def _lookup_name(value: object) -> str:
    return str(value.get("name") or "") if isinstance(value, dict) else str(value or "")


def crm_address(data: dict, prefix: str, zip_key: str) -> dict:
    return {
        "address": data.get(f"{prefix}_Street") or "",
        "city": data.get(f"{prefix}_City") or "",
        "state": data.get(f"{prefix}_State") or "",
        "zip": data.get(f"{prefix}_{zip_key}") or "",
        "country": data.get(f"{prefix}_Country") or "",
    }


def crm_person(data: dict, record_id: str) -> dict:
    return {
        "first_name": data.get("First_Name") or "",
        "last_name": data.get("Last_Name") or "",
        "email": data.get("Email") or "",
        "phone": data.get("Phone") or "",
        "mobile": data.get("Mobile") or "",
        "designation": data.get("Title") or "",
        "department": data.get("Department") or "",
        "zcrm_contact_id": record_id,
    }


def _account_persons(record: CrmRecord) -> list[dict]:
    children = CrmRecord.objects.filter(
        org_id=record.org_id,
        module="Contacts",
        account_id=record.record_id,
        deleted_time__isnull=True,
    ).order_by("created_time", "id")
    return [crm_person(child.data, child.record_id) for child in children]


def crm_record_to_body(org: BooksOrg, record: CrmRecord) -> tuple[dict, dict]:
    """(Books request body, link columns) for a CRM Accounts/Contacts/Vendors record.

    Mapping: Account_Name / Full_Name / Vendor_Name → contact_name; Accounts and Vendors
    are business customers/vendors with Billing_*/Shipping_* addresses and the account's
    live CRM contacts as persons; a CRM Contact becomes an individual customer. Tax and
    currency come from optional CRM fields: `GST_Treatment` (default business_none for
    businesses, consumer for individuals), `Place_of_Supply` (else the billing/mailing
    state, e.g. "Tamil Nadu" → TN), `GST_No`, `VAT_Treatment`, `VAT_Reg_No`, `Currency`
    (a currency code). Pure apart from reading the account's CRM contacts."""
    data, module = record.data, record.module
    if module == "Contacts":
        body = contact_body(record.record_id, data)
        state = data.get("Mailing_State") or ""
    else:
        body = account_body(data, vendor=module == "Vendors")
        body["contact_persons"] = _account_persons(record) if module == "Accounts" else []
        state = data.get("Billing_State") or ""
    body.update(crm_tax_keys(org, data, body["customer_sub_type"], state))
    return body, _crm_links(record, body)


def account_body(data: dict, *, vendor: bool = False) -> dict:
    """Books request body for a CRM Account (or Vendor), without tax keys or persons."""
    name = data.get("Vendor_Name" if vendor else "Account_Name") or ""
    return {
        "contact_name": name,
        "company_name": name,
        "contact_type": "vendor" if vendor else "customer",
        "customer_sub_type": "business",
        "website": data.get("Website") or "",
        "billing_address": crm_address(data, "Billing", "Code"),
        "shipping_address": crm_address(data, "Shipping", "Code"),
    }


def contact_body(record_id: str, data: dict) -> dict:
    """Books request body for a CRM Contact synced as an individual customer."""
    name = data.get("Full_Name") or " ".join(
        p for p in (data.get("First_Name"), data.get("Last_Name")) if p
    )
    return {
        "contact_name": name,
        "company_name": _lookup_name(data.get("Account_Name")),
        "customer_sub_type": "individual",
        "billing_address": crm_address(data, "Mailing", "Zip"),
        "contact_persons": [{**crm_person(data, record_id), "is_primary_contact": True}],
    }


def crm_tax_keys(org: BooksOrg, data: dict, sub_type: str, state: str) -> dict:
    keys: dict = {}
    if data.get("Currency"):
        keys["currency_code"] = str(data["Currency"])
    if org.country == "in":
        default = "business_none" if sub_type == "business" else "consumer"
        keys["gst_treatment"] = data.get("GST_Treatment") or default
        keys["place_of_contact"] = data.get("Place_of_Supply") or tax.state_code(state)
        if data.get("GST_No"):
            keys["gst_no"] = data["GST_No"]
    elif org.country == "uk" and data.get("VAT_Treatment"):
        keys["vat_treatment"] = data["VAT_Treatment"]
        keys["vat_reg_no"] = data.get("VAT_Reg_No") or ""
    return keys


def _crm_links(record: CrmRecord, body: dict) -> dict:
    owner = record.data.get("Owner")
    links = {
        _LINK_COLUMN[record.module]: record.record_id,
        "crm_owner_id": str(owner.get("id") or "") if isinstance(owner, dict) else "",
        "is_linked_with_zohocrm": True,
        "is_crm_customer": record.module != "Vendors",
    }
    persons = body.get("contact_persons") or []
    if record.module == "Accounts" and persons:
        links["zcrm_contact_id"] = persons[0]["zcrm_contact_id"]
    return links


def crm_source() -> str:
    """The `source` of a contact created from CRM: a knob, as Zoho's value is UNCERTAIN (§4)."""
    return knobs.get().books_crm_source


def contact_from_crm_record(org: BooksOrg, record: CrmRecord) -> BooksContact:
    """Create the Books contact for a CRM Accounts/Contacts/Vendors record, linked to it:
    `zcrm_account_id`/`zcrm_contact_id`/`zcrm_vendor_id`, `crm_owner_id`,
    `is_linked_with_zohocrm: true`, persons carrying their `zcrm_contact_id`.

    Same guarantees as `contact_create`; raises BooksError 3062 on a display-name
    collision, 4011/4012 for missing Indian GST data, 2 for an unknown currency. It does
    not write the native sync's id map (`NativeSyncLink`); callers that pair do that."""
    body, links = crm_record_to_body(org, record)
    return contact_create(org, body, source=crm_source(), links=links)


def contact_update_from_crm_record(contact: BooksContact, record: CrmRecord) -> BooksContact:
    """Overwrite a linked contact with the CRM record's current values (the native sync's
    "overwrite" mode and edits after pairing); the same errors as above."""
    body, links = crm_record_to_body(contact.org, record)
    return contact_update(contact, body, trusted=True, links=links)
