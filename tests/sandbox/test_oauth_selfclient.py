"""The self client (issue 3 item 8): grant codes without a browser, bound to no redirect_uri,
exchanged at the ordinary token endpoint like Zoho's API-console self client."""

import os
import subprocess
import sys

from tests.sandbox.oauth_helpers import ADMIN, SYNC, crm_current_user, exchange
from tests.sandbox_process import REPO_DIR, SandboxProcess


def test_self_client_code_exchanges_without_redirect_uri(clean_sandbox: SandboxProcess) -> None:
    code = clean_sandbox.selfclient(SYNC, ["ZohoCRM.users.READ", "ZohoBooks.settings.READ"])
    answer = exchange(clean_sandbox, code, redirect_uri="").json()
    assert answer["scope"] == "ZohoCRM.users.READ ZohoBooks.settings.READ"
    assert "refresh_token" in answer  # self-client codes are offline
    me = crm_current_user(clean_sandbox, answer["access_token"])
    assert me.json()["users"][0]["email"] == SYNC


def test_self_client_code_accepts_any_redirect_uri_but_only_once(
    clean_sandbox: SandboxProcess,
) -> None:
    code = clean_sandbox.selfclient(ADMIN, "ZohoCRM.users.READ")
    assert "access_token" in exchange(clean_sandbox, code, redirect_uri="https://x.test/").json()
    assert exchange(clean_sandbox, code).json() == {"error": "invalid_code"}


def test_self_client_code_honours_its_ttl(clean_sandbox: SandboxProcess) -> None:
    answer = clean_sandbox.client.post(
        "/_sandbox/selfclient",
        json={"email": ADMIN, "scopes": "ZohoCRM.users.READ", "ttl": 600},
    ).json()
    assert answer["expires_in"] == 600
    clean_sandbox.advance_clock(590)
    assert "access_token" in exchange(clean_sandbox, answer["code"]).json()


def test_self_client_refuses_unknown_and_deactivated_users(clean_sandbox: SandboxProcess) -> None:
    clean_sandbox.deactivate(SYNC)
    for email in (SYNC, "nobody@zylker.test"):
        response = clean_sandbox.client.post(
            "/_sandbox/selfclient", json={"email": email, "scopes": "ZohoCRM.users.READ"}
        )
        assert response.status_code == 400


def _run_selfclient(sandbox: SandboxProcess, *args: str) -> subprocess.CompletedProcess:
    """The management command against the running sandbox's database."""
    return subprocess.run(
        [sys.executable, "-m", "syncadmin.sandbox", "selfclient", *args],
        cwd=REPO_DIR,
        env={**os.environ, "SANDBOX_DATABASE_URL": sandbox.database_url},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_selfclient_command_prints_an_exchangeable_code(clean_sandbox: SandboxProcess) -> None:
    scopes = "ZohoCRM.users.READ,ZohoBooks.settings.READ"
    result = _run_selfclient(clean_sandbox, "--user", ADMIN, "--scopes", scopes)
    assert result.returncode == 0, result.stderr
    code = result.stdout.strip()
    assert code.startswith("1000.")
    assert "refresh_token" in exchange(clean_sandbox, code).json()


def test_selfclient_command_fails_for_an_unknown_user(clean_sandbox: SandboxProcess) -> None:
    nobody = "nobody@zylker.test"
    result = _run_selfclient(clean_sandbox, "--user", nobody, "--scopes", "ZohoCRM.users.READ")
    assert result.returncode != 0
    assert nobody in result.stderr
