"""Minting of OAuth grant codes and tokens. Limits (15 active, 10 per 10 min, 20 refresh
tokens per user/client) are enforced by the accounts views around these functions."""

import secrets
from datetime import timedelta

from django.db import transaction

from . import clock, knobs
from .models import AccessToken, GrantCode, OAuthClient, RefreshToken, SandboxUser

ACCESS_TOKEN_TTL = timedelta(hours=1)
SELF_CLIENT = ""  # GrantCode.redirect_uri of a self-client code: bound to no redirect URI


def token_string() -> str:
    """Shaped like Zoho's: 1000.<32 hex>.<32 hex>."""
    return f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"


def refresh_token_issue(
    *, client: OAuthClient, user: SandboxUser, scopes: list[str]
) -> RefreshToken:
    return RefreshToken.objects.create(
        token=token_string(), client=client, user=user, scopes=scopes, created_at=clock.now()
    )


def access_token_issue(
    *,
    client: OAuthClient,
    user: SandboxUser,
    scopes: list[str],
    refresh_token: RefreshToken | None = None,
) -> AccessToken:
    """A new access token valid for one hour of sandbox time."""
    at = clock.now()
    return AccessToken.objects.create(
        token=token_string(),
        refresh_token=refresh_token,
        client=client,
        user=user,
        scopes=scopes,
        created_at=at,
        expires_at=at + ACCESS_TOKEN_TTL,
    )


def grant_code_issue(
    *,
    client: OAuthClient,
    user: SandboxUser,
    scopes: list[str],
    redirect_uri: str,
    access_type: str,
    consent_prompted: bool,
    ttl: timedelta | None = None,
) -> GrantCode:
    """A single-use code; `ttl` defaults to the `grant_code_ttl_seconds` knob. A
    `redirect_uri` of SELF_CLIENT means the token endpoint accepts any redirect_uri."""
    at = clock.now()
    if ttl is None:
        ttl = timedelta(seconds=knobs.get().grant_code_ttl_seconds)
    return GrantCode.objects.create(
        code=token_string(),
        client=client,
        user=user,
        scopes=scopes,
        redirect_uri=redirect_uri,
        access_type=access_type,
        consent_prompted=consent_prompted,
        created_at=at,
        expires_at=at + ttl,
    )


def parse_scopes(raw: str | list[str]) -> list[str]:
    """Scopes arrive comma-separated (auth request) or space-separated (token answers)."""
    if isinstance(raw, list):
        return [s.strip() for s in raw if s.strip()]
    return [s for s in raw.replace(",", " ").split() if s]


def user_set_active(email: str, active: bool) -> bool:
    """(De)activate a user; False if there is none. With `deactivation_revokes_tokens`
    (§1.7, UNCERTAIN; default on) deactivation revokes every refresh and access token of
    the user, so re-activation does not bring them back: the app must re-authorise."""
    with transaction.atomic():
        user = SandboxUser.objects.filter(email__iexact=email).first()
        if user is None:
            return False
        SandboxUser.objects.filter(pk=user.pk).update(active=active)
        if not active and knobs.get().deactivation_revokes_tokens:
            now = clock.now()
            RefreshToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
            AccessToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    return True
