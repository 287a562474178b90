"""Invoice services (zoho-api.md §3.6): enough of invoices to give contacts transactions,
receivables and an invoice count.

Refusals use code 2 "Invalid value passed for <field>"; Zoho's exact codes for a missing
customer or empty line items were not found (UNCERTAIN)."""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction

from .. import clock
from ..ids import books_id
from ..models import BooksContact, BooksInvoice, BooksOrg
from ..models.books import ContactStatus
from .errors import invalid_value

CENT = Decimal("0.01")


def _customer(org: BooksOrg, body: dict) -> BooksContact:
    customer_id = str(body.get("customer_id") or "")
    customer = BooksContact.objects.filter(org=org, contact_id=customer_id).first()
    # inactive contacts cannot be used on new transactions (§3.5)
    if not customer_id or customer is None or customer.status != ContactStatus.ACTIVE:
        raise invalid_value("customer_id")
    return customer


def _number(value: object, default: str) -> Decimal:
    try:
        return Decimal(str(value if value not in (None, "") else default))
    except InvalidOperation:
        raise invalid_value("line_items") from None


def _line_items(body: dict) -> tuple[list[dict], Decimal]:
    items = body.get("line_items")
    if not isinstance(items, list) or not items:
        raise invalid_value("line_items")
    lines, total = [], Decimal(0)
    for item in items:
        if not isinstance(item, dict) or not (item.get("item_id") or item.get("name")):
            raise invalid_value("line_items")
        rate, quantity = _number(item.get("rate"), "0"), _number(item.get("quantity"), "1")
        amount = (rate * quantity).quantize(CENT)
        lines.append(
            {**item, "line_item_id": books_id(), "rate": float(rate),
             "quantity": float(quantity), "item_total": float(amount)}
        )  # fmt: skip
        total += amount
    return lines, total


def _date(value: object, default: date) -> date:
    if not value:
        return default
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise invalid_value("date") from None


def _next_number(org: BooksOrg) -> str:
    return f"INV-{BooksInvoice.objects.filter(org=org).count() + 1:06d}"


def invoice_create(org: BooksOrg, body: dict, *, send: bool = False) -> BooksInvoice:
    """Create an invoice (draft, or sent with `send`). Guarantees: the customer exists and
    is active, at least one line item with an item or a name; the customer's
    `has_transaction` becomes true and its outstanding receivable grows by the total."""
    customer = _customer(org, body)
    lines, total = _line_items(body)
    now = clock.now()
    day = _date(body.get("date"), now.astimezone(ZoneInfo(org.time_zone)).date())
    terms = int(customer.data.get("payment_terms") or 0)
    with transaction.atomic():
        invoice = BooksInvoice(
            org=org,
            invoice_id=books_id(),
            customer=customer,
            invoice_number=str(body.get("invoice_number") or _next_number(org)),
            status="sent" if send else "draft",
            date=day,
            due_date=_date(body.get("due_date"), day + timedelta(days=terms)),
            currency_code=customer.currency_code,
            total=total,
            balance=total,
            line_items=lines,
            zcrm_potential_id=str(body.get("zcrm_potential_id") or ""),
            created_time=now,
            last_modified_time=now,
        )
        try:
            with transaction.atomic():
                invoice.save()
        except IntegrityError:
            raise invalid_value("invoice_number") from None
        BooksContact.objects.filter(pk=customer.pk).update(has_transaction=True)
    return invoice
