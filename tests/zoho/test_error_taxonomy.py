"""Every taxonomy entry, provoked for real in the sandbox and classified by the clients.

Each test asserts the stable reason code, the exception class and the human fix text.
"""

import ast
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from syncadmin.zoho import AccountsClient, books, books_client, crm_client, new_http_client
from syncadmin.zoho.crm import record_error
from syncadmin.zoho.errors import (
    REASONS,
    AuthZohoError,
    PermanentZohoError,
    RateLimited,
    TransientZohoError,
    ZohoError,
    books_error,
)
from tests.conftest import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET

ADMIN = "admin@zylker.test"
UK, INDIA = "20000001", "20000002"
BOOKS_SCOPES = ["ZohoBooks.fullaccess.all"]
CRM_SCOPES = ["ZohoCRM.modules.ALL", "ZohoCRM.users.READ", "ZohoSearch.securesearch.READ"]


@pytest.fixture
def http():
    with new_http_client(timeout=10) as client:
        yield client


def static(token: str):
    return lambda *, force_refresh=False: token


def books_for(zoho, http, *, org=UK, scopes=BOOKS_SCOPES):
    token = zoho.token(ADMIN, scopes)
    return books_client(
        http=http, api_domain=zoho.base_url, tokens=static(token), organization_id=org
    )


def crm_for(zoho, http, scopes=CRM_SCOPES):
    return crm_client(http=http, api_domain=zoho.base_url, tokens=static(zoho.token(ADMIN, scopes)))


def assert_reason(error: ZohoError, code: str, cls: type[ZohoError]) -> None:
    assert error.reason.code == code
    assert isinstance(error, cls)
    assert error.fix == REASONS[code].fix and error.fix


def test_display_name_taken_on_create(zoho, http):
    client = books_for(zoho, http)
    client.contact_create(payload={"contact_name": "Acme Ltd"})
    with pytest.raises(ZohoError) as caught:
        client.contact_create(payload={"contact_name": "Acme Ltd"})
    assert caught.value.zoho_code == "3062"
    assert_reason(caught.value, "display_name_taken", PermanentZohoError)


def test_display_name_taken_on_rename(zoho, http):
    client = books_for(zoho, http)
    client.contact_create(payload={"contact_name": "Acme Ltd"})
    other = client.contact_create(payload={"contact_name": "Acme Limited"})
    with pytest.raises(ZohoError) as caught:
        client.contact_update(contact_id=other.contact_id, payload={"contact_name": "Acme Ltd"})
    assert_reason(caught.value, "display_name_taken", PermanentZohoError)


def test_missing_gst_treatment(zoho, http):
    client = books_for(zoho, http, org=INDIA)
    with pytest.raises(ZohoError) as caught:
        client.contact_create(
            payload={"contact_name": "Tata Traders", "customer_sub_type": "business"}
        )
    assert_reason(caught.value, "missing_gst_treatment", PermanentZohoError)


def test_missing_place_of_supply(zoho, http):
    client = books_for(zoho, http, org=INDIA)
    with pytest.raises(ZohoError) as caught:
        client.contact_create(
            payload={"contact_name": "Tata Traders", "gst_treatment": "business_gst"}
        )
    assert_reason(caught.value, "missing_place_of_supply", PermanentZohoError)


def test_missing_vat_treatment(zoho, http):
    zoho.knobs(books_uk_vat_required=True)
    with pytest.raises(ZohoError) as caught:
        books_for(zoho, http).contact_create(payload={"contact_name": "Brit Co"})
    assert_reason(caught.value, "missing_vat_treatment", PermanentZohoError)


def test_unknown_currency(zoho, http):
    with pytest.raises(ZohoError) as caught:
        books_for(zoho, http).contact_create(
            payload={"contact_name": "Yen Co", "currency_code": "XYZ"}
        )
    assert_reason(caught.value, "currency_invalid", PermanentZohoError)


def test_contact_persons_missing(zoho, http):
    zoho.knobs(books_individual_needs_person=True)
    with pytest.raises(ZohoError) as caught:
        books_for(zoho, http).contact_create(
            payload={"contact_name": "Jo Bloggs", "customer_sub_type": "individual"}
        )
    assert_reason(caught.value, "contact_persons_missing", PermanentZohoError)


def test_books_record_gone(zoho, http):
    with pytest.raises(ZohoError) as caught:
        books_for(zoho, http).contact(contact_id="460000000099999")
    assert caught.value.zoho_code == "1002"
    assert_reason(caught.value, "record_gone", PermanentZohoError)


def test_crm_record_gone(zoho, http):
    with pytest.raises(ZohoError) as caught:
        crm_for(zoho, http).record(module="Accounts", record_id="1234567890123456789")
    assert_reason(caught.value, "record_gone", PermanentZohoError)


def test_wrong_organisation(zoho, http):
    with pytest.raises(ZohoError) as caught:
        books_for(zoho, http, org="99999999").contact(contact_id="1")
    assert caught.value.zoho_code == "6041"
    assert_reason(caught.value, "wrong_organisation", AuthZohoError)


def test_books_scope_missing_is_not_authorised(zoho, http):
    client = books_for(zoho, http, scopes=["ZohoBooks.settings.READ"])
    with pytest.raises(ZohoError) as caught:
        client.contact_create(payload={"contact_name": "Nope"})
    assert caught.value.zoho_code == "57"
    assert_reason(caught.value, "not_authorised", AuthZohoError)


def test_crm_scope_missing_is_not_authorised(zoho, http):
    client = crm_for(zoho, http, scopes=["ZohoCRM.users.READ"])
    with pytest.raises(ZohoError) as caught:
        list(client.records(module="Accounts", fields=["Account_Name"]))
    assert caught.value.zoho_code == "OAUTH_SCOPE_MISMATCH"
    assert_reason(caught.value, "not_authorised", AuthZohoError)


def test_books_call_without_credentials_is_token_invalid(zoho):
    answer = httpx.get(f"{zoho.base_url}/books/v3/contacts", params={"organization_id": UK})
    with pytest.raises(ZohoError) as caught:
        books.check(answer)
    assert caught.value.zoho_code == "14"
    assert_reason(caught.value, "token_invalid", AuthZohoError)


def test_crm_dead_token_is_token_invalid(zoho, http):
    client = crm_client(http=http, api_domain=zoho.base_url, tokens=static("1000.dead.token"))
    with pytest.raises(ZohoError) as caught:
        client.current_user()
    assert caught.value.zoho_code == "INVALID_TOKEN"
    assert_reason(caught.value, "token_invalid", AuthZohoError)


def test_refresh_for_deactivated_user_is_token_invalid(zoho, http):
    refresh = zoho.tokens(ADMIN, BOOKS_SCOPES, client_id=SANDBOX_CLIENT_ID)["refresh_token"]
    zoho.deactivate(ADMIN)
    accounts = AccountsClient(
        http=http, client_id=SANDBOX_CLIENT_ID, client_secret=SANDBOX_CLIENT_SECRET
    )
    with pytest.raises(ZohoError) as caught:
        accounts.refresh(accounts_url=zoho.base_url, refresh_token=refresh)
    assert caught.value.zoho_code == "invalid_code"
    assert_reason(caught.value, "token_invalid", AuthZohoError)


def test_wrong_client_secret_is_client_invalid(zoho, http):
    refresh = zoho.tokens(ADMIN, BOOKS_SCOPES, client_id=SANDBOX_CLIENT_ID)["refresh_token"]
    accounts = AccountsClient(http=http, client_id=SANDBOX_CLIENT_ID, client_secret="wrong")
    with pytest.raises(ZohoError) as caught:
        accounts.refresh(accounts_url=zoho.base_url, refresh_token=refresh)
    assert_reason(caught.value, "client_invalid", AuthZohoError)


def test_token_endpoint_throttle(zoho, http):
    refresh = zoho.tokens(ADMIN, BOOKS_SCOPES, client_id=SANDBOX_CLIENT_ID)["refresh_token"]
    accounts = AccountsClient(
        http=http, client_id=SANDBOX_CLIENT_ID, client_secret=SANDBOX_CLIENT_SECRET
    )
    with pytest.raises(ZohoError) as caught:
        for _ in range(12):  # Zoho mints at most 10 access tokens per 10 minutes
            accounts.refresh(accounts_url=zoho.base_url, refresh_token=refresh)
    assert caught.value.zoho_code == "Access Denied"
    assert_reason(caught.value, "token_throttled", RateLimited)


@pytest.mark.parametrize(
    ("forced", "code", "reason"),
    [
        ("books_minute", "44", "books_minute_limit"),
        ("books_daily", "45", "books_daily_limit"),
        ("books_concurrency", "1070", "books_concurrency_limit"),
    ],
)
def test_books_limits(zoho, http, forced, code, reason):
    client = books_for(zoho, http)
    zoho.knobs(forced_429=forced)
    with pytest.raises(ZohoError) as caught:
        client.contact(contact_id="1")
    assert (caught.value.zoho_code, caught.value.http_status) == (code, 429)
    assert_reason(caught.value, reason, RateLimited)


def test_books_minute_limit_for_real(zoho, http):
    client = books_for(zoho, http)
    zoho.knobs(books_per_minute=2)
    list(client.contacts()), list(client.contacts())
    with pytest.raises(ZohoError) as caught:
        list(client.contacts())
    assert_reason(caught.value, "books_minute_limit", RateLimited)


def test_crm_limit(zoho, http):
    client = crm_for(zoho, http)
    zoho.knobs(forced_429="crm")
    with pytest.raises(ZohoError) as caught:
        client.current_user()
    assert caught.value.zoho_code == "TOO_MANY_REQUESTS"
    assert_reason(caught.value, "crm_limit", RateLimited)


def test_record_changed_since_read_is_record_locked(zoho, http):
    client = crm_for(zoho, http)
    [created] = client.insert(module="Accounts", records=[{"Account_Name": "Lock Co"}])
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    [result] = client.update(
        module="Accounts",
        records=[{"id": created.id, "Phone": "1"}],
        unmodified_since=long_ago,
    )
    assert not result.ok and result.code == "ALREADY_MODIFIED"
    assert_reason(record_error(result), "record_locked", PermanentZohoError)


def test_invalid_value(zoho, http):
    with pytest.raises(ZohoError) as caught:
        list(books_for(zoho, http).contacts(filter_by="Status.Bogus"))
    assert caught.value.zoho_code == "2"
    assert_reason(caught.value, "invalid_value", PermanentZohoError)


def test_malformed_request(zoho, http):
    client = books_for(zoho, http)
    with pytest.raises(ZohoError) as caught:
        client.api.call(
            "POST", "/contacts", params={"organization_id": UK}, data={"contact_name": "x"}
        )
    assert caught.value.zoho_code == "1038"
    assert_reason(caught.value, "malformed_request", PermanentZohoError)


def test_server_error(zoho, http):
    client = books_for(zoho, http)
    zoho.knobs(error_5xx_rate=1.0)
    with pytest.raises(ZohoError) as caught:
        client.organizations()
    assert caught.value.http_status >= 500
    assert_reason(caught.value, "server_error", TransientZohoError)


def test_network_error(http):
    closed_port = "http://127.0.0.1:9"
    client = books_client(http=http, api_domain=closed_port, tokens=static("t"))
    with pytest.raises(ZohoError) as caught:
        client.organizations()
    assert_reason(caught.value, "network_error", TransientZohoError)


def test_limit_answer_without_a_zoho_body_is_rate_limited():
    # A proxy or Zoho's edge can answer 429 with plain text; it still means slow down.
    answer = httpx.Response(429, text="Too Many Requests")
    with pytest.raises(ZohoError) as caught:
        books.check(answer)
    assert_reason(caught.value, "rate_limited", RateLimited)


def test_spent_budget_is_a_transient_error():
    from syncadmin.budget import Limits, MemoryBackend, OrgGate

    gate = OrgGate(
        MemoryBackend(), service="books", org_id="o", limits=Limits(per_minute=1), timeout=0
    )
    with gate.slot():
        pass
    with pytest.raises(ZohoError) as caught, gate.slot():
        pass
    assert_reason(caught.value, "budget_exhausted", TransientZohoError)


def test_unrecognised_answer_is_unknown_and_keeps_zohos_words():
    error = books_error(400, 987654, "Something new from Zoho")
    assert error.zoho_message == "Something new from Zoho"
    assert_reason(error, "unknown", PermanentZohoError)


def test_every_reason_is_covered_by_a_test_here():
    # Read from this module's source, so a new reason without a test fails here.
    assert set(REASONS) <= reasons_asserted_here()


def reasons_asserted_here() -> set[str]:
    """The reason codes this module's tests pass to ``assert_reason``: literals, and the
    values parametrised into the argument they pass."""
    asserted: set[str] = set()
    for test in ast.parse(Path(__file__).read_text()).body:
        if not (isinstance(test, ast.FunctionDef) and test.name.startswith("test_")):
            continue
        params = parametrised(test)
        for call in ast.walk(test):
            if isinstance(call, ast.Call) and getattr(call.func, "id", "") == "assert_reason":
                code = call.args[1]
                if isinstance(code, ast.Constant):
                    asserted.add(code.value)
                elif isinstance(code, ast.Name):
                    asserted.update(params.get(code.id, ()))
    return asserted


def parametrised(test: ast.FunctionDef) -> dict[str, list]:
    """``{argument: [values]}`` from the test's ``pytest.mark.parametrize`` decorators."""
    params: dict[str, list] = {}
    for mark in test.decorator_list:
        if isinstance(mark, ast.Call) and getattr(mark.func, "attr", "") == "parametrize":
            names, rows = (ast.literal_eval(arg) for arg in mark.args[:2])
            names = names.split(",") if isinstance(names, str) else names
            rows = rows if len(names) > 1 else [(row,) for row in rows]
            for i, name in enumerate(names):
                params[name.strip()] = [row[i] for row in rows]
    return params
