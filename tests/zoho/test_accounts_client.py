"""The Accounts (OAuth) client against the sandbox over real HTTP."""

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from syncadmin.zoho import AccountsClient, new_http_client
from syncadmin.zoho.errors import AuthZohoError, ZohoError
from tests.conftest import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, TEST_REDIRECT_URI
from tests.zoho_helpers import consent

ADMIN = "admin@zylker.test"
SCOPES = ["ZohoCRM.users.READ", "ZohoCRM.org.READ"]


@pytest.fixture
def http():
    with new_http_client(timeout=10) as client:
        yield client


@pytest.fixture
def accounts(http):
    return AccountsClient(
        http=http, client_id=SANDBOX_CLIENT_ID, client_secret=SANDBOX_CLIENT_SECRET
    )


def crm_user_status(zoho, access_token: str) -> int:
    return httpx.get(
        f"{zoho.base_url}/crm/v8/users",
        params={"type": "CurrentUser"},
        headers={"Authorization": f"Zoho-oauthtoken {access_token}"},
    ).status_code


def test_authorization_url_asks_for_offline_access_with_consent(accounts):
    url = accounts.authorization_url(
        accounts_url="https://accounts.zoho.eu/",
        scopes=SCOPES,
        redirect_uri=TEST_REDIRECT_URI,
        state="s-123",
    )
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "accounts.zoho.eu",
        "/oauth/v2/auth",
    )
    assert {k: v[0] for k, v in parse_qs(parts.query).items()} == {
        "response_type": "code",
        "client_id": SANDBOX_CLIENT_ID,
        "scope": "ZohoCRM.users.READ,ZohoCRM.org.READ",  # Zoho wants commas
        "redirect_uri": TEST_REDIRECT_URI,
        "access_type": "offline",
        "prompt": "consent",
        "state": "s-123",
    }


def test_authorization_url_leads_through_consent_to_a_code_that_exchanges(accounts, zoho):
    url = accounts.authorization_url(
        accounts_url=zoho.base_url, scopes=SCOPES, redirect_uri=TEST_REDIRECT_URI, state="s-9"
    )
    callback = parse_qs(urlsplit(consent(url)).query)
    assert callback["state"] == ["s-9"]
    tokens = accounts.exchange_code(
        accounts_url=zoho.base_url, code=callback["code"][0], redirect_uri=TEST_REDIRECT_URI
    )
    assert tokens.refresh_token  # prompt=consent: always a refresh token
    assert crm_user_status(zoho, tokens.access_token) == 200


def test_exchange_code_answers_tokens_for_a_self_client_code(accounts, zoho):
    code = zoho.selfclient(ADMIN, SCOPES, client_id=SANDBOX_CLIENT_ID)
    tokens = accounts.exchange_code(
        accounts_url=zoho.base_url, code=code, redirect_uri=TEST_REDIRECT_URI
    )
    assert tokens.access_token and tokens.refresh_token
    assert tokens.api_domain == zoho.base_url
    assert tokens.expires_in > 0
    assert set(tokens.scope.split()) == set(SCOPES)


def test_exchange_code_used_twice_is_refused(accounts, zoho):
    code = zoho.selfclient(ADMIN, SCOPES, client_id=SANDBOX_CLIENT_ID)
    accounts.exchange_code(accounts_url=zoho.base_url, code=code, redirect_uri=TEST_REDIRECT_URI)
    with pytest.raises(AuthZohoError) as caught:
        accounts.exchange_code(
            accounts_url=zoho.base_url, code=code, redirect_uri=TEST_REDIRECT_URI
        )
    assert caught.value.reason.code == "token_invalid"


def test_refresh_mints_a_new_access_token_without_a_refresh_token(accounts, zoho):
    issued = zoho.tokens(ADMIN, SCOPES, client_id=SANDBOX_CLIENT_ID)
    tokens = accounts.refresh(accounts_url=zoho.base_url, refresh_token=issued["refresh_token"])
    assert tokens.access_token and tokens.access_token != issued["access_token"]
    assert tokens.refresh_token is None
    assert crm_user_status(zoho, tokens.access_token) == 200


def test_revoke_ends_the_refresh_token_and_its_access_tokens(accounts, zoho):
    issued = zoho.tokens(ADMIN, SCOPES, client_id=SANDBOX_CLIENT_ID)
    accounts.revoke(accounts_url=zoho.base_url, refresh_token=issued["refresh_token"])
    with pytest.raises(ZohoError) as caught:
        accounts.refresh(accounts_url=zoho.base_url, refresh_token=issued["refresh_token"])
    assert caught.value.reason.code == "token_invalid"
    assert crm_user_status(zoho, issued["access_token"]) == 401


def test_revoke_of_an_unknown_token_is_token_invalid(accounts, zoho):
    with pytest.raises(AuthZohoError) as caught:
        accounts.revoke(accounts_url=zoho.base_url, refresh_token="1000.unknown.token")
    assert caught.value.reason.code == "token_invalid"
