"""The token endpoint's grants, limits and revocation (zoho-api.md §1.3–§1.5).

Every failure is an `OAuthError` carrying Zoho's body and HTTP status (200 for all but the
throttle, whose status is a knob). Each mint runs in one transaction; the sandbox's SQLite
takes the write lock up front, so concurrent refreshes count and cap correctly.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction

from .. import clock, knobs, tokens
from ..models import AccessToken, GrantCode, OAuthClient, RefreshToken, SandboxUser

MINT_WINDOW = timedelta(minutes=10)
THROTTLE_MESSAGE = "You have made too many requests continuously. Please try again after some time."


class OAuthError(Exception):
    """An error answer of the accounts server: `{"error": code}` unless `body` is given."""

    def __init__(self, error: str, status: int = 200, body: dict | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.body = body or {"error": error}


@dataclass(frozen=True)
class Minted:
    """A token answer and whose it is (for the call log)."""

    body: dict
    user_zuid: str


def throttled() -> OAuthError:
    """§1.3 "Access Denied" throttle body; the status is UNCERTAIN (400 vs 200), a knob."""
    body = {"error_description": THROTTLE_MESSAGE, "error": "Access Denied", "status": "failure"}
    return OAuthError("Access Denied", knobs.get().token_throttle_status, body)


def client_authenticate(client_id: str, client_secret: str) -> OAuthClient:
    client = OAuthClient.objects.filter(client_id=client_id).first()
    if client is None:
        raise OAuthError("invalid_client")  # HTTP 200 is UNCERTAIN (§1.3) but likely
    if client.client_secret != client_secret:
        raise OAuthError("invalid_client_secret")
    return client


def _check_user(user: SandboxUser) -> None:
    """§1.7 (UNCERTAIN): a deactivated user's grants fail as the knob says."""
    if user.active:
        return
    if knobs.get().deactivated_refresh_error == "Access Denied":
        raise throttled()
    raise OAuthError("invalid_code")


@transaction.atomic
def token_for_code(*, client_id: str, client_secret: str, code: str, redirect_uri: str) -> Minted:
    """Exchange a grant code once. Guarantees: the code was this client's, unused and
    unexpired, and redirect_uri equals the one it was issued for (any for a self-client
    code). A refresh token comes only with access_type=offline, and when the user already
    holds one for this client only if the consent was forced with prompt=consent (§1.2)."""
    client = client_authenticate(client_id, client_secret)
    grant = GrantCode.objects.select_related("user").filter(code=code, client=client).first()
    now = clock.now()
    if grant is None or grant.used_at is not None or grant.expires_at <= now:
        raise OAuthError("invalid_code")
    if grant.redirect_uri != tokens.SELF_CLIENT and grant.redirect_uri != redirect_uri:
        raise OAuthError(knobs.get().redirect_mismatch_error)
    _check_user(grant.user)
    # conditional update: a code raced by two exchanges is spent by exactly one
    if not GrantCode.objects.filter(pk=grant.pk, used_at__isnull=True).update(used_at=now):
        raise OAuthError("invalid_code")
    refresh = None
    if _earns_refresh_token(grant):
        refresh = refresh_token_issue(client=client, user=grant.user, scopes=grant.scopes)
    access = tokens.access_token_issue(
        client=client, user=grant.user, scopes=grant.scopes, refresh_token=refresh
    )
    return Minted(token_answer(access, refresh), grant.user.zuid)


def _earns_refresh_token(grant: GrantCode) -> bool:
    if grant.access_type != "offline":
        return False
    if grant.consent_prompted:
        return True
    already_granted = RefreshToken.objects.filter(
        client=grant.client, user=grant.user, revoked_at__isnull=True
    ).exists()
    return not already_granted


@transaction.atomic
def token_for_refresh(*, client_id: str, client_secret: str, refresh_token: str) -> Minted:
    """A new access token from a live refresh token (§1.4): at most `mints_per_10_min`
    per refresh token per 10 minutes (else the throttle), and at most
    `access_tokens_per_refresh` live at once (the oldest is revoked to make room)."""
    client = client_authenticate(client_id, client_secret)
    refresh = (
        RefreshToken.objects.select_related("user")
        .filter(token=refresh_token, client=client)
        .first()
    )
    if refresh is None:
        raise OAuthError("invalid_code")
    _check_user(refresh.user)  # first: the §1.7 knobs also cover tokens deactivation revoked
    if refresh.revoked_at is not None:
        raise OAuthError("invalid_code")
    _check_mint_rate(refresh)
    _make_room_for_access_token(refresh)
    access = tokens.access_token_issue(
        client=client, user=refresh.user, scopes=refresh.scopes, refresh_token=refresh
    )
    return Minted(token_answer(access, None), refresh.user.zuid)


def _check_mint_rate(refresh: RefreshToken) -> None:
    # Counts every access token minted under this refresh token, the code exchange's too.
    since = clock.now() - MINT_WINDOW
    minted = refresh.access_tokens.filter(created_at__gt=since).count()
    if minted >= knobs.get().mints_per_10_min:
        raise throttled()


def _make_room_for_access_token(refresh: RefreshToken) -> None:
    """ "The 16th deletes the oldest": revoke the oldest live tokens beyond cap - 1."""
    live = refresh.access_tokens.filter(revoked_at__isnull=True, expires_at__gt=clock.now())
    excess = live.count() - knobs.get().access_tokens_per_refresh + 1
    if excess > 0:
        oldest = list(live.order_by("created_at", "id").values_list("id", flat=True)[:excess])
        AccessToken.objects.filter(id__in=oldest).update(revoked_at=clock.now())


def refresh_token_issue(
    *, client: OAuthClient, user: SandboxUser, scopes: list[str]
) -> RefreshToken:
    """A new refresh token; past `refresh_tokens_per_user_client` live ones the oldest is
    deleted together with its access tokens (§1.4 "the 21st deletes the oldest")."""
    live = RefreshToken.objects.filter(client=client, user=user, revoked_at__isnull=True)
    excess = live.count() - knobs.get().refresh_tokens_per_user_client + 1
    if excess > 0:
        oldest = list(live.order_by("created_at", "id").values_list("id", flat=True)[:excess])
        RefreshToken.objects.filter(id__in=oldest).delete()  # cascades to access tokens
    return tokens.refresh_token_issue(client=client, user=user, scopes=scopes)


@transaction.atomic
def token_revoke(*, token: str) -> str:
    """Revoke a live refresh token and every access token minted from it; returns the
    owner's zuid. An unknown or already revoked token is `invalid_code` (UNCERTAIN)."""
    refresh = RefreshToken.objects.select_related("user").filter(token=token).first()
    if refresh is None or refresh.revoked_at is not None:
        raise OAuthError("invalid_code")
    now = clock.now()
    refresh.access_tokens.filter(revoked_at__isnull=True).update(revoked_at=now)
    RefreshToken.objects.filter(pk=refresh.pk).update(revoked_at=now)
    return refresh.user.zuid


def token_answer(access: AccessToken, refresh: RefreshToken | None) -> dict:
    """§1.3 token answer; `scope` is space-separated in answers."""
    body = {"access_token": access.token}
    if refresh is not None:
        body["refresh_token"] = refresh.token
    body |= {
        "scope": " ".join(access.scopes),
        "api_domain": settings.SANDBOX_PUBLIC_URL,
        "token_type": "Bearer",
        "expires_in": int(tokens.ACCESS_TOKEN_TTL.total_seconds()),
    }
    return body
