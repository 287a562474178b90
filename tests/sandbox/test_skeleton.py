"""The sandbox process starts, resets to baseline, and answers like Zoho."""

import httpx

from tests.sandbox_process import SandboxProcess

ADMIN = "admin@zylker.test"
BOOKS_SETTINGS = ["ZohoBooks.settings.READ"]
CRM_USERS = ["ZohoCRM.users.READ"]


def _get(sandbox: SandboxProcess, path: str, token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Zoho-oauthtoken {token}"} if token else {}
    return sandbox.client.get(path, headers=headers)


def test_reset_loads_the_baseline_orgs_and_users(clean_sandbox: SandboxProcess) -> None:
    token = clean_sandbox.token(ADMIN, [*BOOKS_SETTINGS, "ZohoCRM.users.ALL"])
    orgs = _get(clean_sandbox, "/books/v3/organizations", token).json()
    users = _get(clean_sandbox, "/crm/v8/users?type=AllUsers", token).json()
    assert orgs["code"] == 0
    assert {(o["organization_id"], o["currency_code"]) for o in orgs["organizations"]} == {
        ("20000001", "GBP"),
        ("20000002", "INR"),
    }
    assert sorted(u["email"] for u in users["users"]) == [
        "admin@zylker.test",
        "finance@zylker.test",
        "sync@zylker.test",
    ]


def test_reset_forgets_tokens_issued_before(clean_sandbox: SandboxProcess) -> None:
    token = clean_sandbox.token(ADMIN, BOOKS_SETTINGS)
    clean_sandbox.reset()
    assert _get(clean_sandbox, "/books/v3/organizations", token).json()["code"] == 57


def test_current_user_answers_with_the_token_owner(clean_sandbox: SandboxProcess) -> None:
    token = clean_sandbox.token("sync@zylker.test", CRM_USERS)
    response = _get(clean_sandbox, "/crm/v8/users?type=CurrentUser", token)
    assert response.status_code == 200
    (user,) = response.json()["users"]
    assert user["email"] == "sync@zylker.test"
    assert len(user["id"]) == 19


def test_knobs_round_trip_and_reset_restores_defaults(clean_sandbox: SandboxProcess) -> None:
    changed = clean_sandbox.knobs(latency_ms=5, forced_429="books_daily")
    assert (changed["latency_ms"], changed["forced_429"]) == (5, "books_daily")
    assert clean_sandbox.knobs()["latency_ms"] == 5
    clean_sandbox.reset()
    assert clean_sandbox.knobs()["forced_429"] == "none"


def test_knobs_refuse_unknown_names_and_bad_choices(clean_sandbox: SandboxProcess) -> None:
    unknown = clean_sandbox.client.post("/_sandbox/knobs", json={"no_such_knob": 1})
    bad_choice = clean_sandbox.client.post("/_sandbox/knobs", json={"forced_429": "always"})
    assert unknown.status_code == bad_choice.status_code == 400


def test_books_without_token_answers_code_14(clean_sandbox: SandboxProcess) -> None:
    missing = _get(clean_sandbox, "/books/v3/organizations")
    garbled = clean_sandbox.client.get(
        "/books/v3/organizations", headers={"Authorization": "Bearer abc"}
    )
    for response in (missing, garbled):
        assert response.status_code == 401
        assert response.json()["code"] == 14


def test_books_dead_token_and_missing_scope_answer_code_57(clean_sandbox: SandboxProcess) -> None:
    wrong_scope = clean_sandbox.token(ADMIN, ["ZohoBooks.contacts.READ"])
    for token in ("1000.dead.token", wrong_scope):
        response = _get(clean_sandbox, "/books/v3/organizations", token)
        assert response.status_code == 401
        assert response.json() == {
            "code": 57,
            "message": "You are not authorized to perform this operation",
        }


def test_crm_without_token_answers_authentication_failure(clean_sandbox: SandboxProcess) -> None:
    response = _get(clean_sandbox, "/crm/v8/users?type=CurrentUser")
    assert response.status_code == 401
    assert response.json() == {
        "code": "AUTHENTICATION_FAILURE",
        "details": {},
        "message": "Authentication failed",
        "status": "error",
    }


def test_crm_dead_token_and_missing_scope(clean_sandbox: SandboxProcess) -> None:
    dead = _get(clean_sandbox, "/crm/v8/users?type=CurrentUser", "1000.dead.token")
    wrong_scope = clean_sandbox.token(ADMIN, ["ZohoCRM.modules.ALL"])
    mismatch = _get(clean_sandbox, "/crm/v8/users?type=CurrentUser", wrong_scope)
    assert (dead.status_code, dead.json()["code"]) == (401, "INVALID_TOKEN")
    assert (mismatch.status_code, mismatch.json()["code"]) == (401, "OAUTH_SCOPE_MISMATCH")


def test_access_token_expires_after_an_hour_of_sandbox_time(
    clean_sandbox: SandboxProcess,
) -> None:
    token = clean_sandbox.token(ADMIN, BOOKS_SETTINGS)
    clean_sandbox.advance_clock(3601)
    assert _get(clean_sandbox, "/books/v3/organizations", token).json()["code"] == 57


def test_deactivated_user_errors_follow_the_knobs(clean_sandbox: SandboxProcess) -> None:
    token = clean_sandbox.token(ADMIN, [*BOOKS_SETTINGS, *CRM_USERS])
    clean_sandbox.knobs(deactivation_revokes_tokens=False)  # so re-activation restores it
    clean_sandbox.deactivate(ADMIN)
    assert _get(clean_sandbox, "/books/v3/organizations", token).json()["code"] == 57
    crm = _get(clean_sandbox, "/crm/v8/users?type=CurrentUser", token).json()
    assert crm["code"] == "INVALID_TOKEN"

    clean_sandbox.knobs(deactivated_books_code=14, deactivated_crm_code="AUTHENTICATION_FAILURE")
    assert _get(clean_sandbox, "/books/v3/organizations", token).json()["code"] == 14
    crm = _get(clean_sandbox, "/crm/v8/users?type=CurrentUser", token).json()
    assert crm["code"] == "AUTHENTICATION_FAILURE"

    clean_sandbox.activate(ADMIN)
    assert _get(clean_sandbox, "/books/v3/organizations", token).json()["code"] == 0


def test_forced_429_answers_each_limit_code(clean_sandbox: SandboxProcess) -> None:
    token = clean_sandbox.token(ADMIN, [*BOOKS_SETTINGS, *CRM_USERS])
    clean_sandbox.knobs(forced_429="books_concurrency")
    books = _get(clean_sandbox, "/books/v3/organizations", token)
    clean_sandbox.knobs(forced_429="crm")
    crm = _get(clean_sandbox, "/crm/v8/users?type=CurrentUser", token)
    assert (books.status_code, books.json()["code"]) == (429, 1070)
    assert (crm.status_code, crm.json()["code"]) == (429, "TOO_MANY_REQUESTS")


def test_stats_count_answers_by_service_and_code(clean_sandbox: SandboxProcess) -> None:
    since = clean_sandbox.stats()["now"]
    token = clean_sandbox.token(ADMIN, BOOKS_SETTINGS)
    _get(clean_sandbox, "/books/v3/organizations", token)
    _get(clean_sandbox, "/books/v3/organizations")
    _get(clean_sandbox, "/crm/v8/users")
    stats = clean_sandbox.stats(since=since)
    counts = {(c["service"], c["http_status"], c["code"]): c["count"] for c in stats["calls"]}
    assert stats["by_service"] == {"books": 2, "crm": 1}
    assert counts[("books", 200, "0")] == 1
    assert counts[("books", 401, "14")] == 1
    assert counts[("crm", 401, "AUTHENTICATION_FAILURE")] == 1


def test_unknown_urls_answer_in_each_service_envelope(clean_sandbox: SandboxProcess) -> None:
    crm = _get(clean_sandbox, "/crm/v8/NoSuchThing/x/y")
    books = _get(clean_sandbox, "/books/v3/no-such-thing")
    assert (crm.status_code, crm.json()["code"]) == (404, "INVALID_URL_PATTERN")
    assert books.status_code == 404 and books.json()["code"] != 0


def test_registered_client_can_be_updated(clean_sandbox: SandboxProcess) -> None:
    created = clean_sandbox.register_client(["http://127.0.0.1:5555/cb/"], name="test")
    updated = clean_sandbox.register_client(
        ["http://127.0.0.1:6666/cb/"], client_id=created["client_id"]
    )
    assert updated["client_secret"] == created["client_secret"]
    assert updated["redirect_uris"] == ["http://127.0.0.1:6666/cb/"]


def test_control_page_is_labelled_sandbox(clean_sandbox: SandboxProcess) -> None:
    page = clean_sandbox.client.get("/_sandbox/")
    assert page.status_code == 200
    assert "Zoho SANDBOX" in page.text
