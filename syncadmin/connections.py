"""Connections to Zoho: the OAuth connect flow, fresh access tokens, health checks.

Guarantees:
- a connection is stored only after Zoho issued tokens for a valid, single-use ``state``;
- tokens are encrypted at rest and never logged;
- one process at a time refreshes a connection's access token (a conditional UPDATE
  claims the row), so Zoho's mint throttle is never hit by a stampede;
- disconnecting or a failed health check never touches the mapping table.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.db.models import Q
from django.utils import timezone

from syncadmin import budget, services
from syncadmin.models import Connection, ConnectionStatus, Service
from syncadmin.zoho import AccountsClient, BooksClient, CrmClient, books_client, crm_client
from syncadmin.zoho.datacentres import (
    DATA_CENTRES,
    accounts_url_for,
    data_centre_for_location,
)
from syncadmin.zoho.errors import REASONS, AuthZohoError, ZohoError, error_for
from syncadmin.zoho.http import new_http_client
from syncadmin.zoho.types import TokenSet, ZohoUser

log = logging.getLogger(__name__)

SCOPES = {
    Service.CRM: [
        "ZohoCRM.modules.ALL",
        "ZohoCRM.users.READ",
        "ZohoCRM.org.READ",
        "ZohoCRM.notifications.ALL",
        "ZohoCRM.settings.automation_actions.READ",
        "ZohoSearch.securesearch.READ",
    ],
    Service.BOOKS: [
        "ZohoBooks.contacts.ALL",
        "ZohoBooks.invoices.READ",
        "ZohoBooks.settings.READ",
        "ZohoBooks.users.READ",
    ],
}
STATE_SALT = "syncadmin.connections.oauth-state"
STATE_MAX_AGE = timedelta(minutes=10)
REFRESH_MARGIN = timedelta(minutes=5)  # refresh this long before Zoho's expiry
REFRESH_CLAIM = timedelta(seconds=30)
THROTTLE_BACKOFF = timedelta(minutes=5)
REFRESH_WAIT_SECONDS = 30.0


class ConnectError(Exception):
    """A connect attempt that must stop with a message for the admin; nothing was stored."""


@cache
def http_client() -> httpx.Client:
    """One pooled client per process."""
    return new_http_client(timeout=settings.ZOHO_HTTP_TIMEOUT_SECONDS)


def accounts_client() -> AccountsClient:
    return AccountsClient(
        http=http_client(),
        client_id=settings.ZOHO_CLIENT_ID,
        client_secret=settings.ZOHO_CLIENT_SECRET,
    )


def redirect_uri(build_absolute_uri) -> str:
    return build_absolute_uri("/connections/oauth/callback/")


# --- connect flow -----------------------------------------------------------------------


@dataclass(frozen=True)
class ConnectStart:
    url: str
    nonce: str


def connection_start(
    *, service: str, data_centre: str, redirect_to: str, connection: Connection | None = None
) -> ConnectStart:
    """The Zoho consent URL for ``service`` and a signed, single-use ``state``.

    The caller keeps ``nonce`` in the admin's session; the callback must present it.
    """
    if not settings.ZOHO_CLIENT_ID or not settings.ZOHO_CLIENT_SECRET:
        raise ConnectError(
            "No Zoho client is configured: set ZOHO_CLIENT_ID and ZOHO_CLIENT_SECRET "
            "from the Zoho API console, then try again."
        )
    nonce = secrets.token_urlsafe(16)
    payload = {
        "n": nonce,
        "s": service,
        "dc": data_centre,
        "c": connection.pk if connection else None,
    }
    state = signing.dumps(payload, salt=STATE_SALT)
    accounts = accounts_url_for(data_centre, override=settings.ZOHO_ACCOUNTS_URL)
    url = accounts_client().authorization_url(
        accounts_url=accounts, scopes=SCOPES[service], redirect_uri=redirect_to, state=state
    )
    return ConnectStart(url=url, nonce=nonce)


def state_read(*, state: str, session_nonces: list[str]) -> dict:
    """The payload of a genuine, fresh state whose nonce this session issued; the nonce is
    consumed so a replayed callback is refused."""
    try:
        payload = signing.loads(state, salt=STATE_SALT, max_age=STATE_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ConnectError("The Zoho sign-in took too long. Please connect again.") from exc
    except signing.BadSignature as exc:
        raise ConnectError(
            "The answer from Zoho was not one we asked for; nothing was stored."
        ) from exc
    if payload.get("n") not in session_nonces:
        raise ConnectError("This Zoho answer was already used or belongs to another session.")
    session_nonces.remove(payload["n"])
    return payload


def trusted_accounts_server(accounts_server: str, *, fallback: str) -> str:
    """Zoho names the user's accounts server on the callback; accept only real Zoho ones
    (or the configured override), so a forged callback cannot collect our client secret."""
    if not accounts_server:
        return fallback
    allowed = {dc.accounts_url for dc in DATA_CENTRES.values()}
    if settings.ZOHO_ACCOUNTS_URL:
        allowed.add(settings.ZOHO_ACCOUNTS_URL.rstrip("/"))
    candidate = accounts_server.rstrip("/")
    if candidate not in allowed or urlsplit(candidate).scheme not in ("https", "http"):
        raise ConnectError(f"Zoho answered from an unknown accounts server ({candidate}).")
    return candidate


def connection_complete(
    *,
    payload: dict,
    code: str,
    accounts_server: str,
    location: str = "",
    redirect_to: str,
    user: AbstractBaseUser,
) -> Connection:
    """Exchange the grant code and store (or refresh) the connection.

    Zoho's ``location`` (the user's data centre) wins over the one picked on the form.
    A Books connection whose user sees several organisations is stored without an
    organisation; ``connection_choose_organisation`` finishes it.
    """
    service = payload["s"]
    data_centre = data_centre_for_location(location, default=payload["dc"])
    fallback = accounts_url_for(data_centre, override=settings.ZOHO_ACCOUNTS_URL)
    accounts = trusted_accounts_server(accounts_server, fallback=fallback)
    try:
        tokens = accounts_client().exchange_code(
            accounts_url=accounts, code=code, redirect_uri=redirect_to
        )
    except ZohoError as exc:
        raise ConnectError(f"Zoho refused the sign-in: {exc.reason.explanation}") from exc
    if not tokens.refresh_token:
        raise ConnectError(
            "Zoho issued no refresh token. Remove syncadmin's access in your Zoho account's "
            "connected apps, then connect again."
        )
    connection = _connection_for(payload.get("c"), service)
    _store_tokens(connection, tokens, accounts_server=accounts, data_centre=data_centre)
    connection.connected_by = user
    connection.status = ConnectionStatus.CONNECTED
    connection.save()
    token_cache_forget(connection.pk)
    connection = identify_and_check(connection)
    services.audit_record(
        actor=user, action="connection.connect", target_type="connection",
        target_id=connection.pk, target_label=str(connection),
    )  # fmt: skip
    return connection


def _connection_for(connection_id: int | None, service: str) -> Connection:
    if connection_id:
        return Connection.objects.get(pk=connection_id, service=service)
    return Connection(service=service)


def _store_tokens(
    connection: Connection, tokens: TokenSet, *, accounts_server: str, data_centre: str
) -> None:
    connection.data_centre = data_centre
    connection.accounts_server = accounts_server
    connection.api_domain = tokens.api_domain or DATA_CENTRES[data_centre].api_domain
    connection.client_id = settings.ZOHO_CLIENT_ID
    connection.client_secret = settings.ZOHO_CLIENT_SECRET
    connection.refresh_token = tokens.refresh_token
    connection.access_token = tokens.access_token
    connection.access_token_expires_at = timezone.now() + timedelta(seconds=tokens.expires_in)
    connection.scopes = tokens.scope
    connection.connected_at = timezone.now()
    connection.disconnected_at = None


def identify_and_check(connection: Connection) -> Connection:
    """Learn which organisation the connection reaches, then run a health check.

    A Books user who sees several organisations must pick one first.
    """
    if not connection.organization_id:
        organisations = organisation_choices(connection)
        if len(organisations) != 1:
            connection.status = ConnectionStatus.NOT_CONNECTED
            connection.status_detail = "Pick the Books organisation to sync with."
            connection.save()
            return connection
        connection = _adopt_organisation(connection, *organisations[0])
    return connection_health_check(connection)


def organisation_choices(connection: Connection) -> list[tuple[str, str]]:
    """(id, name) of the organisations the connecting user reaches."""
    if connection.service == Service.CRM:
        org = crm_for(connection, lane="interactive").org()
        return [(org.organization_id, org.name)]
    books = books_for(connection, organization_id="", lane="interactive")
    return [(o.organization_id, o.name) for o in books.organizations()]


def connection_choose_organisation(
    *, connection: Connection, organization_id: str, user: AbstractBaseUser
) -> Connection:
    """Bind a Books connection to one of its user's organisations and check it."""
    names = dict(organisation_choices(connection))
    if organization_id not in names:
        raise ConnectError("That organisation is not visible to the connecting Zoho user.")
    connection = _adopt_organisation(connection, organization_id, names[organization_id])
    services.audit_record(
        actor=user, action="connection.organisation", target_type="connection",
        target_id=connection.pk, target_label=str(connection), after={"org": organization_id},
    )  # fmt: skip
    return connection_health_check(connection)


CREDENTIAL_FIELDS = (
    "data_centre", "accounts_server", "api_domain", "client_id", "client_secret",
    "refresh_token", "access_token", "access_token_expires_at", "scopes", "connected_at",
    "connected_by", "disconnected_at", "status", "status_detail",
)  # fmt: skip


def _adopt_organisation(connection: Connection, organization_id: str, name: str) -> Connection:
    """Bind to the organisation. Connecting an organisation we already know updates the
    existing row (keeping its history) instead of creating a second one."""
    known = (
        Connection.objects.filter(service=connection.service, organization_id=organization_id)
        .exclude(pk=connection.pk)
        .first()
    )
    if known:
        for field in CREDENTIAL_FIELDS:
            setattr(known, field, getattr(connection, field))
        if connection.pk:
            connection.delete()
        connection = known
    connection.organization_id, connection.organization_name = organization_id, name
    connection.save()
    return connection


# --- tokens ---------------------------------------------------------------------------


# Threads of one process share the token they last saw, and queue on a per-connection
# lock, so only one thread per process ever reaches the database (and Zoho) for it.
_local_lock = threading.Lock()
_connection_locks: dict[int, threading.Lock] = {}
_local_tokens: dict[int, tuple[str, datetime]] = {}


def access_token_get(*, connection_id: int, rejected: str | None = None) -> str:
    """A valid access token for the connection, refreshed single-flight when needed.

    ``rejected`` is a token Zoho just refused: it is replaced even if not yet expired,
    unless another thread or process already replaced it.
    """
    cached = _local_tokens.get(connection_id)
    if cached and _usable(*cached, rejected):
        return cached[0]
    with _lock_for(connection_id):
        cached = _local_tokens.get(connection_id)
        if cached and _usable(*cached, rejected):
            return cached[0]
        token, expires_at = _token_from_database(connection_id, rejected)
        _local_tokens[connection_id] = (token, expires_at)
        return token


def _lock_for(connection_id: int) -> threading.Lock:
    with _local_lock:
        return _connection_locks.setdefault(connection_id, threading.Lock())


def _usable(token: str | None, expires_at: datetime | None, rejected: str | None) -> bool:
    fresh = expires_at and expires_at - REFRESH_MARGIN > timezone.now()
    return bool(token and fresh and token != rejected)


def _token_from_database(connection_id: int, rejected: str | None) -> tuple[str, datetime]:
    """The stored token, or a new one minted by whichever process claims the row first."""
    deadline = time.monotonic() + REFRESH_WAIT_SECONDS
    while True:
        connection = Connection.objects.get(pk=connection_id)
        token, expires_at = connection.access_token, connection.access_token_expires_at
        if connection.status == ConnectionStatus.PAUSED or not connection.refresh_token:
            raise AuthZohoError("token_invalid", zoho_message="The connection is disconnected.")
        if _usable(token, expires_at, rejected):
            return token, expires_at
        if _throttled(connection):
            raise error_for("token_throttled", zoho_message="Backing off Zoho's token throttle.")
        if _claim_refresh(connection):
            return _refresh(connection)
        if time.monotonic() > deadline:
            raise error_for("token_throttled", zoho_message="Timed out waiting for a refresh.")
        time.sleep(0.05 + secrets.randbelow(50) / 1000)


def _throttled(connection: Connection) -> bool:
    """A claim held far longer than a refresh takes is a back-off after Zoho's throttle."""
    until = connection.refresh_claimed_until
    return bool(until and until - timezone.now() > REFRESH_CLAIM)


def _claim_refresh(connection: Connection) -> bool:
    """Claim the refresh, but only for the token this process saw: once someone else has
    replaced it (its expiry moved), the claim fails and the caller re-reads."""
    now = timezone.now()
    free = Q(refresh_claimed_until__isnull=True) | Q(refresh_claimed_until__lt=now)
    seen = connection.access_token_expires_at
    same_token = Q(access_token_expires_at=seen) if seen else Q(access_token_expires_at=None)
    claimed = Connection.objects.filter(free, same_token, pk=connection.pk).update(
        refresh_claimed_until=now + REFRESH_CLAIM
    )
    return claimed == 1


def _refresh(connection: Connection) -> tuple[str, datetime]:
    claimed = Connection.objects.filter(pk=connection.pk)
    try:
        tokens = accounts_client_for(connection).refresh(
            accounts_url=connection.accounts_server, refresh_token=connection.refresh_token
        )
    except ZohoError as exc:
        # Zoho's token throttle clears only after a quiet spell: keep everyone off it.
        backoff = THROTTLE_BACKOFF if exc.reason.code == "token_throttled" else timedelta(0)
        claimed.update(refresh_claimed_until=timezone.now() + backoff if backoff else None)
        if isinstance(exc, AuthZohoError):
            _mark_unhealthy(connection, exc)
        raise
    expires_at = timezone.now() + timedelta(seconds=tokens.expires_in)
    # Token and claim change in one UPDATE, so nobody can claim in between; a connection
    # disconnected meanwhile keeps no token.
    stored = claimed.exclude(status=ConnectionStatus.PAUSED).update(
        access_token=tokens.access_token,
        access_token_expires_at=expires_at,
        refresh_claimed_until=None,
        updated_at=timezone.now(),
    )
    if not stored:
        raise AuthZohoError("token_invalid", zoho_message="The connection was disconnected.")
    return tokens.access_token, expires_at


def token_cache_forget(connection_id: int) -> None:
    _local_tokens.pop(connection_id, None)


def accounts_client_for(connection: Connection) -> AccountsClient:
    return AccountsClient(
        http=http_client(), client_id=connection.client_id, client_secret=connection.client_secret
    )


class ConnectionTokens:
    """The token provider the Zoho clients call; remembers what it handed out so a 401
    replaces exactly that token."""

    def __init__(self, connection_id: int) -> None:
        self.connection_id = connection_id
        self.last: str | None = None

    def __call__(self, *, force_refresh: bool = False) -> str:
        rejected = self.last if force_refresh else None
        self.last = access_token_get(connection_id=self.connection_id, rejected=rejected)
        return self.last


# CRM editions: base daily credits (before per-user add-ons) and concurrency (§2.8).
CRM_EDITIONS = {
    "free": (5_000, 5),
    "standard": (50_000, 10),
    "professional": (50_000, 15),
    "enterprise": (50_000, 20),
    "ultimate": (50_000, 25),
}


def connection_limits(connection: Connection) -> budget.Limits:
    """What the shared budget lets this connection's organisation spend."""
    if connection.service == Service.BOOKS:
        plan = connection.plan if connection.plan in budget.BOOKS_DAILY_CAPS else "standard"
        return budget.Limits.books(plan=plan, daily_cap=connection.daily_limit)
    credits, concurrency = CRM_EDITIONS.get(connection.plan, CRM_EDITIONS["standard"])
    return budget.Limits.crm(credits=connection.daily_limit or credits, concurrency=concurrency)


def connection_gate(connection: Connection, lane: budget.Lane) -> budget.OrgGate:
    return budget.gate(
        service=connection.service,
        org_id=connection.organization_id or f"connection-{connection.pk}",
        lane=lane,
        limits=connection_limits(connection),
    )


def crm_for(connection: Connection, *, lane: budget.Lane = "realtime") -> CrmClient:
    """A CRM client spending from the organisation's shared budget in ``lane``."""
    return crm_client(
        http=http_client(),
        api_domain=connection.api_domain,
        tokens=ConnectionTokens(connection.pk),
        gate=connection_gate(connection, lane),
    )


def books_for(
    connection: Connection, *, organization_id: str | None = None, lane: budget.Lane = "realtime"
) -> BooksClient:
    """A Books client spending from the organisation's shared budget in ``lane``."""
    org = connection.organization_id if organization_id is None else organization_id
    return books_client(
        http=http_client(),
        api_domain=connection.api_domain,
        tokens=ConnectionTokens(connection.pk),
        organization_id=org,
        gate=connection_gate(connection, lane),
    )


# --- health ---------------------------------------------------------------------------

STATUS_FOR_REASON = {
    "token_invalid": ConnectionStatus.USER_INACTIVE,
    "not_authorised": ConnectionStatus.NEEDS_REAUTH,
    "client_invalid": ConnectionStatus.NEEDS_REAUTH,
    "wrong_organisation": ConnectionStatus.NEEDS_REAUTH,
}


def connection_health_check(connection: Connection) -> Connection:
    """Ask Zoho who the connecting user is and whether the connection still works.

    Auth failures turn the connection red (the banner shows on every page); transient
    failures only record what happened. Only health fields are written, so a token
    refreshed meanwhile is never overwritten. The mapping table is never touched.
    """
    if connection.status == ConnectionStatus.PAUSED or not connection.organization_id:
        return connection  # paused by a person, or still waiting for its organisation
    try:
        user = _identify_user(connection)
    except AuthZohoError as exc:
        _mark_unhealthy(connection, exc)
    except ZohoError as exc:
        connection.status_detail = f"Health check could not finish: {exc.reason.explanation}"
        _save_health(connection)
    else:
        _record_user(connection, user)
    return connection


def _identify_user(connection: Connection) -> ZohoUser | None:
    """The connecting user, after checking the connection still reaches its organisation."""
    if connection.service == Service.CRM:
        crm = crm_for(connection, lane="interactive")
        reached = {crm.org().organization_id}
        user = crm.current_user()
    else:
        books = books_for(connection, lane="interactive")
        reached = {o.organization_id for o in books.organizations()}
        user = books.current_user()
    if connection.organization_id not in reached:
        raise AuthZohoError("wrong_organisation", zoho_message=connection.organization_id)
    return user


def _record_user(connection: Connection, user: ZohoUser | None) -> None:
    if user:
        connection.user_name, connection.user_email = user.name, user.email
        connection.zoho_user_id, connection.user_active = user.id, user.active
    if user and not user.active:
        # Zoho still answers, but the user is deactivated or de-licensed: sync must stop.
        detail = f"{user.email} is inactive in Zoho. {REASONS['token_invalid'].fix}"
        _set_status(connection, ConnectionStatus.USER_INACTIVE, detail)
    else:
        _set_status(connection, ConnectionStatus.CONNECTED, "")
    _save_health(connection)


def _mark_unhealthy(connection: Connection, error: ZohoError) -> None:
    status = STATUS_FOR_REASON.get(error.reason.code, ConnectionStatus.NEEDS_REAUTH)
    if status == ConnectionStatus.USER_INACTIVE:
        connection.user_active = False
    _set_status(connection, status, f"{error.reason.explanation} {error.fix}")
    _save_health(connection)


def _set_status(connection: Connection, status: str, detail: str) -> None:
    if connection.status != status:
        services.audit_record(
            actor=None, action="connection.status", target_type="connection",
            target_id=connection.pk, target_label=str(connection),
            before={"status": connection.status}, after={"status": status}, note=detail,
        )  # fmt: skip
    connection.status, connection.status_detail = status, detail


HEALTH_FIELDS = [
    "status", "status_detail", "user_name", "user_email", "zoho_user_id", "user_active",
    "last_health_check_at", "updated_at",
]  # fmt: skip


def _save_health(connection: Connection) -> None:
    """Write only what a health check learns; tokens and claims stay as others left them.
    A connection disconnected meanwhile stays disconnected."""
    connection.last_health_check_at = timezone.now()
    connection.updated_at = timezone.now()
    values = {field: getattr(connection, field) for field in HEALTH_FIELDS}
    Connection.objects.filter(pk=connection.pk).exclude(status=ConnectionStatus.PAUSED).update(
        **values
    )


def connections_health_check_due() -> int:
    """Check every connection that is bound to an organisation and not paused."""
    checked = 0
    due = (
        Connection.objects.exclude(status=ConnectionStatus.PAUSED)
        .exclude(refresh_token=None)
        .exclude(organization_id="")
    )
    for connection in due:
        connection_health_check(connection)
        checked += 1
    return checked


# --- disconnect -------------------------------------------------------------------------


def connection_disconnect(*, connection: Connection, user: AbstractBaseUser) -> Connection:
    """Revoke Zoho's tokens and pause sync. Mapping rows are kept untouched, so a later
    reconnect resumes exactly where this left off."""
    if connection.refresh_token:
        try:
            accounts_client_for(connection).revoke(
                accounts_url=connection.accounts_server, refresh_token=connection.refresh_token
            )
        except ZohoError as exc:
            # Zoho may already have dropped the token; forgetting it locally is what matters.
            log.warning("revoke failed for connection %s: %s", connection.pk, exc.reason.code)
    connection.refresh_token = connection.access_token = None
    connection.access_token_expires_at = None
    token_cache_forget(connection.pk)
    connection.disconnected_at = timezone.now()
    _set_status(connection, ConnectionStatus.PAUSED, "Disconnected; sync is paused.")
    connection.save()
    services.audit_record(
        actor=user, action="connection.disconnect", target_type="connection",
        target_id=connection.pk, target_label=str(connection),
    )  # fmt: skip
    return connection
