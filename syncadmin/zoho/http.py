"""The one HTTP path to Zoho: auth header, budget slot, one token refresh, errors classified.

Framework-free: the product plugs in a token provider and a budget gate (both protocols).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, Protocol

import httpx

from syncadmin.zoho.errors import RateLimited, ZohoError, error_for, reason_for_status


class TokenProvider(Protocol):
    def __call__(self, *, force_refresh: bool = False) -> str: ...


class Gate(Protocol):
    """Shared API budget: a slot per request, and feedback when Zoho says slow down."""

    def slot(self, cost: int = 1) -> contextlib.AbstractContextManager[None]: ...

    def penalise(self, error: RateLimited) -> None: ...


class OpenGate:
    """No budget (scripts, tests of the client itself)."""

    @contextlib.contextmanager
    def slot(self, cost: int = 1) -> Iterator[None]:
        yield

    def penalise(self, error: RateLimited) -> None:
        return None


def new_http_client(*, timeout: float = 20.0) -> httpx.Client:
    """One pooled keep-alive client per process; share it between API wrappers."""
    return httpx.Client(
        timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
        limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
        headers={"User-Agent": "syncadmin/0.1 (+https://github.com/syncadmin)"},
    )


Checker = Callable[[httpx.Response], None]


class Api:
    """One Zoho API (CRM or Books) rooted at ``base_url``.

    ``check`` raises the service's classified error for a failed answer. A 401 is retried
    once with a freshly refreshed token, because Zoho drops the oldest access tokens of a
    refresh token without telling anyone.
    """

    def __init__(
        self,
        *,
        http: httpx.Client,
        base_url: str,
        tokens: TokenProvider,
        check: Checker,
        gate: Gate | None = None,
    ) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.tokens = tokens
        self.check = check
        self.gate = gate or OpenGate()

    def call(self, method: str, path: str, *, cost: int = 1, **kwargs: Any) -> httpx.Response:
        """``cost`` is what the call spends from the budget (CRM writes: 1 per 10 records)."""
        response = self._send(method, path, force_refresh=False, cost=cost, **kwargs)
        try:
            self.check(response)
        except ZohoError as error:
            if not _token_rejected(error):
                self._penalise_if_limited(error)
                raise
            # One retry with a fresh token: Zoho drops the oldest access tokens silently.
            response = self._send(method, path, force_refresh=True, cost=cost, **kwargs)
            try:
                self.check(response)
            except RateLimited as again:
                self._penalise_if_limited(again)
                raise
        return response

    def _penalise_if_limited(self, error: ZohoError) -> None:
        if isinstance(error, RateLimited):
            self.gate.penalise(error)

    def _send(
        self,
        method: str,
        path: str,
        *,
        force_refresh: bool,
        cost: int,
        headers: dict | None = None,
        **kw: Any,
    ) -> httpx.Response:
        token = self.tokens(force_refresh=force_refresh)
        headers = {"Authorization": f"Zoho-oauthtoken {token}", **(headers or {})}
        with self.gate.slot(cost=cost):
            return send(self.http, method, f"{self.base_url}{path}", headers=headers, **kw)


def _token_rejected(error: ZohoError) -> bool:
    """A 401 a fresh token may cure. Books says 57 both for a dead token and a missing
    scope, so it gets one retry too; a CRM scope mismatch never does."""
    return error.http_status == 401 and (
        error.reason.code == "token_invalid" or error.zoho_code == "57"
    )


# Methods whose repetition cannot take effect twice (RFC 9110 §9.2.2). Books' create goes
# through PUT /contacts with X-Upsert, so it is among them by construction.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})

# The server dropped the connection under the request: most often a pooled keep-alive
# socket it closed just as we reused it. Timeouts are not among them (a retry doubles
# the wait), nor connect errors (nothing listens; a retry will not change that).
DROPPED = (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)


def send(http: httpx.Client, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """``http.request`` with transport failures turned into a transient ``network_error``.
    An idempotent request whose connection was dropped is sent once more, so a keep-alive
    race costs a few milliseconds instead of a failure; any other request is never
    repeated (a POST may have taken effect)."""
    attempts = 2 if method.upper() in IDEMPOTENT_METHODS else 1
    for attempt in range(1, attempts + 1):
        try:
            return http.request(method, url, **kwargs)
        except DROPPED as exc:
            if attempt == attempts:
                raise _network_error(exc) from exc
        except httpx.TransportError as exc:
            raise _network_error(exc) from exc
    raise AssertionError("unreachable: the last attempt returns or raises")


def _network_error(exc: httpx.TransportError) -> ZohoError:
    return error_for("network_error", zoho_message=f"{type(exc).__name__}: {exc}")


def json_body(response: httpx.Response) -> dict[str, Any]:
    """The JSON body, or a classified error when Zoho (or a proxy) sent something else."""
    try:
        body = response.json()
    except ValueError as exc:
        reason = reason_for_status(response.status_code, default="unknown")
        raise error_for(
            reason, zoho_message=response.text[:200], http_status=response.status_code
        ) from exc
    if not isinstance(body, dict):
        raise error_for("unknown", zoho_message=str(body)[:200], http_status=response.status_code)
    return body


__all__ = ["Api", "Gate", "OpenGate", "TokenProvider", "ZohoError", "new_http_client"]
