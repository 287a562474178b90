"""Zoho Books v3 (/books/v3/…): thin views over `syncadmin.sandbox.books`.

Every endpoint runs behind `books_endpoint` (auth 14/57, org 6041, forced 429s, logging)
and the Books limits gate (44/45/1070); services raise `BooksError`, answered here as
Zoho's numeric envelope.
"""

import math
from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.urls import path

from .. import knobs
from ..api import books_endpoint, books_error, books_json, parse_json_body
from ..books import contacts, crm_import, invoices, selectors, serialize
from ..books.errors import BooksError, invalid_value
from ..books.limits import books_gate, rate_limit_headers
from ..models import BooksOrg
from ..models.control import Service

_COUNTRY_NAMES = {"us": "U.S.A", "uk": "United Kingdom", "in": "India"}
_CURRENCY_SYMBOLS = {"GBP": "£", "INR": "₹", "USD": "$", "EUR": "€"}

View = Callable[..., HttpResponse]


def _endpoint(scope: str, needs_org: bool = True) -> Callable[[View], View]:
    """`books_endpoint` with the limits gate, answering `BooksError` as Zoho does."""

    def decorator(view: View) -> View:
        @wraps(view)
        def answer(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except BooksError as exc:
                return books_error(exc.code, exc.message, exc.status)

        endpoint = books_endpoint(scope=scope, needs_org=needs_org, gate=books_gate)(answer)

        @wraps(view)
        def with_headers(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            response = endpoint(request, *args, **kwargs)
            org = getattr(getattr(request, "zoho", None), "books_org", None)
            if org is not None and knobs.get().books_rate_limit_headers:
                for name, value in rate_limit_headers(org).items():
                    response[name] = value
            return response

        return with_headers

    return decorator


def _by_method(**handlers: View) -> View:
    """One URL, one view per HTTP method (each with its own scope)."""

    def dispatch(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        handler = handlers.get(request.method or "")
        if handler is None:
            # code 37 is UNCERTAIN (zoho-api.md §3.9); clients key off the 405
            return books_error(37, "The HTTP method is not allowed for the requested resource", 405)
        return handler(request, *args, **kwargs)

    return dispatch


def _org(request: HttpRequest) -> BooksOrg:
    return request.zoho.books_org


def _body(request: HttpRequest) -> dict:
    return parse_json_body(request, Service.BOOKS)  # not JSON → 1038


# ---------------------------------------------------------------- organizations


def _organization(org: BooksOrg) -> dict:
    base = next((c for c in org.currencies if c.get("is_base_currency")), {})
    return {
        "organization_id": org.organization_id,
        "name": org.name,
        "contact_name": "",
        "email": "",
        "is_default_org": org.is_default_org,
        "plan_type": org.plan,
        "country": _COUNTRY_NAMES.get(org.country, org.country),
        "currency_id": base.get("currency_id", ""),
        "currency_code": org.currency_code,
        "currency_symbol": _CURRENCY_SYMBOLS.get(org.currency_code, ""),
        "price_precision": 2,
        "time_zone": org.time_zone,
        "language_code": "en",
        "is_org_active": True,
        "account_created_date": org.created_time.date().isoformat(),
    }


@_endpoint("ZohoBooks.settings.READ", needs_org=False)
def organizations(request: HttpRequest) -> HttpResponse:
    orgs = BooksOrg.objects.filter(users=request.zoho.user).order_by("organization_id")
    return books_json({"organizations": [_organization(org) for org in orgs]})


@_endpoint("ZohoBooks.users.READ")
def current_user(request: HttpRequest) -> HttpResponse:
    """`GET /users/me`: the signed-in user as Books shows it (role UNCERTAIN: admin)."""
    user = request.zoho.user
    return books_json(
        {
            "user": {
                "user_id": user.zuid,
                "name": user.full_name,
                "email": user.email,
                "status": "active" if user.active else "inactive",
                "user_role": "admin",
                "is_current_user": True,
            }
        }
    )


# ---------------------------------------------------------------- contacts


def _contact_answer(org: BooksOrg, contact_id: str, message: str, status: int = 200):
    contact = selectors.contact_get(org, contact_id)
    detail = serialize.contact_detail(contact, contact.outstanding)
    return books_json({"contact": detail}, message=message, status=status)


@_endpoint("ZohoBooks.contacts.READ")
def contact_list(request: HttpRequest) -> HttpResponse:
    rows, page_context = selectors.contact_list(_org(request), request.GET)
    items = [serialize.contact_list_item(c) for c in rows]
    return books_json({"contacts": items, "page_context": page_context})


@_endpoint("ZohoBooks.contacts.CREATE")
def contact_create(request: HttpRequest) -> HttpResponse:
    contact = contacts.contact_create(_org(request), _body(request))
    # "The contact has been created" in the spec; a real capture says "added" (§3.2)
    return _contact_answer(_org(request), contact.contact_id, "The contact has been added.", 201)


@_endpoint("ZohoBooks.contacts.UPDATE")
def contact_upsert(request: HttpRequest) -> HttpResponse:
    """PUT /contacts keyed by a unique custom field (§3.2): 200 "updated", or with
    `X-Upsert: true` and no match a create, answered like POST (status: knob, UNCERTAIN)."""
    key = request.headers.get("X-Unique-Identifier-Key", "")
    if not key:
        raise invalid_value("X-Unique-Identifier-Key")
    contact, created = contacts.contact_upsert(
        _org(request),
        _body(request),
        key=key,
        value=request.headers.get("X-Unique-Identifier-Value", ""),
        create=request.headers.get("X-Upsert", "").strip().lower() == "true",
    )
    if created:
        status = knobs.get().books_upsert_create_status
        return _contact_answer(
            _org(request), contact.contact_id, "The contact has been added.", status
        )
    return _contact_answer(
        _org(request), contact.contact_id, "Contact has been updated successfully"
    )


@_endpoint("ZohoBooks.contacts.READ")
def contact_get(request: HttpRequest, contact_id: str) -> HttpResponse:
    return _contact_answer(_org(request), contact_id, "success")


@_endpoint("ZohoBooks.contacts.UPDATE")
def contact_update(request: HttpRequest, contact_id: str) -> HttpResponse:
    body = _body(request)
    contacts.contact_update(selectors.contact_get(_org(request), contact_id), body)
    return _contact_answer(_org(request), contact_id, "Contact has been updated successfully")


@_endpoint("ZohoBooks.contacts.DELETE")
def contact_delete(request: HttpRequest, contact_id: str) -> HttpResponse:
    contacts.contact_delete(selectors.contact_get(_org(request), contact_id))
    return books_json(message="The contact has been deleted.")


@_endpoint("ZohoBooks.contacts.CREATE")
def contact_active(request: HttpRequest, contact_id: str) -> HttpResponse:
    contacts.contact_set_status(selectors.contact_get(_org(request), contact_id), "active")
    return books_json(message="The contact has been marked as active.")


@_endpoint("ZohoBooks.contacts.CREATE")
def contact_inactive(request: HttpRequest, contact_id: str) -> HttpResponse:
    contacts.contact_set_status(selectors.contact_get(_org(request), contact_id), "inactive")
    return books_json(message="The contact has been marked as inactive.")


# ---------------------------------------------------------------- contact persons


@_endpoint("ZohoBooks.contacts.READ")
def person_list(request: HttpRequest, contact_id: str) -> HttpResponse:
    contact = selectors.contact_get(_org(request), contact_id)
    persons = contact.contact_persons.order_by("-is_primary_contact", "id")
    tz = contact.org.time_zone
    page_context = {"page": 1, "per_page": 200, "has_more_page": False}
    return books_json(
        {
            "contact_persons": [serialize.person(p, tz) for p in persons],
            "page_context": page_context,
        }
    )


@_endpoint("ZohoBooks.contacts.CREATE")
def person_create(request: HttpRequest, contact_id: str) -> HttpResponse:
    body = _body(request)
    contact = selectors.contact_get(_org(request), contact_id)
    person = contacts.person_create(contact, body)
    person.refresh_from_db()
    answer = {"contact_person": serialize.person(person, contact.org.time_zone)}
    return books_json(answer, message="The contactperson has been Created", status=201)


@_endpoint("ZohoBooks.contacts.UPDATE")
def person_update(request: HttpRequest, contact_person_id: str) -> HttpResponse:
    body = _body(request)
    person = contacts.person_update(selectors.person_get(_org(request), contact_person_id), body)
    person.refresh_from_db()
    answer = {"contact_person": serialize.person(person, person.contact.org.time_zone)}
    return books_json(answer, message="The contactperson details has been updated.")


@_endpoint("ZohoBooks.contacts.DELETE")
def person_delete(request: HttpRequest, contact_person_id: str) -> HttpResponse:
    contacts.person_delete(selectors.person_get(_org(request), contact_person_id))
    return books_json(message="The contact person has been deleted.")


@_endpoint("ZohoBooks.contacts.UPDATE")
def person_primary(request: HttpRequest, contact_person_id: str) -> HttpResponse:
    person = selectors.person_get(_org(request), contact_person_id)
    contacts.person_update(person, {"is_primary_contact": True})
    return books_json(message="This contact person has been marked as your primary contact person.")


# ---------------------------------------------------------------- invoices


@_endpoint("ZohoBooks.invoices.CREATE")
def invoice_create(request: HttpRequest) -> HttpResponse:
    body = _body(request)
    send = request.GET.get("send", "").lower() == "true"
    invoice = invoices.invoice_create(_org(request), body, send=send)
    detail = serialize.invoice_detail(invoice, _org(request).time_zone)
    return books_json({"invoice": detail}, message="The invoice has been created.", status=201)


def _response_option(request: HttpRequest) -> int:
    raw = request.GET.get("response_option") or "0"
    if raw not in ("0", "1", "2", "3", "4"):
        raise invalid_value("response_option")
    return int(raw)


@_endpoint("ZohoBooks.invoices.READ")
def invoice_list(request: HttpRequest) -> HttpResponse:
    """response_option: 0/4 list, 1 list + count, 2/3 count only. The count's key is
    UNCERTAIN (§3.6): `page_context.total` or `.count` (knob), plus `total_pages`."""
    option = _response_option(request)
    rows = selectors.invoice_query(_org(request), request.GET)
    page, per_page = selectors.page_params(request.GET)
    page_context = {"page": page, "per_page": per_page, "has_more_page": False,
                    "report_name": "Invoices", "applied_filter": "Status.All",
                    "sort_column": "created_time", "sort_order": "D"}  # fmt: skip
    if option in (1, 2, 3):
        total = rows.count()
        page_context[knobs.get().books_invoice_count_key] = total
        page_context["total_pages"] = math.ceil(total / per_page)
    if option in (2, 3):
        page_context["has_more_page"] = total > page * per_page
        return books_json({"page_context": page_context})
    found, page_context["has_more_page"] = selectors.paginate(rows, page, per_page)
    tz = _org(request).time_zone
    return books_json(
        {"invoices": [serialize.invoice(i, tz) for i in found], "page_context": page_context}
    )


@_endpoint("ZohoBooks.invoices.READ")
def invoice_get(request: HttpRequest, invoice_id: str) -> HttpResponse:
    invoice = selectors.invoice_get(_org(request), invoice_id)
    return books_json({"invoice": serialize.invoice_detail(invoice, _org(request).time_zone)})


# ---------------------------------------------------------------- CRM import


def _import(kind: str) -> View:
    scope = "ZohoBooks.settings.CREATE" if kind == "item" else "ZohoBooks.contacts.CREATE"

    @_endpoint(scope)
    def view(request: HttpRequest, crm_id: str) -> HttpResponse:
        return books_json({"data": crm_import.crm_import(_org(request), kind, crm_id)})

    view.__name__ = f"crm_{kind}_import"
    return view


urlpatterns = [
    path("organizations", organizations),
    path("users/me", current_user),
    path("contacts", _by_method(GET=contact_list, POST=contact_create, PUT=contact_upsert)),
    path(
        "contacts/contactpersons/<str:contact_person_id>",
        _by_method(PUT=person_update, DELETE=person_delete),
    ),
    path(
        "contacts/contactpersons/<str:contact_person_id>/primary", _by_method(POST=person_primary)
    ),
    path(
        "contacts/<str:contact_id>",
        _by_method(GET=contact_get, PUT=contact_update, DELETE=contact_delete),
    ),
    path("contacts/<str:contact_id>/active", _by_method(POST=contact_active)),
    path("contacts/<str:contact_id>/inactive", _by_method(POST=contact_inactive)),
    path(
        "contacts/<str:contact_id>/contactpersons",
        _by_method(GET=person_list, POST=person_create),
    ),
    path("invoices", _by_method(GET=invoice_list, POST=invoice_create)),
    path("invoices/<str:invoice_id>", _by_method(GET=invoice_get)),
    *(
        path(f"crm/{kind}/<str:crm_id>/import", _by_method(POST=_import(kind)))
        for kind in crm_import.KINDS
    ),
]
