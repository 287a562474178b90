"""What an admin enters in CRM (Setup › Automation › Webhooks) so new records reach
syncadmin in seconds: the URL, the secret header and the JSON body template."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.conf import settings as django_settings
from django.urls import reverse

from syncadmin.models import SyncSettings
from syncadmin.sync.intake import TOKEN_HEADER

TEMPLATE_LIMIT = 500  # Zoho's cap on a raw webhook body template (zoho-api.md §2.9)
COMMON = {
    "Accounts": ["Account_Name", "Phone", "Website", "Billing_City", "Billing_State",
                 "Billing_Country", "Currency"],
    "Contacts": ["First_Name", "Last_Name", "Email", "Phone", "Mailing_City", "Mailing_State",
                 "Currency"],
}  # fmt: skip
TAX = {"india": ["GST_Treatment", "GST_No", "Place_of_Supply"], "uk": ["VAT_Treatment"]}


@dataclass(frozen=True)
class WebhookSetup:
    module: str
    url: str
    header: str
    secret: str
    template: str


def merge_field(module: str, api_name: str) -> str:
    """Zoho's merge-field syntax: ``${Accounts.Account Name}`` (label spelling)."""
    label = api_name.replace("_", " ")
    return "${" + f"{module}.{label}" + "}"


def body_template(module: str, country: str) -> str:
    """A raw JSON body naming the record and the fields the push needs, under 500 chars."""
    key = "india" if country.lower() in ("india", "in") else "uk"
    singular = module[:-1]
    fields = {"module": module, "id": merge_field(module, f"{singular} Id")}
    for name in COMMON[module] + TAX.get(key, []):
        fields[name] = merge_field(module, name)
    text = json.dumps(fields, separators=(",", ":"))
    while len(text) > TEMPLATE_LIMIT:  # drop optional fields from the end until it fits
        fields.popitem()
        text = json.dumps(fields, separators=(",", ":"))
    return text


def webhook_setup(settings: SyncSettings, *, module: str = "Accounts") -> WebhookSetup:
    """The webhook for ``module`` of this organisation, ready to paste into CRM."""
    path = reverse("sync-webhook", args=[settings.books_organization_id])
    return WebhookSetup(
        module=module,
        url=f"{django_settings.SYNCADMIN_PUBLIC_URL.rstrip('/')}{path}",
        header=TOKEN_HEADER,
        secret=settings.webhook_secret or "",
        template=body_template(module, settings.books_country),
    )
