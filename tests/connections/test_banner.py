"""The banner every page shows while a connection needs a person: chosen by the status."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from syncadmin.models import ConnectionStatus, Service
from syncadmin.zoho.errors import REASONS
from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db


def test_inactive_user_banner_names_the_user_and_asks_for_another():
    connection = ConnectionFactory.build(
        service=Service.CRM, status=ConnectionStatus.USER_INACTIVE, user_email="p@zylker.test"
    )
    banner = connection.banner
    assert banner.headline == "Zoho CRM: Connecting user inactive."
    assert banner.summary.startswith("p@zylker.test is inactive in Zoho.")
    assert banner.fix == "Re-authorise as another user"


def test_needs_reauth_banner_asks_to_re_authorise():
    banner = ConnectionFactory.build(status=ConnectionStatus.NEEDS_REAUTH).banner
    assert banner.headline == "Zoho Books: Needs re-authorisation."
    assert banner.fix == "Re-authorise it"


@pytest.mark.parametrize(
    ("status", "detail"),
    [
        # Zoho's fix for a dead token says the mapping is kept; the banner must not repeat it.
        (ConnectionStatus.USER_INACTIVE, f"Gone. {REASONS['token_invalid'].fix}"),
        (ConnectionStatus.USER_INACTIVE, ""),
        (ConnectionStatus.NEEDS_REAUTH, REASONS["wrong_organisation"].fix),
    ],
)
def test_banner_says_once_that_the_mapping_is_kept(rf, sales_user, status, detail):
    ConnectionFactory(status=status, status_detail=detail)

    html = render_shell(rf, sales_user)

    assert html.count("mapping is kept") == 1
    assert f'<a href="{reverse("connections")}">Re-authorise' in html


def render_shell(rf, user) -> str:
    """The base template every page extends, as the user sees it."""
    request = rf.get("/")
    request.user = user
    return render_to_string("base.html", request=request)
