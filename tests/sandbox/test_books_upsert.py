"""Books unique custom field `cf_crm_ref` and upsert by it (zoho-api.md §3.2)."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.sandbox.books_client import Books
from tests.sandbox_process import SandboxProcess


@pytest.fixture
def books(clean_sandbox: SandboxProcess) -> Books:
    return Books(clean_sandbox)


def ref(value: str) -> list[dict]:
    return [{"api_name": "cf_crm_ref", "value": value}]


def upsert(books: Books, value: str, body: dict, *, create: bool = True, key: str = "cf_crm_ref"):
    headers = {"X-Unique-Identifier-Key": key, "X-Unique-Identifier-Value": value}
    if create:
        headers["X-Upsert"] = "true"
    return books.call("PUT", "contacts", json=body, headers=headers)


def test_crm_ref_is_unique_per_org_on_post(books: Books) -> None:
    books.contact("Acme", custom_fields=ref("5725767000000001"))
    response = books.post(
        "contacts", {"contact_name": "Acme Two", "custom_fields": ref("5725767000000001")}
    )
    assert response.status_code == 400
    assert response.json()["code"] == 1001  # knob books_unique_cf_code (UNCERTAIN)
    assert "CRM Ref" in response.json()["message"]
    assert books.names() == ["Acme"]  # nothing half-created


def test_crm_ref_is_unique_on_put_and_can_move_once_freed(books: Books) -> None:
    first = books.contact("Acme", custom_fields=ref("111"))
    second = books.contact("Beta", custom_fields=ref("222"))
    clash = books.put(f"contacts/{second['contact_id']}", {"custom_fields": ref("111")})
    assert clash.status_code == 400 and clash.json()["code"] == 1001
    # the first contact gives the value up; now the second may take it
    assert (
        books.put(f"contacts/{first['contact_id']}", {"custom_fields": ref("")}).status_code == 200
    )
    moved = books.put(f"contacts/{second['contact_id']}", {"custom_fields": ref("111")})
    assert moved.status_code == 200
    assert moved.json()["contact"]["custom_field_hash"]["cf_crm_ref"] == "111"


def test_same_crm_ref_is_allowed_in_another_org(books: Books, clean_sandbox) -> None:
    books.contact("Acme", custom_fields=ref("111"))
    india = Books(clean_sandbox, org="20000002")
    response = india.post(
        "contacts",
        {"contact_name": "Acme", "custom_fields": ref("111"), "gst_treatment": "business_none",
         "place_of_contact": "TN"},
    )  # fmt: skip
    assert response.status_code == 201, response.text


def test_unique_flag_shows_on_the_custom_field_object(books: Books) -> None:
    contact = books.contact("Acme", custom_fields=ref("111"))
    (field,) = contact["custom_fields"]
    assert field["api_name"] == "cf_crm_ref" and field["is_unique"] is True


def test_upsert_creates_with_the_field_set_then_updates(books: Books) -> None:
    created = upsert(books, "5725767000000009", {"contact_name": "Acme"})
    assert created.status_code == 201, created.text  # knob books_upsert_create_status
    contact = created.json()["contact"]
    assert contact["custom_field_hash"]["cf_crm_ref"] == "5725767000000009"

    updated = upsert(books, "5725767000000009", {"contact_name": "Acme Ltd", "website": "a.test"})
    assert updated.status_code == 200
    assert updated.json()["message"] == "Contact has been updated successfully"
    assert updated.json()["contact"]["contact_id"] == contact["contact_id"]
    assert books.names() == ["Acme Ltd"]


def test_upsert_without_x_upsert_only_updates(books: Books) -> None:
    missing = upsert(books, "404", {"contact_name": "Ghost"}, create=False)
    assert missing.status_code == 404 and missing.json()["code"] == 1002
    existing = books.contact("Acme", custom_fields=ref("7"))
    answer = upsert(books, "7", {"notes": "hello"}, create=False)
    assert answer.status_code == 200
    assert answer.json()["contact"]["contact_id"] == existing["contact_id"]
    assert books.names() == ["Acme"]


def test_upsert_create_still_answers_3062_for_a_taken_name(books: Books) -> None:
    books.contact("Acme")
    response = upsert(books, "123", {"contact_name": "ACME"})
    assert response.status_code == 400 and response.json()["code"] == 3062
    assert books.names() == ["Acme"]


def test_upsert_by_a_field_that_is_not_unique_is_refused(books: Books) -> None:
    response = upsert(books, "x", {"contact_name": "Acme"}, key="cf_segment")
    assert response.status_code == 400 and response.json()["code"] == 2
    without = books.call("PUT", "contacts", json={"contact_name": "Acme"})
    assert without.status_code == 400 and without.json()["code"] == 2


def test_concurrent_upserts_of_one_value_make_one_contact(books: Books) -> None:
    def one(i: int) -> int:
        return upsert(books, "5725767000000042", {"contact_name": "Racing Co"}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(one, range(8)))
    assert statuses.count(201) == 1 and statuses.count(200) == 7
    assert books.names() == ["Racing Co"]
