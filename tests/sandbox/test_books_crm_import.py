"""Books v3 CRM import endpoints and the readable CRM link (zoho-api.md §3.7, §3.8)."""

import pytest

from tests.sandbox.books_client import IN_ORG, Books
from tests.sandbox_process import SandboxProcess

ADMIN_CRM_USER_ID = "5725767000000000101"


def _crm_record(sandbox: SandboxProcess, module: str, data: dict) -> str:
    response = sandbox.client.post(f"/_sandbox/crm/records/{module}", json={"data": data})
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.fixture
def books(clean_sandbox: SandboxProcess) -> Books:
    return Books(clean_sandbox)


def test_account_import_creates_a_linked_contact(
    books: Books, clean_sandbox: SandboxProcess
) -> None:
    account = _crm_record(clean_sandbox, "Accounts", {"Account_Name": "Zylker Farms"})
    person = _crm_record(
        clean_sandbox,
        "Contacts",
        {"Last_Name": "Moss", "Email": "moss@farms.test", "Account_Name": {"id": account}},
    )
    response = books.post(f"crm/account/{account}/import")
    assert response.status_code == 200
    body = response.json()
    assert (body["code"], body["message"]) == (0, "success")
    contact_id = body["data"]["contact_id"]
    contact = books.get(f"contacts/{contact_id}").json()["contact"]
    assert contact["contact_name"] == "Zylker Farms"
    assert contact["is_linked_with_zohocrm"] is True and contact["is_crm_customer"] is True
    assert contact["zcrm_account_id"] == account
    assert contact["crm_owner_id"] == ADMIN_CRM_USER_ID
    (books_person,) = contact["contact_persons"]
    assert books_person["zcrm_contact_id"] == person
    assert contact["email"] == "moss@farms.test"
    # the link is searchable, and a second import answers the same contact
    assert books.names(zcrm_account_id=account) == ["Zylker Farms"]
    assert books.names(filter_by="Status.Crm") == ["Zylker Farms"]
    again = books.post(f"crm/account/{account}/import").json()
    assert again["data"]["contact_id"] == contact_id


def test_import_of_an_unknown_crm_record_answers_1002(books: Books) -> None:
    response = books.post("crm/account/5725767999999999999/import")
    assert response.json() == {"code": 1002, "message": "Account does not exist."}


@pytest.mark.parametrize("kind", ["contact", "vendor", "item"])
def test_import_refused_when_the_sync_type_does_not_cover_it(
    books: Books, clean_sandbox: SandboxProcess, kind: str
) -> None:
    # the baseline integration syncs "Accounts and their Contacts", without unassociated
    # contacts; so contact, vendor and product imports are not configured
    record = _crm_record(clean_sandbox, "Contacts", {"Last_Name": "Loner"})
    response = books.post(f"crm/{kind}/{record}/import")
    assert response.status_code == 400
    assert response.json()["code"] == 4015  # UNCERTAIN code, stable for the taxonomy


def test_import_respects_3062(books: Books, clean_sandbox: SandboxProcess) -> None:
    books.contact("Acme Ltd")
    account = _crm_record(clean_sandbox, "Accounts", {"Account_Name": "Acme Ltd"})
    response = books.post(f"crm/account/{account}/import")
    assert response.status_code == 400
    assert response.json()["code"] == 3062


def test_import_into_india_needs_a_place_of_supply(clean_sandbox: SandboxProcess) -> None:
    books = Books(clean_sandbox, org=IN_ORG)
    stateless = _crm_record(clean_sandbox, "Accounts", {"Account_Name": "Nowhere Pvt Ltd"})
    assert books.post(f"crm/account/{stateless}/import").json()["code"] == 4012
    chennai = _crm_record(
        clean_sandbox,
        "Accounts",
        {"Account_Name": "Chennai Pvt Ltd", "Billing_State": "Tamil Nadu"},
    )
    contact_id = books.post(f"crm/account/{chennai}/import").json()["data"]["contact_id"]
    contact = books.get(f"contacts/{contact_id}").json()["contact"]
    assert (contact["gst_treatment"], contact["place_of_contact"]) == ("business_none", "TN")


@pytest.mark.parametrize("source", ["crm", "user"])
def test_imported_contact_carries_the_knob_source(
    books: Books, clean_sandbox: SandboxProcess, source: str
) -> None:
    # the `source` of CRM-made contacts is UNCERTAIN (§4); "crm" is the default
    if source != "crm":
        clean_sandbox.knobs(books_crm_source=source)
    account = _crm_record(clean_sandbox, "Accounts", {"Account_Name": "Zylker Farms"})
    contact_id = books.post(f"crm/account/{account}/import").json()["data"]["contact_id"]
    assert books.get(f"contacts/{contact_id}").json()["contact"]["source"] == source
