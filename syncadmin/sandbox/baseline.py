"""The baseline every reset starts from. Tests and the other sandbox areas may rely on
these constants; seeded scenarios add records on top (the baseline holds no records).

* one OAuth client (env `SANDBOX_CLIENT_ID` / `SANDBOX_CLIENT_SECRET`) redirecting to the
  product's callback on 127.0.0.1:8000 and localhost:8000;
* three active users, all in the CRM org and both Books orgs; ADMIN is the super admin;
  each has a non-UTC CRM time zone;
* one CRM org (Enterprise) and two Books orgs integrated with it, sync type "Accounts and
  their Contacts": a UK org (GBP, contacts carry `vat_treatment`) and an India org (INR,
  contacts carry `gst_treatment` + `place_of_contact`).
* CRM custom fields on Accounts/Contacts: the tax fields and `Sync_to_Books` (see
  `crm.fields.BASELINE_FIELDS`); no `Books_Contact_ID` (the messy seed adds it).
"""

import os

from django.db import transaction

from . import clock
from .crm import fields
from .models import BooksOrg, CrmOrg, Knobs, OAuthClient, SandboxUser
from .models.books import BooksPlan, SyncType
from .models.crm import CrmEdition

CLIENT_ID = os.environ.get("SANDBOX_CLIENT_ID", "1000.SANDBOXCLIENT00000000000000000")
CLIENT_SECRET = os.environ.get("SANDBOX_CLIENT_SECRET", "sandbox-client-secret")
REDIRECT_URIS = [
    "http://127.0.0.1:8000/connections/oauth/callback/",
    "http://localhost:8000/connections/oauth/callback/",
    # e.g. `make demo PORT=8011` registers its own callback here
    *filter(None, os.environ.get("SANDBOX_REDIRECT_URIS", "").split(",")),
]

ADMIN_EMAIL = "admin@zylker.test"
SYNC_EMAIL = "sync@zylker.test"
FINANCE_EMAIL = "finance@zylker.test"

CRM_ORG_ID = "800000001"
BOOKS_UK_ORG_ID = "20000001"
BOOKS_IN_ORG_ID = "20000002"

# (email, first, last, zuid, crm user id, role, profile, time zone). CRM answers in the
# requesting user's zone (§2.1); no user is in UTC, so an ignored offset shows up: −11:00,
# +05:30 (a half hour) and London (+00:00 or +01:00 with summer time).
USERS = [
    (ADMIN_EMAIL, "Amelia", "Admin", "60000000001", "5725767000000000101", "CEO",
     "Administrator", "Pacific/Pago_Pago"),
    (SYNC_EMAIL, "Sam", "Sync", "60000000002", "5725767000000000102", "Manager", "Standard",
     "Asia/Kolkata"),
    (FINANCE_EMAIL, "Farah", "Finance", "60000000003", "5725767000000000103", "Manager",
     "Standard", "Europe/London"),
]  # fmt: skip

# Fixed ids sit far below the ranges ids.py hands out, so they never collide.
BOOKS_ORGS = [
    {
        "organization_id": BOOKS_UK_ORG_ID,
        "name": "Zylker UK Ltd",
        "country": "uk",
        "currency_code": "GBP",
        "time_zone": "Europe/London",
        "is_default_org": True,
        "currencies": [
            {"currency_id": "460000000000011", "currency_code": "GBP", "is_base_currency": True},
            {"currency_id": "460000000000012", "currency_code": "EUR", "is_base_currency": False},
            {"currency_id": "460000000000013", "currency_code": "USD", "is_base_currency": False},
        ],
    },
    {
        "organization_id": BOOKS_IN_ORG_ID,
        "name": "Zylker India Pvt Ltd",
        "country": "in",
        "currency_code": "INR",
        "time_zone": "Asia/Kolkata",
        "is_default_org": False,
        "currencies": [
            {"currency_id": "460000000000021", "currency_code": "INR", "is_base_currency": True},
            {"currency_id": "460000000000022", "currency_code": "USD", "is_base_currency": False},
        ],
    },
]


@transaction.atomic
def load() -> None:
    """Create the baseline rows in an empty database."""
    now = clock.now()
    Knobs.objects.get_or_create(pk=1)
    OAuthClient.objects.create(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        name="syncadmin",
        redirect_uris=REDIRECT_URIS,
        created_at=now,
    )
    crm_org = CrmOrg.objects.create(
        org_id=CRM_ORG_ID, name="Zylker", edition=CrmEdition.ENTERPRISE, licensed_users=10
    )
    fields.fields_load(crm_org, fields.BASELINE_FIELDS)
    users = [_user(row, crm_org) for row in USERS]
    for spec in BOOKS_ORGS:
        org = BooksOrg.objects.create(
            **spec,
            plan=BooksPlan.STANDARD,
            sync_type=SyncType.ACCOUNTS_AND_CONTACTS,
            crm_org=crm_org,
            native_sync_connected=True,
            created_time=now,
        )
        org.users.set(users)


def _user(row: tuple, crm_org: CrmOrg) -> SandboxUser:
    email, first, last, zuid, crm_user_id, role, profile, time_zone = row
    return SandboxUser.objects.create(
        email=email,
        first_name=first,
        last_name=last,
        full_name=f"{first} {last}",
        zuid=zuid,
        crm_user_id=crm_user_id,
        crm_org=crm_org,
        crm_role=role,
        crm_profile=profile,
        time_zone=time_zone,
    )
