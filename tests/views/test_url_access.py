"""Every URL, every role: who gets in, who is refused.

Adding a URL without adding it here fails ``test_every_url_has_a_role_expectation``.
"""

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from tests.conftest import client_for

OK, LOGIN, FORBIDDEN, NOT_ALLOWED = 200, 302, 403, 405
EVERYONE_SIGNED_IN = {"anonymous": LOGIN, "admin": OK, "finance": OK, "sales": OK}
ADMIN_ONLY = {"anonymous": LOGIN, "admin": OK, "finance": FORBIDDEN, "sales": FORBIDDEN}
# Cleanup: admins propose (and pass checklists and gates), finance reviews and approves.
ADMIN_POST = {**ADMIN_ONLY, "admin": NOT_ALLOWED}
FINANCE_POST = {"anonymous": LOGIN, "admin": FORBIDDEN, "finance": NOT_ALLOWED,
                "sales": FORBIDDEN}  # fmt: skip
EVERYONE_404 = {"anonymous": LOGIN, "admin": 404, "finance": 404, "sales": 404}
URL_ARGS = {
    "connection-connect": ["crm"],
    "connection-organisation": [999],
    "connection-reconnect": [999],
    "connection-disconnect": [999],
    "connection-check": [999],
    "connection-plan": [999],
    "sync-webhook": ["20000001"],
    "sync-notify": ["20000001"],
    # Dashboard screens (issue 8): ids that do not exist, so allowed roles get 404 after
    # the permission check and refused roles 403 before any lookup.
    "mapping-unlinked": ["crm"],
    **{
        name: [999]
        for name in (
            "record",
            "record-push",
            "record-reimport",
            "record-pause",
            "record-resume",
            "record-relink",
            "record-unlink",
            "record-books-search",
            "record-crm",
            "record-crm-push",
            "failure-fix",
            "run",
            "run-progress",
            "settings-org",
            "settings-pause",
        )
    },
    **{
        name: [999]
        for name in (
            "cleanup-cluster",
            "cleanup-decide",
            "cleanup-survivor",
            "cleanup-plan",
            "cleanup-plan-progress",
            "cleanup-plan-csv",
            "cleanup-plan-submit",
            "cleanup-plan-native-off",
            "cleanup-plan-approve",
            "cleanup-plan-reject",
            "cleanup-plan-merges",
            "cleanup-plan-execute",
            "cleanup-plan-undo",
            "cleanup-plan-verify",
            "cleanup-step-confirm",
        )
    },
}

EXPECTED = {
    "overview": EVERYONE_SIGNED_IN,
    "mapping": EVERYONE_SIGNED_IN,
    "failures": EVERYONE_SIGNED_IN,
    "history": EVERYONE_SIGNED_IN,
    # The offline match list (issue 9): upload two exports; nothing stored, no Zoho.
    "matching": EVERYONE_SIGNED_IN,
    "checklist-refresh": {"anonymous": LOGIN, "admin": NOT_ALLOWED, "finance": NOT_ALLOWED,
                          "sales": NOT_ALLOWED},
    "mapping-bulk": {"anonymous": LOGIN, "admin": NOT_ALLOWED, "finance": NOT_ALLOWED,
                     "sales": NOT_ALLOWED},
    "mapping-unlinked": EVERYONE_SIGNED_IN,
    # Exports are for admin and finance (export_mapping); the failures CSV for everyone.
    "mapping-csv": {**EVERYONE_SIGNED_IN, "sales": FORBIDDEN},
    "mapping-backup": {**EVERYONE_SIGNED_IN, "sales": FORBIDDEN},
    "failures-csv": EVERYONE_SIGNED_IN,
    "record": {"anonymous": LOGIN, "admin": 404, "finance": 404, "sales": 404},
    "record-crm": {"anonymous": LOGIN, "admin": 404, "finance": 404, "sales": 404},
    # Push and re-import: admin and sales; pause/resume: admin; relink/unlink: admin.
    "record-push": {**ADMIN_ONLY, "admin": NOT_ALLOWED, "sales": NOT_ALLOWED},
    "record-reimport": {**ADMIN_ONLY, "admin": NOT_ALLOWED, "sales": NOT_ALLOWED},
    "record-crm-push": {**ADMIN_ONLY, "admin": NOT_ALLOWED, "sales": NOT_ALLOWED},
    "record-pause": {**ADMIN_ONLY, "admin": NOT_ALLOWED},
    "record-resume": {**ADMIN_ONLY, "admin": NOT_ALLOWED},
    "record-relink": {**ADMIN_ONLY, "admin": NOT_ALLOWED},
    "record-unlink": {**ADMIN_ONLY, "admin": NOT_ALLOWED},
    "record-books-search": {**ADMIN_ONLY, "admin": 404},
    "failures-retry": {**ADMIN_ONLY, "admin": NOT_ALLOWED, "sales": NOT_ALLOWED},
    "failure-fix": {**ADMIN_ONLY, "admin": NOT_ALLOWED, "sales": NOT_ALLOWED},
    "run": {"anonymous": LOGIN, "admin": 404, "finance": 404, "sales": 404},
    "run-progress": {"anonymous": LOGIN, "admin": 404, "finance": 404, "sales": 404},
    "settings": ADMIN_ONLY,
    "settings-org": {**ADMIN_ONLY, "admin": 404},
    "settings-pause": {**ADMIN_ONLY, "admin": NOT_ALLOWED},
    "cleanup": EVERYONE_SIGNED_IN,
    "cleanup-plans": EVERYONE_SIGNED_IN,
    "cleanup-cluster": EVERYONE_404,
    "cleanup-plan": EVERYONE_404,
    "cleanup-plan-progress": EVERYONE_404,
    "cleanup-plan-csv": {**EVERYONE_404, "sales": FORBIDDEN},
    **{name: ADMIN_POST for name in (
        "cleanup-match", "cleanup-plan-create", "cleanup-plan-submit", "cleanup-plan-native-off",
        "cleanup-plan-verify", "cleanup-step-confirm",
    )},
    **{name: FINANCE_POST for name in (
        "cleanup-accept-certain", "cleanup-decide", "cleanup-survivor", "cleanup-plan-approve",
        "cleanup-plan-reject", "cleanup-plan-merges", "cleanup-plan-execute", "cleanup-plan-undo",
    )},
    "connections": EVERYONE_SIGNED_IN,
    # Connecting Zoho is for admins only; GETs of POST-only actions answer 405 to them.
    "connection-connect": ADMIN_ONLY,
    # A callback without a valid state is refused with a message on the connections page.
    "oauth-callback": {**ADMIN_ONLY, "admin": LOGIN},
    "connection-organisation": {**ADMIN_ONLY, "admin": 404},
    "connection-reconnect": {**ADMIN_ONLY, "admin": NOT_ALLOWED},
    "connection-disconnect": {**ADMIN_ONLY, "admin": NOT_ALLOWED},
    "connection-check": {**ADMIN_ONLY, "admin": NOT_ALLOWED},
    "connection-plan": {**ADMIN_ONLY, "admin": NOT_ALLOWED},
    "healthz": {"anonymous": OK, "admin": OK, "finance": OK, "sales": OK},
    # CRM's deliveries authenticate with a secret, not a session; they are POST-only.
    "sync-webhook": {"anonymous": NOT_ALLOWED, "admin": NOT_ALLOWED, "finance": NOT_ALLOWED,
                     "sales": NOT_ALLOWED},
    "sync-notify": {"anonymous": NOT_ALLOWED, "admin": NOT_ALLOWED, "finance": NOT_ALLOWED,
                    "sales": NOT_ALLOWED},
    "login": {"anonymous": OK, "admin": OK, "finance": OK, "sales": OK},
    # Logout is POST-only in Django; a signed-in GET is refused.
    "logout": {"anonymous": LOGIN, "admin": NOT_ALLOWED, "finance": NOT_ALLOWED,
               "sales": NOT_ALLOWED},
    # Django's admin sends non-staff back to its own login page.
    "admin:index": {"anonymous": LOGIN, "admin": OK, "finance": LOGIN, "sales": LOGIN},
}  # fmt: skip


def named_urls() -> set[str]:
    names = {n for n in get_resolver().reverse_dict if isinstance(n, str)}
    return names | {"admin:index"}


def test_every_url_has_a_role_expectation():
    assert named_urls() == set(EXPECTED)


@pytest.mark.parametrize("role", ["anonymous", "admin", "finance", "sales"])
@pytest.mark.parametrize("url_name", sorted(EXPECTED))
def test_url_answers_each_role_as_expected(url_name, role, admin_user, finance_user, sales_user):
    users = {"admin": admin_user, "finance": finance_user, "sales": sales_user}
    client = Client() if role == "anonymous" else client_for(users[role])
    response = client.get(reverse(url_name, args=URL_ARGS.get(url_name, [])))
    assert response.status_code == EXPECTED[url_name][role]


def test_anonymous_is_sent_to_login_with_next():
    response = Client().get(reverse("mapping"))
    assert response["Location"] == f"{reverse('login')}?next={reverse('mapping')}"
