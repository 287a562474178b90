"""The finance-impact preview: per Books copy its invoices, outstanding receivable, currency
and tax treatment, and whether it becomes inactive; totals per item and per plan.

Read from Books itself (the invoices list), not from the mirror, so the figures are the
ones finance would find in Books today."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from syncadmin.models import BooksContact


def _decimal(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def copy_preview(books, *, organization_id: str, contact_id: str, role: str, fate: str) -> dict:
    """One Books copy: its invoices (id, number, status, balance) and their totals."""
    row = BooksContact.objects.filter(
        organization_id=organization_id, contact_id=contact_id
    ).first()
    invoices = [
        {
            "invoice_id": str(i.get("invoice_id", "")),
            "number": i.get("invoice_number", ""),
            "status": i.get("status", ""),
            "currency": i.get("currency_code", ""),
            "total": str(_decimal(i.get("total"))),
            "balance": str(_decimal(i.get("balance"))),
        }
        for i in books.invoices(customer_id=contact_id)
    ]
    return {
        "contact_id": contact_id,
        "name": row.contact_name if row else "",
        "role": role,  # survivor / loser
        "fate": fate,  # kept / inactive / deleted
        "currency": (row.currency_code if row else "") or _first(invoices, "currency"),
        "tax_treatment": row.tax_treatment if row else "",
        "invoice_count": len(invoices),
        "outstanding": str(sum((_decimal(i["balance"]) for i in invoices), Decimal(0))),
        "invoices": invoices,
    }


def _first(invoices: list[dict], key: str) -> str:
    return next((i[key] for i in invoices if i.get(key)), "")


def totals(copies: list[dict]) -> dict:
    """Invoices and outstanding per currency, and what becomes inactive or deleted."""
    outstanding: dict[str, Decimal] = defaultdict(Decimal)
    invoices = 0
    for copy in copies:
        invoices += copy["invoice_count"]
        outstanding[copy["currency"] or "?"] += Decimal(copy["outstanding"])
    return {
        "invoice_count": invoices,
        "outstanding": {cur: str(v) for cur, v in sorted(outstanding.items())},
        "inactive": sum(c["fate"] == "inactive" for c in copies),
        "deleted": sum(c["fate"] == "deleted" for c in copies),
        "copies": len(copies),
    }


def plan_totals(items_previews: list[dict]) -> dict:
    """The plan's totals: the sum over its items' copies."""
    return totals([copy for preview in items_previews for copy in preview.get("copies", [])])
