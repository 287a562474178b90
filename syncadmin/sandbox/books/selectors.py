"""Reads: contact and invoice lookups and the filtered, paged contact list (§3.1, §3.2)."""

from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from .. import clock, knobs
from ..models import BooksContact, BooksContactPerson, BooksInvoice, BooksOrg
from .errors import invalid_value, not_found

MAX_PER_PAGE = 200
TEXT_FILTERS = ("contact_name", "company_name", "first_name", "last_name", "email", "phone")
LINK_FILTERS = ("zcrm_account_id", "zcrm_contact_id", "zcrm_vendor_id")
SORT_COLUMNS = ("contact_name", "first_name", "last_name", "email",
                "outstanding_receivable_amount", "created_time", "last_modified_time")  # fmt: skip
FILTER_BY = ("Status.All", "Status.Active", "Status.Inactive", "Status.Duplicate",
             "Status.PortalEnabled", "Status.PortalDisabled", "Status.CreditLimitExceed",
             "Status.Crm", "Invoice.OverDue", "Invoice.Unpaid")  # fmt: skip


def _receivable() -> Q:
    # UNCERTAIN: drafts count too, so an invoice created over the API moves the figure
    return ~Q(status="void")


def outstanding_subquery() -> Subquery:
    sums = (
        BooksInvoice.objects.filter(_receivable(), customer=OuterRef("pk"))
        .values("customer")
        .annotate(s=Sum("balance"))
        .values("s")
    )
    return Coalesce(
        Subquery(sums),
        Value(Decimal(0)),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def contact_get(org: BooksOrg, contact_id: str) -> BooksContact:
    """The org's contact, with `outstanding` annotated, or 1002 "Contact does not exist."."""
    contact = (
        BooksContact.objects.filter(org=org, contact_id=contact_id)
        .select_related("org")
        .annotate(outstanding=outstanding_subquery())
        .first()
    )
    if contact is None:
        raise not_found("Contact")
    return contact


def person_get(org: BooksOrg, contact_person_id: str) -> BooksContactPerson:
    person = (
        BooksContactPerson.objects.filter(contact__org=org, contact_person_id=contact_person_id)
        .select_related("contact", "contact__org")
        .first()
    )
    if person is None:
        raise not_found("Contact person")
    return person


def _positive(params, name: str, default: int) -> int:
    try:
        value = int(params.get(name) or default)
    except (TypeError, ValueError):
        raise invalid_value(name) from None
    if value < 1:
        raise invalid_value(name)
    return value


def page_params(params) -> tuple[int, int]:
    """(page, per_page) from the query; per_page above 200 is clamped or refused with
    code 2, as the `books_per_page_over_max` knob says (UNCERTAIN, §3.1)."""
    page = _positive(params, "page", 1)
    per_page = _positive(params, "per_page", MAX_PER_PAGE)
    if per_page > MAX_PER_PAGE and knobs.get().books_per_page_over_max == "error":
        raise invalid_value("per_page")
    return page, min(per_page, MAX_PER_PAGE)


def paginate(query: QuerySet, page: int, per_page: int) -> tuple[list, bool]:
    rows = list(query[(page - 1) * per_page : page * per_page + 1])
    return rows[:per_page], len(rows) > per_page


def _text_filters(params) -> Q:
    query = Q()
    for name in TEXT_FILTERS:
        for suffix, lookup in (
            ("", "iexact"),
            ("_startswith", "istartswith"),
            ("_contains", "icontains"),
        ):
            value = params.get(f"{name}{suffix}")
            if value is None or value == "":
                continue
            if len(value) > 100:
                raise invalid_value(f"{name}{suffix}")
            query &= Q(**{f"{name}__{lookup}": value})
    return query


def _filter_by(value: str) -> Q:
    if value not in FILTER_BY:
        raise invalid_value("filter_by")
    today = clock.now().date()
    unpaid = Q(invoices__balance__gt=0) & ~Q(invoices__status="void")
    return {
        "Status.Active": Q(status="active"),
        "Status.Inactive": Q(status="inactive"),
        "Status.Crm": Q(is_linked_with_zohocrm=True),
        "Status.Duplicate": Q(pk__in=[]),
        "Status.PortalEnabled": Q(pk__in=[]),
        "Status.CreditLimitExceed": Q(pk__in=[]),
        "Invoice.Unpaid": unpaid,
        "Invoice.OverDue": unpaid & Q(invoices__due_date__lt=today),
    }.get(value, Q())


def _search_text(value: str) -> Q:
    return (
        Q(contact_name__icontains=value)
        | Q(company_name__icontains=value)
        | Q(data__notes__icontains=value)
    )


def contact_list(org: BooksOrg, params) -> tuple[list[BooksContact], dict]:
    """One page of contacts and its `page_context`. Filters of §3.2; an unknown
    `filter_by`, `sort_column` or `sort_order` → code 2."""
    applied = params.get("filter_by") or "Status.All"
    sort_column = params.get("sort_column") or "contact_name"
    sort_order = params.get("sort_order") or "A"
    if sort_column not in SORT_COLUMNS:
        raise invalid_value("sort_column")
    if sort_order not in ("A", "D"):
        raise invalid_value("sort_order")
    query = _text_filters(params) & _filter_by(applied)
    if params.get("contact_type"):
        if params["contact_type"] not in ("customer", "vendor"):
            raise invalid_value("contact_type")
        query &= Q(contact_type=params["contact_type"])
    for name in LINK_FILTERS:
        if params.get(name):
            query &= Q(**{name: params[name]})
    if params.get("search_text"):
        query &= _search_text(params["search_text"])
    page, per_page = page_params(params)
    order = "outstanding" if sort_column == "outstanding_receivable_amount" else sort_column
    sign = "-" if sort_order == "D" else ""
    rows = (
        BooksContact.objects.filter(query, org=org)
        .distinct()
        .select_related("org")
        .annotate(outstanding=outstanding_subquery())
        .order_by(f"{sign}{order}", f"{sign}id")
    )
    contacts, has_more = paginate(rows, page, per_page)
    context = {
        "page": page,
        "per_page": per_page,
        "has_more_page": has_more,
        "report_name": "Contacts",
        "applied_filter": applied,
        "sort_column": sort_column,
        "sort_order": sort_order,
    }
    return contacts, context


def invoice_get(org: BooksOrg, invoice_id: str) -> BooksInvoice:
    invoice = (
        BooksInvoice.objects.filter(org=org, invoice_id=invoice_id)
        .select_related("customer")
        .first()
    )
    if invoice is None:
        raise not_found("Invoice")
    return invoice


INVOICE_STATUSES = (
    "sent",
    "draft",
    "overdue",
    "paid",
    "void",
    "unpaid",
    "partially_paid",
    "viewed",
)


def invoice_query(org: BooksOrg, params) -> QuerySet:
    """Invoices filtered by `customer_id`, `status` and `zcrm_potential_id` (§3.6)."""
    rows = BooksInvoice.objects.filter(org=org).select_related("customer")
    if params.get("customer_id"):
        rows = rows.filter(customer__contact_id=params["customer_id"])
    status = params.get("status")
    if status:
        if status not in INVOICE_STATUSES:
            raise invalid_value("status")
        if status == "unpaid":
            rows = rows.filter(balance__gt=0).exclude(status__in=("void", "draft"))
        elif status == "overdue":
            rows = rows.filter(balance__gt=0, due_date__lt=clock.now().date()).exclude(
                status="void"
            )
        else:
            rows = rows.filter(status=status)
    if params.get("zcrm_potential_id"):
        rows = rows.filter(zcrm_potential_id=params["zcrm_potential_id"])
    return rows.order_by("-date", "-id")
