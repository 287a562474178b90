"""Connecting to Zoho over the real OAuth flow, against the sandbox over HTTP."""

import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connections as db_connections
from django.urls import reverse
from django.utils import timezone

from syncadmin import connections
from syncadmin.connections import tokens as connection_tokens
from syncadmin.models import Connection, ConnectionStatus, LinkState, RecordLink, Service
from syncadmin.zoho.errors import AuthZohoError, ZohoError
from tests.factories import RecordLinkFactory
from tests.zoho_helpers import ADMIN, BOOKS_UK, consent, local_path, sandbox_connection

pytestmark = pytest.mark.django_db


def start_connect(client, service: str) -> str:
    response = client.post(reverse("connection-connect", args=[service]), {"data_centre": "eu"})
    assert response.status_code == 302
    return response["Location"]


def test_connect_crm_stores_encrypted_tokens_and_the_connecting_user(zoho, admin_client_):
    auth_url = start_connect(admin_client_, Service.CRM)
    assert auth_url.startswith(f"{zoho.base_url}/oauth/v2/auth?")
    query = parse_qs(urlsplit(auth_url).query)
    assert query["access_type"] == ["offline"] and query["prompt"] == ["consent"]

    callback = consent(auth_url)
    response = admin_client_.get(local_path(callback))

    assert response.status_code == 302 and response["Location"] == reverse("connections")
    connection = Connection.objects.get(service=Service.CRM)
    assert connection.status == ConnectionStatus.CONNECTED
    assert connection.user_email == ADMIN and connection.user_active is True
    assert connection.organization_id == "800000001"
    assert connection.data_centre == "com"  # Zoho's location=us beats the form's choice
    assert connection.refresh_token.startswith("1000.")


def test_books_user_with_two_organisations_picks_one(zoho, admin_client_):
    callback = consent(start_connect(admin_client_, Service.BOOKS))
    response = admin_client_.get(local_path(callback))

    connection = Connection.objects.get(service=Service.BOOKS)
    assert response["Location"] == reverse("connection-organisation", args=[connection.pk])
    assert connection.status == ConnectionStatus.NOT_CONNECTED

    page = admin_client_.get(response["Location"])
    assert "Zylker" in page.content.decode()
    admin_client_.post(response["Location"], {"organization_id": BOOKS_UK})
    connection.refresh_from_db()
    assert connection.organization_id == BOOKS_UK
    assert connection.status == ConnectionStatus.CONNECTED


def test_denied_consent_stores_nothing(zoho, admin_client_):
    callback = consent(start_connect(admin_client_, Service.CRM), decision="deny")
    assert "error=access_denied" in callback

    response = admin_client_.get(local_path(callback), follow=True)
    assert "Consent was denied" in response.content.decode()
    assert not Connection.objects.exists()


def test_tampered_state_is_refused_and_stores_nothing(zoho, admin_client_):
    callback = consent(start_connect(admin_client_, Service.CRM))
    tampered = callback.replace("state=", "state=x")

    response = admin_client_.get(local_path(tampered), follow=True)
    assert "not one we asked for" in response.content.decode()
    assert not Connection.objects.exists()


def test_replayed_callback_is_refused(zoho, admin_client_):
    callback = consent(start_connect(admin_client_, Service.CRM))
    admin_client_.get(local_path(callback))
    response = admin_client_.get(local_path(callback), follow=True)
    assert "already used" in response.content.decode()
    assert Connection.objects.count() == 1


def test_sales_cannot_start_a_connection(zoho, sales_client):
    response = sales_client.post(reverse("connection-connect", args=["crm"]), {"data_centre": "eu"})
    assert response.status_code == 403


def expire_access_token(connection) -> None:
    Connection.objects.filter(pk=connection.pk).update(
        access_token_expires_at=timezone.now() - timedelta(seconds=1)
    )


def fetch_tokens_in_threads(connection_id: int, count: int) -> list[str]:
    barrier = threading.Barrier(count)

    def attempt(_):
        barrier.wait()  # every attempt starts while the token is still expired
        try:
            return connections.access_token_get(connection_id=connection_id)
        finally:
            db_connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(attempt, range(count)))


@pytest.mark.django_db(transaction=True)
def test_two_hundred_simultaneous_refreshes_call_the_token_endpoint_once(zoho):
    connection = sandbox_connection(zoho)
    expire_access_token(connection)
    since = zoho.stats()["now"]

    tokens = fetch_tokens_in_threads(connection.pk, 200)

    assert zoho.stats(since=since, service="accounts")["total"] == 1
    assert len(tokens) == 200 and len(set(tokens)) == 1


def _process_attempts(connection_id: int) -> list[str]:
    # A forked child must not reuse the parent's pooled sockets or cached tokens.
    connection_tokens.http_client.cache_clear()
    connection_tokens._local_tokens.clear()
    return fetch_tokens_in_threads(connection_id, 50)


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
@pytest.mark.django_db(transaction=True)
def test_refreshes_racing_from_four_processes_call_the_token_endpoint_once(zoho):
    # Four worker processes of 50 threads each: the database row is what serialises them.
    connection = sandbox_connection(zoho)
    expire_access_token(connection)
    since = zoho.stats()["now"]
    db_connections.close_all()  # children must open their own database connections

    with multiprocessing.get_context("fork").Pool(4) as pool:
        tokens = [t for batch in pool.map(_process_attempts, [connection.pk] * 4) for t in batch]

    assert zoho.stats(since=since, service="accounts")["total"] == 1
    assert len(tokens) == 200 and len(set(tokens)) == 1


def test_token_is_reused_until_close_to_expiry(zoho):
    connection = sandbox_connection(zoho)
    since = zoho.stats()["now"]
    assert connections.access_token_get(connection_id=connection.pk) == connection.access_token
    assert zoho.stats(since=since, service="accounts")["total"] == 0


def test_deactivated_user_turns_connection_red_and_keeps_the_mapping(zoho, sales_client):
    connection = sandbox_connection(zoho)
    links = RecordLinkFactory.create_batch(3, books_organization_id=BOOKS_UK)
    before = list(RecordLink.objects.values_list("pk", "state", "books_contact_id"))
    zoho.deactivate(ADMIN)
    Connection.objects.filter(pk=connection.pk).update(access_token_expires_at=timezone.now())

    connections.connection_health_check(connection)

    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.USER_INACTIVE
    assert connection.user_active is False
    assert list(RecordLink.objects.values_list("pk", "state", "books_contact_id")) == before
    assert all(link.state == LinkState.LINKED for link in links)
    page = sales_client.get(reverse("mapping")).content.decode()
    assert "Connecting user inactive" in page and "Re-authorise as another user" in page


def test_health_check_records_the_connecting_user(zoho):
    connection = sandbox_connection(zoho, service=Service.CRM)
    connections.connection_health_check(connection)
    connection.refresh_from_db()
    assert (connection.user_email, connection.user_active) == (ADMIN, True)
    assert connection.last_health_check_at is not None


def test_disconnect_revokes_tokens_pauses_and_keeps_the_mapping(zoho, admin_client_):
    connection = sandbox_connection(zoho)
    old_refresh, client_secret = connection.refresh_token, connection.client_secret
    RecordLinkFactory.create_batch(2, books_organization_id=BOOKS_UK)

    response = admin_client_.post(
        reverse("connection-disconnect", args=[connection.pk]), HTTP_HX_REQUEST="true"
    )

    assert "Disconnected" in response.content.decode()
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.PAUSED and connection.refresh_token is None
    assert connection.client_secret is None  # forgotten until the next connect
    assert RecordLink.objects.count() == 2
    # Zoho no longer honours the revoked refresh token.
    answer = zoho.client.post(
        "/oauth/v2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": old_refresh,
            "client_id": connection.client_id,
            "client_secret": client_secret,
        },
    )
    assert answer.json() == {"error": "invalid_code"}


def test_reconnect_resumes_the_same_connection_row(zoho, admin_client_):
    connection = sandbox_connection(zoho, service=Service.CRM)
    connections.connection_disconnect(connection=connection, user=None)

    response = admin_client_.post(reverse("connection-reconnect", args=[connection.pk]))
    admin_client_.get(local_path(consent(response["Location"])))

    assert Connection.objects.count() == 1
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.CONNECTED and connection.refresh_token


def test_scheduled_health_check_flags_a_deactivated_user(zoho):
    # What beat runs every HEALTH_CHECK_INTERVAL_SECONDS: one run is enough to flip it.
    from syncadmin.tasks import connections_health_check

    connection = sandbox_connection(zoho)
    zoho.deactivate(ADMIN)
    Connection.objects.filter(pk=connection.pk).update(access_token_expires_at=timezone.now())

    assert connections_health_check.delay().get() == 1

    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.USER_INACTIVE


def test_health_check_runs_on_the_beat_at_the_configured_interval(monkeypatch, tmp_path):
    # The operator's interval reaches beat, and beat names a task the worker registered:
    # a typo in either would silently schedule no health checks at all.
    import runpy
    from pathlib import Path

    from syncadmin import tasks  # noqa: F401  (registers the tasks with the app)
    from syncadmin.celery import app

    monkeypatch.setenv("SYNCADMIN_DEMO", "1")
    monkeypatch.setenv("SYNCADMIN_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("HEALTH_CHECK_INTERVAL_SECONDS", "120")
    settings_py = Path(__file__).resolve().parents[1] / "syncadmin" / "settings.py"
    entry = runpy.run_path(str(settings_py))["CELERY_BEAT_SCHEDULE"]["connections-health-check"]

    assert entry["schedule"] == timedelta(seconds=120)
    assert entry["task"] in app.tasks


def test_health_check_keeps_the_token_it_refreshed(zoho):
    connection = sandbox_connection(zoho)
    expire_access_token(connection)

    connections.connection_health_check(Connection.objects.get(pk=connection.pk))

    stored = Connection.objects.get(pk=connection.pk)
    assert stored.access_token != connection.access_token
    assert stored.access_token_expires_at > timezone.now() + timedelta(minutes=50)
    assert stored.refresh_claimed_until is None


def test_deactivation_is_noticed_while_the_access_token_is_still_valid(zoho):
    # Zoho rejects the user's live token; one refresh is tried and fails the same way.
    connection = sandbox_connection(zoho)
    zoho.deactivate(ADMIN)

    connections.connection_health_check(connection)

    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.USER_INACTIVE


def test_scope_problem_does_not_mint_new_tokens(zoho):
    connection = sandbox_connection(zoho, service=Service.CRM)
    # A token without CRM record scopes: a fresh token would not help, so none is minted.
    weaker = zoho.tokens(ADMIN, ["ZohoCRM.users.READ", "ZohoCRM.org.READ"])
    Connection.objects.filter(pk=connection.pk).update(access_token=weaker["access_token"])
    since = zoho.stats()["now"]

    with pytest.raises(ZohoError) as caught:
        list(connections.crm_for(connection).records(module="Accounts", fields=["Account_Name"]))

    assert caught.value.reason.code == "not_authorised"
    assert zoho.stats(since=since, service="accounts")["total"] == 0


def test_scheduled_check_leaves_a_books_connection_awaiting_its_organisation(zoho):
    connection = sandbox_connection(zoho, organization_id="", status=ConnectionStatus.NOT_CONNECTED)
    assert connections.connections_health_check_due() == 0
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.NOT_CONNECTED


def test_connecting_again_to_a_disconnected_organisation_resumes_it(zoho, admin_client_):
    connection = sandbox_connection(zoho, service=Service.CRM)
    connections.connection_disconnect(connection=connection, user=None)

    callback = consent(start_connect(admin_client_, Service.CRM))
    admin_client_.get(local_path(callback))

    connection.refresh_from_db()
    assert Connection.objects.count() == 1
    assert connection.status == ConnectionStatus.CONNECTED


def test_disconnect_wins_over_a_refresh_in_flight(zoho):
    connection = sandbox_connection(zoho)
    expire_access_token(connection)
    seen = Connection.objects.get(pk=connection.pk)
    assert connection_tokens._claim_refresh(seen)
    Connection.objects.filter(pk=connection.pk).update(status=ConnectionStatus.PAUSED)

    with pytest.raises(AuthZohoError):
        connection_tokens._refresh(seen)
    assert Connection.objects.get(pk=connection.pk).access_token == connection.access_token
