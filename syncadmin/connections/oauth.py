"""The OAuth connect flow: consent at Zoho, code exchange, organisation, disconnect.

Guarantees: a connection is stored only after Zoho issued tokens for a valid, fresh,
single-use ``state``; Zoho may name the accounts server and API domain only from a known
list (or the configured override; plain http only in a rehearsal); a reconnect learns
which organisation the new tokens reach before it overwrites a row, and refuses a
mismatch; a replaced refresh token is revoked; disconnecting revokes the tokens (retried
until Zoho confirms), forgets the client secret and pauses sync, never touching the mapping.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from syncadmin import services
from syncadmin.connections.clients import books_for, connection_gate, crm_for
from syncadmin.connections.health import connection_health_check
from syncadmin.connections.status import set_status
from syncadmin.connections.tokens import (
    http_client,
    refresh_token_revoke,
    token_cache_forget,
)
from syncadmin.models import Connection, ConnectionStatus, Service
from syncadmin.zoho import AccountsClient, BooksClient, CrmClient, books_client, crm_client
from syncadmin.zoho.datacentres import (
    DATA_CENTRES,
    accounts_url_for,
    data_centre_for_location,
)
from syncadmin.zoho.errors import ZohoError
from syncadmin.zoho.types import TokenSet

SCOPES = {
    Service.CRM: [
        "ZohoCRM.modules.ALL",
        "ZohoCRM.users.READ",
        "ZohoCRM.org.READ",
        "ZohoCRM.notifications.ALL",
        "ZohoCRM.settings.automation_actions.READ",
        # field metadata: is the write-back field there (and the payment-status fields)?
        "ZohoCRM.settings.fields.READ",
        "ZohoCRM.settings.modules.READ",
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


class ConnectError(Exception):
    """A connect attempt that must stop with a message for the admin; nothing was stored."""


def accounts_client() -> AccountsClient:
    return AccountsClient(
        http=http_client(),
        client_id=settings.ZOHO_CLIENT_ID,
        client_secret=settings.ZOHO_CLIENT_SECRET,
    )


def redirect_uri(build_absolute_uri) -> str:
    """The callback URL Zoho must have registered for our client, absolute.

    Production takes it from ``ZOHO_REDIRECT_URI``, never from the request's Host header;
    the embedded demo may derive it from the request.
    """
    if settings.ZOHO_REDIRECT_URI:
        return settings.ZOHO_REDIRECT_URI
    if settings.PRODUCTION:
        raise ConnectError(
            "Set ZOHO_REDIRECT_URI to the callback URL registered in the Zoho API console."
        )
    return build_absolute_uri(reverse("oauth-callback"))


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
    candidate = accounts_server.rstrip("/")
    if candidate not in _with_override(allowed):
        raise ConnectError(f"Zoho answered from an unknown accounts server ({candidate}).")
    return candidate


def trusted_api_domain(api_domain: str, *, data_centre: str) -> str:
    """Zoho names the API domain in its token answer; every later call (with the token)
    goes there, so accept only a real Zoho API domain or the configured override."""
    if not api_domain:
        return DATA_CENTRES[data_centre].api_domain
    allowed = {dc.api_domain for dc in DATA_CENTRES.values()}
    candidate = api_domain.rstrip("/")
    if candidate not in _with_override(allowed):
        raise ConnectError(f"Zoho named an unknown API domain ({candidate}); nothing was stored.")
    return candidate


def _with_override(allowed: set[str]) -> set[str]:
    """Add ``ZOHO_ACCOUNTS_URL`` (the sandbox serves accounts and APIs on one origin);
    a plain-http one only in a rehearsal."""
    override = settings.ZOHO_ACCOUNTS_URL.rstrip("/")
    if override and (urlsplit(override).scheme == "https" or settings.ZOHO_REHEARSAL):
        allowed = allowed | {override}
    return allowed


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
    try:
        api_domain = trusted_api_domain(tokens.api_domain, data_centre=data_centre)
        reached = _organisations_reached(connection, api_domain, tokens.access_token)
        _refuse_other_organisation(connection, reached)
    except (ConnectError, ZohoError):
        # Nothing is stored, so nothing would ever revoke these fresh tokens.
        refresh_token_revoke(accounts_url=accounts, refresh_token=tokens.refresh_token)
        raise
    replaced = connection.refresh_token, connection.accounts_server
    _store_tokens(connection, tokens, accounts_server=accounts, data_centre=data_centre)
    connection.api_domain = api_domain
    connection.connected_by = user
    connection.status = ConnectionStatus.CONNECTED
    connection.status_detail = ""
    connection.save()
    token_cache_forget(connection.pk)
    _revoke_replaced(*replaced, kept=tokens.refresh_token)
    connection = identify_and_check(connection, reached=reached)
    services.audit_record(
        actor=user, action="connection.connect", target_type="connection",
        target_id=connection.pk, target_label=str(connection),
    )  # fmt: skip
    return connection


def _organisations_reached(
    connection: Connection, api_domain: str, access_token: str
) -> list[tuple[str, str]]:
    """(id, name) of the organisations the fresh token reaches, asked before storing it."""

    def fixed(*, force_refresh: bool = False) -> str:
        return access_token

    client = {"http": http_client(), "api_domain": api_domain, "tokens": fixed}
    client["gate"] = connection_gate(connection, "interactive")
    if connection.service == Service.CRM:
        return _organisations(crm=crm_client(**client))
    return _organisations(books=books_client(**client))


def _refuse_other_organisation(connection: Connection, reached: list[tuple[str, str]]) -> None:
    """A reconnect must reach the organisation the row (and its mapping) belongs to."""
    if connection.organization_id and connection.organization_id not in dict(reached):
        raise ConnectError(
            f"The Zoho user who just signed in cannot reach {connection}; nothing was changed. "
            "Sign in to Zoho as a user of that organisation."
        )


def _revoke_replaced(refresh_token: str | None, accounts_server: str, *, kept: str) -> None:
    """Revoke a refresh token we no longer keep (best effort: it is logged if Zoho fails)."""
    if refresh_token and refresh_token != kept and accounts_server:
        refresh_token_revoke(accounts_url=accounts_server, refresh_token=refresh_token)


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


def identify_and_check(
    connection: Connection, *, reached: list[tuple[str, str]] | None = None
) -> Connection:
    """Learn which organisation the connection reaches, then run a health check.

    A Books user who sees several organisations must pick one first.
    """
    if not connection.organization_id:
        organisations = organisation_choices(connection) if reached is None else reached
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
        return _organisations(crm=crm_for(connection, lane="interactive"))
    return _organisations(books=books_for(connection, organization_id="", lane="interactive"))


def _organisations(
    *, crm: CrmClient | None = None, books: BooksClient | None = None
) -> list[tuple[str, str]]:
    if crm is not None:
        org = crm.org()
        return [(org.organization_id, org.name)]
    return [(o.organization_id, o.name) for o in books.organizations()]


def connection_choose_organisation(
    *, connection: Connection, organization_id: str, user: AbstractBaseUser
) -> Connection:
    """Bind a Books connection to one of its user's organisations and check it.

    A connection already bound to an organisation is refused: rebinding it would move its
    mapping to another organisation's data.
    """
    if connection.organization_id:
        raise ConnectError(f"{connection} is already bound to its organisation.")
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
        replaced = known.refresh_token, known.accounts_server
        for field in CREDENTIAL_FIELDS:
            setattr(known, field, getattr(connection, field))
        if connection.pk:
            connection.delete()
        connection = known
        token_cache_forget(connection.pk)
        _revoke_replaced(*replaced, kept=connection.refresh_token)
    connection.organization_id, connection.organization_name = organization_id, name
    connection.status, connection.status_detail = ConnectionStatus.CONNECTED, ""
    connection.save()
    return connection


def connection_disconnect(*, connection: Connection, user: AbstractBaseUser) -> Connection:
    """Revoke Zoho's tokens, forget the client secret and pause sync. Mapping rows are
    kept untouched, so a later reconnect resumes exactly where this left off.

    If Zoho does not confirm the revoke, the refresh token is kept (encrypted, never
    served to a paused connection), the connection says so, and the scheduled check
    retries until Zoho confirms: see ``revoke_pending``.
    """
    revoked = not connection.refresh_token or refresh_token_revoke(
        accounts_url=connection.accounts_server, refresh_token=connection.refresh_token
    )
    if revoked:
        connection.refresh_token = None
    connection.access_token = connection.client_secret = None
    connection.access_token_expires_at = None
    token_cache_forget(connection.pk)
    connection.disconnected_at = timezone.now()
    detail = "Disconnected; sync is paused." if revoked else REVOKE_PENDING
    set_status(connection, ConnectionStatus.PAUSED, detail)
    connection.save()
    services.audit_record(
        actor=user, action="connection.disconnect", target_type="connection",
        target_id=connection.pk, target_label=str(connection), after={"revoked": revoked},
    )  # fmt: skip
    return connection


REVOKE_PENDING = (
    "Disconnected; sync is paused. Zoho has not yet confirmed revoking the token: "
    "syncadmin keeps retrying."
)


def revoke_pending(connection: Connection) -> bool:
    """A disconnected connection whose refresh token Zoho has not confirmed revoking."""
    return connection.status == ConnectionStatus.PAUSED and bool(connection.refresh_token)
