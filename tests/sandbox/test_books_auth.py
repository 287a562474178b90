"""Books v3 authentication, scopes and organisations (zoho-api.md §1.6, §3.1, §3.9)."""

import pytest

from tests.sandbox.books_client import IN_ORG, UK_ORG, Books
from tests.sandbox_process import SandboxProcess

MESSAGE_57 = "You are not authorized to perform this operation"


def test_organizations_lists_the_users_orgs(clean_sandbox: SandboxProcess) -> None:
    headers = clean_sandbox.auth("finance@zylker.test", ["ZohoBooks.settings.READ"])
    response = clean_sandbox.client.get("/books/v3/organizations", headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert (body["code"], body["message"]) == (0, "success")
    uk, india = body["organizations"]
    assert (uk["organization_id"], india["organization_id"]) == (UK_ORG, IN_ORG)
    for org in body["organizations"]:
        assert {"name", "is_default_org", "currency_code", "time_zone", "is_org_active"} <= set(org)
    assert uk["is_default_org"] is True and uk["currency_code"] == "GBP"


@pytest.mark.parametrize("header", [None, "Bearer abc", "Zoho-oauthtoken"])
def test_contacts_without_a_usable_header_answer_code_14(
    clean_sandbox: SandboxProcess, header: str | None
) -> None:
    headers = {"Authorization": header} if header is not None else {}
    response = clean_sandbox.client.get(
        "/books/v3/contacts", params={"organization_id": UK_ORG}, headers=headers
    )
    assert response.status_code == 401
    assert response.json()["code"] == 14


def test_dead_token_answers_code_57(clean_sandbox: SandboxProcess) -> None:
    response = clean_sandbox.client.get(
        "/books/v3/contacts",
        params={"organization_id": UK_ORG},
        headers={"Authorization": "Zoho-oauthtoken 1000.dead.token"},
    )
    assert response.status_code == 401
    assert response.json() == {"code": 57, "message": MESSAGE_57}


def test_missing_scope_answers_code_57(clean_sandbox: SandboxProcess) -> None:
    reader = Books(clean_sandbox, scopes=["ZohoBooks.contacts.READ"])
    assert reader.get("contacts").status_code == 200
    for response in (
        reader.post("contacts", {"contact_name": "Nope"}),
        reader.get("invoices"),
        reader.post("crm/account/5725767000000000001/import"),
    ):
        assert response.status_code == 401
        assert response.json() == {"code": 57, "message": MESSAGE_57}


def test_token_of_a_deactivated_user_answers_code_57(clean_sandbox: SandboxProcess) -> None:
    books = Books(clean_sandbox, email="sync@zylker.test")
    clean_sandbox.deactivate("sync@zylker.test")
    assert books.get("contacts").json()["code"] == 57


@pytest.mark.parametrize("org_id", ["", "99999999"])
def test_missing_or_foreign_organization_id_answers_6041(
    clean_sandbox: SandboxProcess, org_id: str
) -> None:
    books = Books(clean_sandbox, org=org_id)
    response = books.get("contacts")
    assert response.status_code == 400
    assert response.json() == {
        "code": 6041,
        "message": f"This user is not associated with the CompanyID/CompanyName:{org_id}.",
    }


def test_orgs_keep_their_contacts_apart(clean_sandbox: SandboxProcess) -> None:
    uk = Books(clean_sandbox)
    india = Books(clean_sandbox, org=IN_ORG)
    contact = uk.contact("Only In UK")
    assert india.get(f"contacts/{contact['contact_id']}").json()["code"] == 1002
    # the display name is unique per organisation, not across them
    india.contact("Only In UK", customer_sub_type="individual")


def test_unsupported_method_answers_405(clean_sandbox: SandboxProcess) -> None:
    response = Books(clean_sandbox).call("PATCH", "contacts")
    assert response.status_code == 405
    assert response.json()["code"] != 0
