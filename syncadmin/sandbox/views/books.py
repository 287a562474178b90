"""Zoho Books v3 (/books/v3/…)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from ..api import books_endpoint, books_json
from ..models import BooksOrg

_COUNTRY_NAMES = {"us": "U.S.A", "uk": "United Kingdom", "in": "India"}
_CURRENCY_SYMBOLS = {"GBP": "£", "INR": "₹", "USD": "$", "EUR": "€"}


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


@books_endpoint(scope="ZohoBooks.settings.READ", needs_org=False)
def organizations(request: HttpRequest) -> HttpResponse:
    orgs = BooksOrg.objects.filter(users=request.zoho.user).order_by("organization_id")
    return books_json({"organizations": [_organization(org) for org in orgs]})


urlpatterns = [
    path("organizations", organizations),
]
