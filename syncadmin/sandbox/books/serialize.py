"""Books objects as the API answers them (zoho-api.md §3.2, §3.3, §3.6, §3.8)."""

from decimal import Decimal

from .. import clock
from ..models import BooksContact, BooksContactPerson, BooksInvoice
from . import custom_fields


def _time(contact_or_row, moment) -> str:
    return clock.books_format(moment, contact_or_row.org.time_zone)


def _money(value: Decimal | None) -> float:
    return float(value or 0)


def person(p: BooksContactPerson, tz: str) -> dict:
    return {
        "contact_person_id": p.contact_person_id,
        "salutation": p.salutation,
        "first_name": p.first_name,
        "last_name": p.last_name,
        "email": p.email,
        "phone": p.phone,
        "mobile": p.mobile,
        "designation": p.designation,
        "department": p.department,
        "is_primary_contact": p.is_primary_contact,
        "enable_portal": False,
        "zcrm_contact_id": p.zcrm_contact_id,
        "created_time": clock.books_format(p.created_time, tz),
        "last_modified_time": clock.books_format(p.last_modified_time, tz),
    }


def _link_keys(c: BooksContact) -> dict:
    return {
        "is_linked_with_zohocrm": c.is_linked_with_zohocrm,
        "zcrm_account_id": c.zcrm_account_id,
        "zcrm_contact_id": c.zcrm_contact_id,
        "zcrm_vendor_id": c.zcrm_vendor_id,
        "crm_owner_id": c.crm_owner_id,
        "is_crm_customer": c.is_crm_customer,
    }


def contact_list_item(c: BooksContact) -> dict:
    """A `contacts[]` element; `c.outstanding` comes from the selector's annotation."""
    return {
        "contact_id": c.contact_id,
        "contact_name": c.contact_name,
        "customer_name": c.contact_name,
        "company_name": c.company_name,
        "contact_type": c.contact_type,
        "customer_sub_type": c.customer_sub_type,
        "status": c.status,
        "payment_terms": c.data.get("payment_terms", 0),
        "payment_terms_label": c.data.get("payment_terms_label", "Due on Receipt"),
        "currency_id": c.data.get("currency_id", ""),
        "currency_code": c.currency_code,
        "outstanding_receivable_amount": _money(getattr(c, "outstanding", 0)),
        "unused_credits_receivable_amount": 0.0,
        "first_name": c.first_name,
        "last_name": c.last_name,
        "email": c.email,
        "phone": c.phone,
        "mobile": c.mobile,
        "source": c.source,
        "has_transaction": c.has_transaction,
        **_link_keys(c),
        "created_time": _time(c, c.created_time),
        "last_modified_time": _time(c, c.last_modified_time),
    }


_TAX_OUT = (
    "gst_treatment",
    "gst_no",
    "place_of_contact",
    "vat_treatment",
    "vat_reg_no",
    "tax_treatment",
    "contact_category",
    "country_code",
    "is_taxable",
    "tax_id",
)
_PLAIN_OUT = ("website", "notes", "billing_address", "shipping_address", "language_code",
              "owner_id", "tags", "default_templates")  # fmt: skip


def contact_detail(c: BooksContact, outstanding: Decimal | None) -> dict:
    """The full `contact` object of GET/POST/PUT."""
    persons = sorted(c.contact_persons.all(), key=lambda p: (not p.is_primary_contact, p.id))
    primary = next((p for p in persons if p.is_primary_contact), None)
    fields, flat = custom_fields.render(c.data.get("custom_fields", {}))
    detail = {**contact_list_item(c), "outstanding_receivable_amount": _money(outstanding)}
    detail.update({k: c.data[k] for k in _PLAIN_OUT if k in c.data})
    detail.update({k: c.data[k] for k in _TAX_OUT if k in c.data})
    detail.update(
        {
            "primary_contact_id": primary.contact_person_id if primary else "",
            "contact_persons": [person(p, c.org.time_zone) for p in persons],
            "custom_fields": fields,
            "custom_field_hash": flat,
            "portal_status": "disabled",
        }
    )
    return detail


def invoice(i: BooksInvoice, tz: str) -> dict:
    return {
        "invoice_id": i.invoice_id,
        "invoice_number": i.invoice_number,
        "customer_id": i.customer.contact_id,
        "customer_name": i.customer.contact_name,
        "status": i.status,
        "date": i.date.isoformat(),
        "due_date": i.due_date.isoformat() if i.due_date else "",
        "currency_code": i.currency_code,
        "total": _money(i.total),
        "balance": _money(i.balance),
        "zcrm_potential_id": i.zcrm_potential_id,
        "created_time": clock.books_format(i.created_time, tz),
        "last_modified_time": clock.books_format(i.last_modified_time, tz),
    }


def invoice_detail(i: BooksInvoice, tz: str) -> dict:
    return {**invoice(i, tz), "line_items": i.line_items}
