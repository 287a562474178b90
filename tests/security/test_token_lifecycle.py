"""Point 3 of issue 11: a token lifecycle with no gaps, against the sandbox over HTTP.

These failed before the fix: tokens were served to connections that needed
re-authorising, a reconnect overwrote a row's tokens before checking the organisation,
the replaced refresh token stayed valid at Zoho, a failed revoke was reported as done and
forgotten, the client secret survived a disconnect, and any api_domain was accepted.
"""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from syncadmin import connections
from syncadmin.connections.oauth import ConnectError, trusted_accounts_server, trusted_api_domain
from syncadmin.connections.tokens import connections_revoke_pending
from syncadmin.models import Connection, ConnectionStatus, Service
from syncadmin.zoho.errors import AuthZohoError
from tests.conftest import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from tests.security.conftest import PRODUCTION_ENV
from tests.zoho_helpers import consent, local_path, sandbox_connection

pytestmark = pytest.mark.django_db


def refresh_works(zoho, refresh_token: str) -> bool:
    answer = zoho.client.post(
        "/oauth/v2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": SANDBOX_CLIENT_ID,
            "client_secret": SANDBOX_CLIENT_SECRET,
        },
    )
    return "access_token" in answer.json()


@pytest.mark.parametrize(
    "status", [ConnectionStatus.NEEDS_REAUTH, ConnectionStatus.USER_INACTIVE, "paused"]
)
def test_no_token_for_a_connection_that_is_not_connected(zoho, status):
    connection = sandbox_connection(zoho, status=status)
    since = zoho.stats()["now"]
    with pytest.raises(AuthZohoError):
        connections.access_token_get(connection_id=connection.pk)
    assert zoho.stats(since=since, service="accounts")["total"] == 0


def test_a_connection_that_lost_its_organisation_gets_no_more_tokens(zoho):
    connection = sandbox_connection(zoho, organization_id="29999999")  # not the user's
    connections.connection_health_check(connection)
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.NEEDS_REAUTH
    with pytest.raises(AuthZohoError):
        connections.access_token_get(connection_id=connection.pk)


def test_reconnect_as_a_user_of_another_organisation_changes_nothing(zoho, admin_client_):
    connection = sandbox_connection(zoho, organization_id="29999999")
    before = Connection.objects.values().get(pk=connection.pk)
    since = zoho.stats()["now"]

    start = admin_client_.post(reverse("connection-reconnect", args=[connection.pk]))
    answer = admin_client_.get(local_path(consent(start["Location"])), follow=True)

    assert "cannot reach" in answer.content.decode()
    assert Connection.objects.values().get(pk=connection.pk) == before
    # The fresh tokens were issued, then revoked: the code exchange plus one revoke.
    assert zoho.stats(since=since, service="accounts")["total"] >= 2


def test_reconnect_revokes_the_refresh_token_it_replaces(zoho, admin_client_):
    connection = sandbox_connection(zoho, service=Service.CRM)
    replaced = connection.refresh_token

    start = admin_client_.post(reverse("connection-reconnect", args=[connection.pk]))
    admin_client_.get(local_path(consent(start["Location"])))

    connection.refresh_from_db()
    assert connection.refresh_token != replaced and connection.status == "connected"
    assert not refresh_works(zoho, replaced)
    assert refresh_works(zoho, connection.refresh_token)


def test_failed_revoke_is_shown_kept_and_retried(zoho, admin_client_):
    connection = sandbox_connection(zoho)
    refresh_token = connection.refresh_token
    # Zoho unreachable at disconnect time.
    Connection.objects.filter(pk=connection.pk).update(accounts_server="http://127.0.0.1:9")

    page = admin_client_.post(reverse("connection-disconnect", args=[connection.pk]), follow=True)

    connection.refresh_from_db()
    assert "not yet confirmed revoking" in page.content.decode()
    assert connection.status == ConnectionStatus.PAUSED
    assert connection.refresh_token == refresh_token and connection.client_secret is None
    assert refresh_works(zoho, refresh_token)  # still alive at Zoho, so still ours to revoke

    Connection.objects.filter(pk=connection.pk).update(accounts_server=zoho.base_url)
    assert connections.connections_health_check_due() == 0  # the scheduled run retries
    connection.refresh_from_db()
    assert connection.refresh_token is None
    assert not refresh_works(zoho, refresh_token)
    assert connections_revoke_pending() == 0


def test_disconnect_forgets_the_client_secret(zoho):
    connection = sandbox_connection(zoho)
    connections.connection_disconnect(connection=connection, user=None)
    stored = Connection.objects.get(pk=connection.pk)
    assert (stored.client_secret, stored.access_token, stored.refresh_token) == (None,) * 3


@pytest.mark.parametrize(
    "api_domain", ["https://www.zohoapis.eu", "https://www.zohoapis.com.au/", ""]
)
def test_known_api_domains_are_accepted(settings, api_domain):
    settings.ZOHO_ACCOUNTS_URL = ""
    assert trusted_api_domain(api_domain, data_centre="eu").startswith("https://www.zohoapis.")


@pytest.mark.parametrize(
    "api_domain",
    ["https://evil.example", "http://www.zohoapis.eu", "https://www.zohoapis.eu.evil.example"],
)
def test_unknown_api_domain_is_refused(settings, api_domain):
    settings.ZOHO_ACCOUNTS_URL = ""
    with pytest.raises(ConnectError, match="unknown API domain"):
        trusted_api_domain(api_domain, data_centre="eu")


def test_plain_http_override_needs_the_rehearsal_flag(settings):
    settings.ZOHO_ACCOUNTS_URL = "http://127.0.0.1:8100"
    settings.ZOHO_REHEARSAL = True
    assert trusted_api_domain("http://127.0.0.1:8100", data_centre="eu")
    assert trusted_accounts_server("http://127.0.0.1:8100", fallback="")
    settings.ZOHO_REHEARSAL = False
    with pytest.raises(ConnectError):
        trusted_api_domain("http://127.0.0.1:8100", data_centre="eu")
    with pytest.raises(ConnectError):
        trusted_accounts_server("http://127.0.0.1:8100", fallback="")


def test_plain_http_override_stops_start_up_without_the_rehearsal_flag(load_settings):
    with pytest.raises(ImproperlyConfigured, match="ZOHO_ACCOUNTS_URL"):
        load_settings(**PRODUCTION_ENV, ZOHO_ACCOUNTS_URL="http://127.0.0.1:8100")
    rehearsal = {**PRODUCTION_ENV, "ZOHO_ACCOUNTS_URL": "http://127.0.0.1:8100"}
    assert load_settings(**rehearsal, ZOHO_REHEARSAL="1")["ZOHO_REHEARSAL"] is True
