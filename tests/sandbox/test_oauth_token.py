"""The token endpoint, its limits and revocation (zoho-api.md §1.3–§1.5, §1.7): every
error is an HTTP 200 body except the throttle, whose status is a knob (default 400)."""

from concurrent.futures import ThreadPoolExecutor

from tests.sandbox.oauth_helpers import (
    ADMIN,
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    SYNC,
    books_organizations,
    code_for,
    crm_current_user,
    exchange,
    offline_tokens,
    refresh,
)
from tests.sandbox_process import SandboxProcess

THROTTLE = {
    "error_description": (
        "You have made too many requests continuously. Please try again after some time."
    ),
    "error": "Access Denied",
    "status": "failure",
}


def _error(response) -> str:
    assert response.status_code == 200, response.text  # Zoho's errors come back as 200
    assert "access_token" not in response.json()
    return response.json()["error"]


def test_grant_code_is_single_use(clean_sandbox: SandboxProcess) -> None:
    code = code_for(clean_sandbox)
    assert "access_token" in exchange(clean_sandbox, code).json()
    assert _error(exchange(clean_sandbox, code)) == "invalid_code"


def test_grant_code_expires_after_120_seconds(clean_sandbox: SandboxProcess) -> None:
    early, late = code_for(clean_sandbox), code_for(clean_sandbox)
    clean_sandbox.advance_clock(119)
    assert "access_token" in exchange(clean_sandbox, early).json()
    clean_sandbox.advance_clock(2)
    assert _error(exchange(clean_sandbox, late)) == "invalid_code"


def test_grant_code_ttl_follows_the_knob(clean_sandbox: SandboxProcess) -> None:
    clean_sandbox.knobs(grant_code_ttl_seconds=180)  # the CRM docs' 3 minutes
    code = code_for(clean_sandbox)
    clean_sandbox.advance_clock(170)
    assert "access_token" in exchange(clean_sandbox, code).json()


def test_wrong_secret_or_client_is_refused_without_spending_the_code(
    clean_sandbox: SandboxProcess,
) -> None:
    code = code_for(clean_sandbox)
    assert _error(exchange(clean_sandbox, code, client_secret="nope")) == "invalid_client_secret"
    assert _error(exchange(clean_sandbox, code, client_id="1000.NOPE")) == "invalid_client"
    assert "access_token" in exchange(clean_sandbox, code).json()


def test_unknown_code_answers_invalid_code(clean_sandbox: SandboxProcess) -> None:
    assert _error(exchange(clean_sandbox, "1000.bogus.code")) == "invalid_code"


def test_redirect_uri_must_equal_the_authorised_one(clean_sandbox: SandboxProcess) -> None:
    code = code_for(clean_sandbox)
    other = "http://localhost:8000/connections/oauth/callback/"  # registered, but not this one
    assert _error(exchange(clean_sandbox, code, redirect_uri=other)) == "invalid_redirect_uri"
    clean_sandbox.knobs(redirect_mismatch_error="redirect_uri_mismatch")
    assert _error(exchange(clean_sandbox, code, redirect_uri="")) == "redirect_uri_mismatch"
    assert "access_token" in exchange(clean_sandbox, code).json()


def test_parameters_are_accepted_in_the_query_string(clean_sandbox: SandboxProcess) -> None:
    params = {
        "grant_type": "authorization_code",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uri": REDIRECT_URI,
        "code": code_for(clean_sandbox),
    }
    answer = clean_sandbox.client.post("/oauth/v2/token", params=params)
    assert "refresh_token" in answer.json()


def test_online_access_gets_no_refresh_token(clean_sandbox: SandboxProcess) -> None:
    answer = exchange(clean_sandbox, code_for(clean_sandbox, access_type="online")).json()
    assert set(answer) == {"access_token", "scope", "api_domain", "token_type", "expires_in"}


def test_reauthorisation_gets_a_new_refresh_token_only_with_prompt_consent(
    clean_sandbox: SandboxProcess,
) -> None:
    first = exchange(clean_sandbox, code_for(clean_sandbox, prompt="")).json()
    assert "refresh_token" in first  # the first grant of this app by this user
    again = exchange(clean_sandbox, code_for(clean_sandbox, prompt="")).json()
    assert "refresh_token" not in again and "access_token" in again
    forced = exchange(clean_sandbox, code_for(clean_sandbox, prompt="consent")).json()
    assert forced["refresh_token"] != first["refresh_token"]
    # another user has not granted the app yet
    assert (
        "refresh_token" in exchange(clean_sandbox, code_for(clean_sandbox, SYNC, prompt="")).json()
    )


def test_refresh_answers_a_new_access_token_without_refresh_token(
    clean_sandbox: SandboxProcess,
) -> None:
    tokens = offline_tokens(clean_sandbox)
    answer = refresh(clean_sandbox, tokens["refresh_token"])
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"access_token", "scope", "api_domain", "token_type", "expires_in"}
    assert body["access_token"] != tokens["access_token"]
    assert body["scope"] == tokens["scope"]
    assert crm_current_user(clean_sandbox, body["access_token"]).status_code == 200


def test_refresh_checks_client_secret_and_token(clean_sandbox: SandboxProcess) -> None:
    tokens = offline_tokens(clean_sandbox)
    wrong_secret = refresh(clean_sandbox, tokens["refresh_token"], client_secret="x")
    assert _error(wrong_secret) == "invalid_client_secret"
    assert _error(refresh(clean_sandbox, "1000.not.a-token")) == "invalid_code"
    assert _error(refresh(clean_sandbox, tokens["refresh_token"], grant_type="password")) == (
        "unsupported_grant_type"
    )


def test_access_token_expires_after_an_hour(clean_sandbox: SandboxProcess) -> None:
    tokens = offline_tokens(clean_sandbox)
    clean_sandbox.advance_clock(3601)
    expired = crm_current_user(clean_sandbox, tokens["access_token"])
    assert (expired.status_code, expired.json()["code"]) == (401, "INVALID_TOKEN")
    fresh = refresh(clean_sandbox, tokens["refresh_token"]).json()["access_token"]
    assert crm_current_user(clean_sandbox, fresh).status_code == 200


def test_eleventh_mint_in_ten_minutes_is_throttled(clean_sandbox: SandboxProcess) -> None:
    # §1.4: max 10 access tokens per refresh token per 10 min; the code exchange counts
    tokens = offline_tokens(clean_sandbox)
    for _ in range(9):
        assert "access_token" in refresh(clean_sandbox, tokens["refresh_token"]).json()
    throttled = refresh(clean_sandbox, tokens["refresh_token"])
    assert (throttled.status_code, throttled.json()) == (400, THROTTLE)
    clean_sandbox.knobs(token_throttle_status=200)  # Kaizen #43: "remains 200"
    assert refresh(clean_sandbox, tokens["refresh_token"]).status_code == 200
    clean_sandbox.advance_clock(601)
    assert "access_token" in refresh(clean_sandbox, tokens["refresh_token"]).json()


def test_sixteenth_live_access_token_revokes_the_oldest(clean_sandbox: SandboxProcess) -> None:
    clean_sandbox.knobs(mints_per_10_min=100)
    tokens = offline_tokens(clean_sandbox)
    minted = [tokens["access_token"]]
    minted += [
        refresh(clean_sandbox, tokens["refresh_token"]).json()["access_token"] for _ in range(14)
    ]
    assert crm_current_user(clean_sandbox, minted[0]).status_code == 200  # 15 live: all fine
    sixteenth = refresh(clean_sandbox, tokens["refresh_token"]).json()["access_token"]
    oldest = crm_current_user(clean_sandbox, minted[0])
    assert (oldest.status_code, oldest.json()["code"]) == (401, "INVALID_TOKEN")
    for token in (minted[1], sixteenth):
        assert crm_current_user(clean_sandbox, token).status_code == 200


def test_twenty_first_refresh_token_deletes_the_oldest_and_its_access_tokens(
    clean_sandbox: SandboxProcess,
) -> None:
    clean_sandbox.knobs(grant_codes_per_10_min=100)
    answers = [
        exchange(clean_sandbox, clean_sandbox.selfclient(ADMIN, "ZohoCRM.users.READ")).json()
        for _ in range(21)
    ]
    first, second = answers[0], answers[1]
    assert _error(refresh(clean_sandbox, first["refresh_token"])) == "invalid_code"
    assert crm_current_user(clean_sandbox, first["access_token"]).status_code == 401
    assert "access_token" in refresh(clean_sandbox, second["refresh_token"]).json()


def test_revoke_kills_the_refresh_token_and_its_access_tokens(
    clean_sandbox: SandboxProcess,
) -> None:
    tokens = offline_tokens(clean_sandbox)
    second = refresh(clean_sandbox, tokens["refresh_token"]).json()["access_token"]
    revoked = clean_sandbox.client.post(
        "/oauth/v2/token/revoke", params={"token": tokens["refresh_token"]}
    )
    assert (revoked.status_code, revoked.json()) == (200, {"status": "success"})
    assert _error(refresh(clean_sandbox, tokens["refresh_token"])) == "invalid_code"
    for access in (tokens["access_token"], second):
        crm = crm_current_user(clean_sandbox, access)
        assert (crm.status_code, crm.json()["code"]) == (401, "INVALID_TOKEN")
        books = books_organizations(clean_sandbox, access)
        assert (books.status_code, books.json()["code"]) == (401, 57)
    again = clean_sandbox.client.post(
        "/oauth/v2/token/revoke", params={"token": tokens["refresh_token"]}
    )
    assert _error(again) == "invalid_code"


def test_deactivated_user_cannot_refresh_and_their_tokens_fail(
    clean_sandbox: SandboxProcess,
) -> None:
    tokens = offline_tokens(clean_sandbox, user=SYNC)
    clean_sandbox.knobs(deactivation_revokes_tokens=False)  # so re-activation restores them
    clean_sandbox.deactivate(SYNC)
    # §1.7 (UNCERTAIN, knobs): refresh → invalid_code; CRM → INVALID_TOKEN; Books → 57
    assert _error(refresh(clean_sandbox, tokens["refresh_token"])) == "invalid_code"
    crm = crm_current_user(clean_sandbox, tokens["access_token"])
    assert (crm.status_code, crm.json()["code"]) == (401, "INVALID_TOKEN")
    books = books_organizations(clean_sandbox, tokens["access_token"])
    assert (books.status_code, books.json()["code"]) == (401, 57)

    clean_sandbox.knobs(
        deactivated_refresh_error="Access Denied",
        deactivated_crm_code="AUTHENTICATION_FAILURE",
        deactivated_books_code=14,
    )
    denied = refresh(clean_sandbox, tokens["refresh_token"])
    assert (denied.status_code, denied.json()) == (400, THROTTLE)
    assert crm_current_user(clean_sandbox, tokens["access_token"]).json()["code"] == (
        "AUTHENTICATION_FAILURE"
    )
    assert books_organizations(clean_sandbox, tokens["access_token"]).json()["code"] == 14

    clean_sandbox.activate(SYNC)  # reactivation restores the grant
    assert "access_token" in refresh(clean_sandbox, tokens["refresh_token"]).json()


def test_reactivated_user_must_reauthorise_by_default(clean_sandbox: SandboxProcess) -> None:
    tokens = offline_tokens(clean_sandbox, user=SYNC)
    clean_sandbox.deactivate(SYNC)
    # while deactivated the §1.7 knobs still decide the answers
    assert _error(refresh(clean_sandbox, tokens["refresh_token"])) == "invalid_code"
    clean_sandbox.activate(SYNC)
    # deactivation revoked the grant: re-activation does not bring the old tokens back
    assert _error(refresh(clean_sandbox, tokens["refresh_token"])) == "invalid_code"
    crm = crm_current_user(clean_sandbox, tokens["access_token"])
    assert (crm.status_code, crm.json()["code"]) == (401, "INVALID_TOKEN")
    books = books_organizations(clean_sandbox, tokens["access_token"])
    assert (books.status_code, books.json()["code"]) == (401, 57)
    fresh = offline_tokens(clean_sandbox, user=SYNC)  # re-authorising works
    assert crm_current_user(clean_sandbox, fresh["access_token"]).status_code == 200


def test_every_accounts_call_is_logged_for_benchmarks(clean_sandbox: SandboxProcess) -> None:
    since = clean_sandbox.stats()["now"]
    tokens = offline_tokens(clean_sandbox)  # consent page + approve + token
    refresh(clean_sandbox, tokens["refresh_token"])
    refresh(clean_sandbox, "1000.bad.token")
    stats = clean_sandbox.stats(since=since, service="accounts")
    assert stats["by_service"] == {"accounts": 5}
    codes = {(row["http_status"], row["code"]): row["count"] for row in stats["calls"]}
    assert codes[(200, "invalid_code")] == 1
    assert codes[(302, "")] == 1


def test_concurrent_refreshes_never_exceed_the_mint_limit(clean_sandbox: SandboxProcess) -> None:
    # a product that refreshes from many workers at once hits the throttle, not a race
    tokens = offline_tokens(clean_sandbox)
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(
            pool.map(lambda _: refresh(clean_sandbox, tokens["refresh_token"]), range(30))
        )
    minted = [a for a in answers if a.status_code == 200 and "access_token" in a.json()]
    throttled = [a for a in answers if a.status_code == 400 and a.json() == THROTTLE]
    assert (len(minted), len(throttled)) == (9, 21)  # 10 per 10 min, the exchange included
