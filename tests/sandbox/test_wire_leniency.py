"""What Zoho accepts from clients in the wild: trailing slashes, JSON without a
Content-Type, Books' legacy `JSONString` form field; and Books' rate-limit headers."""

import json

import pytest

from tests.sandbox.books_client import Books
from tests.sandbox.crm_support import Crm
from tests.sandbox_process import SandboxProcess


@pytest.fixture
def books(clean_sandbox: SandboxProcess) -> Books:
    return Books(clean_sandbox)


def test_books_path_with_trailing_slash_is_the_same_resource(books: Books) -> None:
    contact = books.contact("Acme")
    response = books.get(f"contacts/{contact['contact_id']}/")
    assert response.status_code == 200, response.text
    assert response.json()["contact"]["contact_name"] == "Acme"
    assert books.get("contacts/").status_code == 200
    assert books.get("nothing-here/").status_code == 404


def test_crm_path_with_trailing_slash_is_the_same_resource(clean_sandbox) -> None:
    crm = Crm(clean_sandbox)
    record_id = crm.account("Acme")
    response = crm.get(f"Accounts/{record_id}/")
    assert response.status_code == 200
    assert response.json()["data"][0]["id"] == record_id
    assert crm.get("settings/fields/", params={"module": "Accounts"}).status_code == 200


def test_json_body_without_content_type_is_read(books: Books) -> None:
    body = json.dumps({"contact_name": "No Header Ltd"}).encode()
    response = books.call("POST", "contacts", content=body, headers={"Content-Type": ""})
    assert response.status_code == 201, response.text
    crm = Crm(books.sandbox)
    answer = crm.call("POST", "Accounts", content=json.dumps({"data": [{"Account_Name": "X"}]}))
    assert answer.status_code == 201, answer.text


def test_legacy_jsonstring_form_field_is_accepted(books: Books) -> None:
    created = books.call(
        "POST", "contacts", data={"JSONString": json.dumps({"contact_name": "Legacy Co"})}
    )
    assert created.status_code == 201, created.text
    contact_id = created.json()["contact"]["contact_id"]
    updated = books.call(
        "PUT", f"contacts/{contact_id}", data={"JSONString": json.dumps({"notes": "old client"})}
    )
    assert updated.status_code == 200 and updated.json()["contact"]["notes"] == "old client"
    # a form without JSONString is still "JSON is not well formed"
    plain = books.call("POST", "contacts", data={"contact_name": "Form Co"})
    assert plain.status_code == 400 and plain.json()["code"] == 1038


def test_books_answers_carry_rate_limit_headers(books: Books) -> None:
    first = books.get("contacts")
    second = books.get("contacts")
    limit = int(first.headers["X-Rate-Limit-Limit"])
    assert limit == 2000  # Standard plan's daily cap
    assert (
        int(second.headers["X-Rate-Limit-Remaining"])
        == int(first.headers["X-Rate-Limit-Remaining"]) - 1
    )
    assert 0 < int(first.headers["X-Rate-Limit-Reset"]) <= 86400


def test_rate_limit_headers_can_be_turned_off(books: Books, clean_sandbox) -> None:
    clean_sandbox.knobs(books_rate_limit_headers=False)
    assert "X-Rate-Limit-Limit" not in books.get("contacts").headers
