"""Zoho's answers → the mirror tables' columns. Pure, so every path (webhook, push,
mirror pull, reconcile) stores a record the same way."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from syncadmin.sync.shape import display_name
from syncadmin.zoho.types import parse_time


def _text(value: Any, limit: int = 255) -> str:
    if isinstance(value, dict):  # a CRM lookup or owner: {"name": …, "id": …}
        value = value.get("name") or ""
    return "" if value is None else str(value)[:limit]


def _time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    try:
        return parse_time(value) if value else None
    except ValueError:
        return None


def crm_record_values(module: str, fields: dict[str, Any], *, writeback_field: str = "") -> dict:
    """Columns of ``CrmRecord`` for a CRM record's fields (list, get or webhook payload)."""
    prefix = "Billing" if module == "Accounts" else "Mailing"
    owner = fields.get("Owner") if isinstance(fields.get("Owner"), dict) else {}
    account = fields.get("Account_Name")
    return {
        "name": display_name(module, fields)[:255],
        "email": _text(fields.get("Email"), 254),
        "phone": _text(fields.get("Phone"), 60),
        "website": _text(fields.get("Website")),
        "billing_street": _text(fields.get(f"{prefix}_Street")),
        "billing_city": _text(fields.get(f"{prefix}_City"), 120),
        "billing_state": _text(fields.get(f"{prefix}_State"), 120),
        "billing_code": _text(fields.get(f"{prefix}_Code") or fields.get(f"{prefix}_Zip"), 30),
        "billing_country": _text(fields.get(f"{prefix}_Country"), 120),
        "currency": _text(fields.get("Currency"), 8),
        "tax_treatment": _text(fields.get("GST_Treatment") or fields.get("VAT_Treatment"), 40),
        "place_of_supply": _text(fields.get("Place_of_Supply"), 40),
        "tax_reg_no": _text(fields.get("GST_No") or fields.get("VAT_Reg_No"), 40),
        "owner_id": _text(owner.get("id"), 40),
        "owner_name": _text(owner.get("name"), 200),
        "account_crm_id": _text(account.get("id"), 40) if isinstance(account, dict) else "",
        "books_ref": _text(fields.get(writeback_field), 40) if writeback_field else "",
        "created_time": _time(fields.get("Created_Time")),
        "modified_time": _time(fields.get("Modified_Time")),
        "raw": fields,
    }


def books_contact_values(data: dict[str, Any], *, unique_field: str = "cf_crm_ref") -> dict:
    """Columns of ``BooksContact`` for a Books contact (list item or full contact)."""
    custom = data.get("custom_field_hash") or {}
    return {
        "contact_name": _text(data.get("contact_name")),
        "company_name": _text(data.get("company_name")),
        "contact_type": _text(data.get("contact_type") or "customer", 16),
        "email": _text(data.get("email"), 254),
        "phone": _text(data.get("phone"), 60),
        "status": "inactive" if data.get("status") == "inactive" else "active",
        "currency_code": _text(data.get("currency_code"), 8),
        "tax_treatment": _text(
            data.get("gst_treatment") or data.get("vat_treatment") or data.get("tax_treatment"), 40
        ),
        "place_of_supply": _text(data.get("place_of_contact"), 40),
        "tax_reg_no": _text(data.get("gst_no") or data.get("vat_reg_no"), 40),
        "zcrm_account_id": _text(data.get("zcrm_account_id"), 40),
        "zcrm_contact_id": _text(data.get("zcrm_contact_id"), 40),
        "zcrm_vendor_id": _text(data.get("zcrm_vendor_id"), 40),
        "is_linked_with_zohocrm": bool(data.get("is_linked_with_zohocrm")),
        "has_transaction": bool(data.get("has_transaction")),
        "outstanding_receivable": _money(data.get("outstanding_receivable_amount")),
        "crm_ref": _text(custom.get(unique_field) or data.get(unique_field), 40),
        "source": _text(data.get("source"), 24),
        "created_time": _time(data.get("created_time")),
        "last_modified_time": _time(data.get("last_modified_time")),
        "raw": data,
    }


def _money(value: Any) -> Decimal:
    try:
        return Decimal(str(value or 0)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return Decimal("0.00")


def as_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
