"""The authorisation request, consent page and callback of the sandbox's Zoho Accounts
server (zoho-api.md §1.1, §1.2), driven over HTTP as a browser would."""

from tests.sandbox.oauth_helpers import (
    ADMIN,
    CLIENT_ID,
    REDIRECT_URI,
    SCOPES,
    SYNC,
    books_organizations,
    consent_page,
    crm_current_user,
    decide,
    exchange,
)
from tests.sandbox_process import SandboxProcess


def test_consent_page_names_app_scopes_and_only_active_users(
    clean_sandbox: SandboxProcess,
) -> None:
    clean_sandbox.deactivate("finance@zylker.test")  # a deactivated user can't sign in
    page, form = consent_page(clean_sandbox)
    assert page.status_code == 200
    assert "Zoho SANDBOX" in page.text
    assert "syncadmin" in page.text  # the registered app name
    assert all(scope in page.text for scope in SCOPES)
    assert form.options == [ADMIN, SYNC]
    assert set(form.buttons) == {"approve", "deny"}
    assert form.hidden["state"] == "st-42"


def test_full_code_flow_gives_a_token_that_calls_crm_and_books(
    clean_sandbox: SandboxProcess,
) -> None:
    callback = decide(clean_sandbox, user=SYNC)
    # §1.2: {redirect_uri}?code=1000.xxx&location=..&accounts-server=..&state=..
    assert callback["code"].startswith("1000.")
    assert callback["location"] == "us"
    assert callback["accounts-server"] == clean_sandbox.base_url
    assert callback["state"] == "st-42"

    answer = exchange(clean_sandbox, callback["code"])
    assert answer.status_code == 200
    tokens = answer.json()
    assert set(tokens) == {
        "access_token",
        "refresh_token",
        "scope",
        "api_domain",
        "token_type",
        "expires_in",
    }
    assert tokens["scope"] == " ".join(SCOPES)  # space-separated in answers (§1.3)
    assert tokens["api_domain"] == clean_sandbox.base_url
    assert (tokens["token_type"], tokens["expires_in"]) == ("Bearer", 3600)

    me = crm_current_user(clean_sandbox, tokens["access_token"])
    assert me.status_code == 200
    assert me.json()["users"][0]["email"] == SYNC
    orgs = books_organizations(clean_sandbox, tokens["access_token"])
    assert orgs.status_code == 200
    assert orgs.json()["code"] == 0


def test_deny_redirects_with_access_denied_and_state(clean_sandbox: SandboxProcess) -> None:
    callback = decide(clean_sandbox, decision="deny")
    assert callback == {"error": "access_denied", "state": "st-42"}


def test_redirect_uri_keeps_its_own_query_parameters(clean_sandbox: SandboxProcess) -> None:
    uri = "http://127.0.0.1:9000/cb?tenant=7"
    clean_sandbox.register_client([uri], client_id=CLIENT_ID)
    callback = decide(clean_sandbox, redirect_uri=uri)
    assert callback["tenant"] == "7"
    assert callback["code"].startswith("1000.")


def test_unregistered_redirect_uri_is_an_error_page_never_a_redirect(
    clean_sandbox: SandboxProcess,
) -> None:
    # exact match only: a trailing-slash difference is a different URI
    for uri in (REDIRECT_URI.rstrip("/"), "https://evil.test/cb"):
        page, _ = consent_page(clean_sandbox, redirect_uri=uri)
        assert page.status_code == 400
        assert "location" not in page.headers
        assert "Invalid Redirect Uri" in page.text
        # a forged consent POST gets the same page, not a redirect with a code
        _, form = consent_page(clean_sandbox)
        posted = clean_sandbox.client.post(
            "/oauth/v2/auth",
            data={**form.hidden, "redirect_uri": uri, "user": ADMIN, "decision": "approve"},
        )
        assert posted.status_code == 400
        assert "location" not in posted.headers


def test_unknown_client_is_an_error_page(clean_sandbox: SandboxProcess) -> None:
    page, _ = consent_page(clean_sandbox, client_id="1000.NOPE")
    assert page.status_code == 400
    assert "Invalid Client" in page.text


def test_bad_response_type_scope_or_access_type_is_an_error_page(
    clean_sandbox: SandboxProcess,
) -> None:
    for over in ({"response_type": "token"}, {"scope": ""}, {"access_type": "forever"}):
        page, _ = consent_page(clean_sandbox, **over)
        assert page.status_code == 400, over
        assert "location" not in page.headers


def test_consent_for_a_deactivated_user_is_refused(clean_sandbox: SandboxProcess) -> None:
    _, form = consent_page(clean_sandbox)
    clean_sandbox.deactivate(SYNC)
    posted = clean_sandbox.client.post(
        "/oauth/v2/auth", data={**form.hidden, "user": SYNC, "decision": "approve"}
    )
    assert posted.status_code == 400
    assert "location" not in posted.headers


def test_eleventh_grant_code_in_ten_minutes_is_access_denied(
    clean_sandbox: SandboxProcess,
) -> None:
    # §1.2: "Max 10 grant tokens per 10 min per client id (→ access_denied)"
    for _ in range(10):
        assert "code" in decide(clean_sandbox)
    assert decide(clean_sandbox) == {"error": "access_denied", "state": "st-42"}
    clean_sandbox.advance_clock(601)
    assert "code" in decide(clean_sandbox)


def test_serverinfo_points_every_data_centre_at_the_sandbox(
    clean_sandbox: SandboxProcess,
) -> None:
    body = clean_sandbox.client.get("/oauth/serverinfo").json()
    assert body["result"] == "success"
    assert {"us", "eu", "in"} <= set(body["locations"])
    assert set(body["locations"].values()) == {clean_sandbox.base_url}
