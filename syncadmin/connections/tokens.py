"""Fresh access tokens for connections, refreshed single-flight.

Guarantees: one thread per process and one process per connection refreshes at a time
(a per-connection lock, then a conditional UPDATE that claims the row), so Zoho's mint
throttle never sees a stampede; tokens are encrypted at rest and never logged; only a
connected connection gets a token (or one still learning its organisation), never one
that is paused, needs re-authorising or lost its organisation.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from datetime import datetime, timedelta
from functools import cache

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError
from django.db.models import Q
from django.utils import timezone

from syncadmin.connections.status import mark_unhealthy
from syncadmin.encryption import TokenKeyError
from syncadmin.models import Connection, ConnectionStatus
from syncadmin.zoho import AccountsClient
from syncadmin.zoho.errors import AuthZohoError, ZohoError, error_for
from syncadmin.zoho.http import new_http_client

log = logging.getLogger(__name__)

REFRESH_MARGIN = timedelta(minutes=5)  # refresh this long before Zoho's expiry
REFRESH_CLAIM = timedelta(seconds=30)
THROTTLE_BACKOFF = timedelta(minutes=5)
REFRESH_WAIT_SECONDS = 30.0


@cache
def http_client() -> httpx.Client:
    """One pooled client per process."""
    return new_http_client(timeout=settings.ZOHO_HTTP_TIMEOUT_SECONDS)


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
    if cached and _usable(*cached, rejected) and _still_servable(connection_id):
        return cached[0]
    with _lock_for(connection_id):
        cached = _local_tokens.get(connection_id)
        if cached and _usable(*cached, rejected) and _still_servable(connection_id):
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
        if not token_servable(connection):
            raise AuthZohoError(
                "token_invalid", zoho_message="The connection is not connected; re-authorise it."
            )
        if _usable(token, expires_at, rejected):
            return token, expires_at
        if _throttled(connection):
            raise error_for("token_throttled", zoho_message="Backing off Zoho's token throttle.")
        if _claim_refresh(connection):
            return _refresh(connection)
        if time.monotonic() > deadline:
            raise error_for("token_throttled", zoho_message="Timed out waiting for a refresh.")
        time.sleep(0.05 + secrets.randbelow(50) / 1000)


# Connected, or just connected and asking which organisation it reaches.
SERVABLE = Q(status=ConnectionStatus.CONNECTED) | Q(
    status=ConnectionStatus.NOT_CONNECTED, organization_id=""
)


def _still_servable(connection_id: int) -> bool:
    """One indexed read per use: another process may have turned the connection red or
    disconnected it since this process cached its token."""
    found = Connection.objects.filter(SERVABLE, pk=connection_id).exclude(refresh_token=None)
    if found.exists():
        return True
    token_cache_forget(connection_id)
    return False


def token_servable(connection: Connection) -> bool:
    """Connected, or just connected and asking which organisation it reaches."""
    if not connection.refresh_token:
        return False
    awaiting_organisation = (
        connection.status == ConnectionStatus.NOT_CONNECTED and not connection.organization_id
    )
    return connection.status == ConnectionStatus.CONNECTED or awaiting_organisation


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
            mark_unhealthy(connection, exc)
        raise
    expires_at = timezone.now() + timedelta(seconds=tokens.expires_in)
    # Token and claim change in one UPDATE, so nobody can claim in between; a connection
    # disconnected (or turned red) meanwhile keeps no new token.
    stored = claimed.filter(SERVABLE).update(
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


def refresh_token_revoke(*, accounts_url: str, refresh_token: str) -> bool:
    """Ask Zoho to revoke ``refresh_token``; True once it is dead.

    Zoho refusing it as invalid means it is already dead; a timeout or a 5xx leaves it
    alive, so the answer is False and the caller keeps it for a retry.
    """
    revoker = AccountsClient(http=http_client(), client_id="", client_secret="")
    try:
        revoker.revoke(accounts_url=accounts_url, refresh_token=refresh_token)
    except AuthZohoError:
        return True
    except ZohoError as exc:
        log.warning("Zoho did not confirm a token revoke (%s); will retry", exc.reason.code)
        return False
    return True


def connections_revoke_pending() -> int:
    """Retry the revokes Zoho did not confirm at disconnect; returns how many succeeded."""
    done = 0
    pending = Connection.objects.filter(status=ConnectionStatus.PAUSED).exclude(refresh_token=None)
    for connection in pending:
        if refresh_token_revoke(
            accounts_url=connection.accounts_server, refresh_token=connection.refresh_token
        ):
            # Only if nobody reconnected it meanwhile.
            done += Connection.objects.filter(
                pk=connection.pk, status=ConnectionStatus.PAUSED
            ).update(
                refresh_token=None,
                status_detail="Disconnected; sync is paused.",
                updated_at=timezone.now(),
            )
    return done


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


def token_keys_self_test() -> None:
    """Stop start-up unless ``TOKEN_ENCRYPTION_KEYS`` decrypts a stored secret.

    Serving with the wrong keys would turn every connection red at its first refresh;
    refusing to start names the setting instead. An empty or unmigrated database passes.
    """
    stored = Connection.objects.exclude(client_secret=None, refresh_token=None, access_token=None)
    try:
        stored.only("client_secret", "refresh_token", "access_token").first()
    except TokenKeyError as exc:
        raise ImproperlyConfigured(
            "TOKEN_ENCRYPTION_KEYS cannot decrypt the stored Zoho tokens: give the key they "
            "were encrypted with (newest first, older ones after it)."
        ) from exc
    except DatabaseError:
        return
