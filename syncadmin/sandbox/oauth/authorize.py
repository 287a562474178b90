"""`GET/POST /oauth/v2/auth` and the self client: validate an authorisation request and turn
a consent into a grant code (zoho-api.md §1.2)."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings

from .. import baseline, clock, knobs, tokens
from ..models import GrantCode, OAuthClient, SandboxUser

ACCESS_TYPES = ("online", "offline")
# Zoho scopes look like Service.area[.sub].OPERATION, e.g. ZohoCRM.modules.accounts.READ.
_SCOPE_SHAPE = re.compile(r"^[A-Za-z]+(\.[A-Za-z0-9_]+)+$")
RATE_WINDOW = timedelta(minutes=10)


class AuthPageError(Exception):
    """A request the accounts server answers with an error page, never a redirect: the
    redirect target cannot be trusted (unknown client, unregistered redirect_uri) or the
    request itself is malformed. UNCERTAIN: Zoho's exact page text is not documented."""

    def __init__(self, title: str, detail: str = "") -> None:
        super().__init__(title)
        self.title = title
        self.detail = detail


class AccessDenied(Exception):
    """The callback gets `error=access_denied` (user denied, or grant-code rate limit)."""


@dataclass(frozen=True)
class AuthRequest:
    client: OAuthClient
    redirect_uri: str
    scopes: list[str]
    access_type: str
    prompt: str
    state: str | None

    def as_params(self) -> dict[str, str]:
        """The query parameters that reproduce this request (for the consent form)."""
        params = {
            "response_type": "code",
            "client_id": self.client.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": ",".join(self.scopes),
            "access_type": self.access_type,
            "prompt": self.prompt,
        }
        if self.state is not None:
            params["state"] = self.state
        return params


def auth_request_parse(params: Mapping[str, str]) -> AuthRequest:
    """Validate the authorisation request, client and redirect_uri first (so that no
    other error is ever sent to an untrusted URI); raises AuthPageError."""
    client = OAuthClient.objects.filter(client_id=params.get("client_id", "")).first()
    if client is None:
        # UNCERTAIN (§1.2): Zoho shows an "Invalid Client" page; it cannot redirect anyway.
        raise AuthPageError("Invalid Client", "No client is registered with this client_id.")
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri not in client.redirect_uris:
        raise AuthPageError(
            "Invalid Redirect Uri", "redirect_uri must exactly match a registered URI."
        )
    if params.get("response_type") != "code":
        raise AuthPageError("Invalid response_type", "Only response_type=code is supported.")
    scopes = scopes_parse(params.get("scope", ""))
    access_type = params.get("access_type") or "online"
    if access_type not in ACCESS_TYPES:
        raise AuthPageError("Invalid access_type", "access_type must be online or offline.")
    return AuthRequest(
        client=client,
        redirect_uri=redirect_uri,
        scopes=scopes,
        access_type=access_type,
        prompt=params.get("prompt", ""),
        state=params.get("state"),
    )


def scopes_parse(raw: str) -> list[str]:
    """The comma-separated scope list; raises AuthPageError when empty or malformed."""
    scopes = tokens.parse_scopes(raw)
    bad = [s for s in scopes if not _SCOPE_SHAPE.match(s)]
    if not scopes or bad:
        raise AuthPageError("Invalid OAuth Scope", f"Scope does not exist: {', '.join(bad)}")
    return scopes


def signable_users() -> list[SandboxUser]:
    """Users who can sign in on the consent page: a deactivated user cannot."""
    return list(SandboxUser.objects.filter(active=True).order_by("email"))


def consent_approve(*, auth: AuthRequest, email: str) -> GrantCode:
    """A fresh grant code for `email`; raises AuthPageError for an unknown or inactive user
    and AccessDenied past the client's grant-code rate (§1.2: 10 per 10 min)."""
    user = _active_user(email)
    _check_grant_rate(auth.client)
    return tokens.grant_code_issue(
        client=auth.client,
        user=user,
        scopes=auth.scopes,
        redirect_uri=auth.redirect_uri,
        access_type=auth.access_type,
        consent_prompted=auth.prompt == "consent",
    )


def self_client_code_issue(
    *, email: str, scopes: str | list[str], client_id: str = "", ttl_seconds: int | None = None
) -> GrantCode:
    """A grant code as Zoho's API console self client makes it: bound to no redirect_uri,
    offline (it always yields a refresh token). Zoho offers 3–10 minutes; the default here
    is the grant-code knob. Raises AuthPageError or AccessDenied like consent_approve."""
    client = OAuthClient.objects.filter(client_id=client_id or baseline.CLIENT_ID).first()
    if client is None:
        raise AuthPageError("Invalid Client", f"No client {client_id!r}.")
    scope_list = scopes_parse(scopes if isinstance(scopes, str) else ",".join(scopes))
    if ttl_seconds is not None and ttl_seconds <= 0:
        raise AuthPageError("Invalid duration", "ttl must be a positive number of seconds.")
    user = _active_user(email)
    _check_grant_rate(client)
    return tokens.grant_code_issue(
        client=client,
        user=user,
        scopes=scope_list,
        redirect_uri=tokens.SELF_CLIENT,
        access_type="offline",
        consent_prompted=True,
        ttl=timedelta(seconds=ttl_seconds) if ttl_seconds else None,
    )


def _active_user(email: str) -> SandboxUser:
    user = SandboxUser.objects.filter(email__iexact=email.strip()).first()
    if user is None or not user.active:
        raise AuthPageError("Sign-in failed", f"No active sandbox user {email!r}.")
    return user


def _check_grant_rate(client: OAuthClient) -> None:
    since = clock.now() - RATE_WINDOW
    issued = GrantCode.objects.filter(client=client, created_at__gt=since).count()
    if issued >= knobs.get().grant_codes_per_10_min:
        raise AccessDenied("too many grant codes for this client")


def callback_url(auth: AuthRequest, params: dict[str, str]) -> str:
    """`redirect_uri` with `params` (then `state`, if sent) appended to its query."""
    if auth.state is not None:
        params = {**params, "state": auth.state}
    parts = urlsplit(auth.redirect_uri)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    return urlunsplit(parts._replace(query=query))


def approved_params(code: GrantCode) -> dict[str, str]:
    """Callback parameters for a granted code (§1.2): the DC to use for the token call."""
    return {
        "code": code.code,
        "location": code.user.dc_location,
        "accounts-server": settings.SANDBOX_PUBLIC_URL,
    }
