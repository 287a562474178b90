"""CRM v8 search and merge over HTTP (zoho-api.md §2.4, §2.6)."""

import pytest

from tests.sandbox.crm_support import Crm
from tests.sandbox_process import SandboxProcess


@pytest.fixture
def crm(clean_sandbox: SandboxProcess) -> Crm:
    return Crm(clean_sandbox)


def _names(response) -> list[str]:
    assert response.status_code == 200, response.text
    return sorted(r["Account_Name"] for r in response.json()["data"])


def test_equals_behaves_like_contains_for_text(crm: Crm) -> None:
    crm.account("ABC")
    crm.account("ABC Inc")
    crm.account("Other")
    # §2.4: "Company:equals:ABC also matches ABC Inc" — clients must post-filter
    assert _names(crm.get("Accounts/search?criteria=(Account_Name:equals:ABC)")) == [
        "ABC",
        "ABC Inc",
    ]


def test_criteria_combine_with_and_or_and_operators(crm: Crm) -> None:
    crm.account("Zylker Ltd", Billing_City="London")
    crm.account("Zylker Limited", Billing_City="Leeds")
    crm.account("Acme & Co", Billing_City="London")
    both = "((Account_Name:starts_with:zylker)and(Billing_City:equals:London))"
    assert _names(crm.get("Accounts/search", params={"criteria": both})) == ["Zylker Ltd"]
    either = "((Account_Name:equals:Acme \\& Co)or(Billing_City:equals:Leeds))"
    assert _names(crm.get("Accounts/search", params={"criteria": either})) == [
        "Acme & Co",
        "Zylker Limited",
    ]
    listed = "(Account_Name:in:Zylker Ltd,Acme)"
    assert _names(crm.get("Accounts/search", params={"criteria": listed})) == [
        "Acme & Co",
        "Zylker Ltd",
    ]


def test_malformed_criteria_answers_invalid_query(crm: Crm) -> None:
    response = crm.get("Accounts/search", params={"criteria": "(Account_Name:like:x)"})
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["message"]) == (
        "INVALID_QUERY",
        "invalid query formed",
    )


def test_search_without_any_parameter_answers_expected_param_missing(crm: Crm) -> None:
    response = crm.get("Accounts/search")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "EXPECTED_PARAM_MISSING"
    assert body["details"]["param_names"] == ["criteria", "email", "phone", "word"]


def test_word_shorter_than_two_characters_answers_invalid_data(crm: Crm) -> None:
    response = crm.get("Accounts/search?word=a")
    assert (response.status_code, response.json()["code"]) == (400, "INVALID_DATA")


def test_email_phone_and_word_search(crm: Crm) -> None:
    crm.contact("Smith", Email="ann@zylker.test", Phone="+44 20 7946 0000")
    crm.contact("Jones", Email="bob@acme.test", Mobile="+1 555 0100")
    email = crm.get("Contacts/search?email=ann@zylker.test").json()["data"]
    phone = crm.get("Contacts/search", params={"phone": "555 0100"}).json()["data"]
    word = crm.get("Contacts/search?word=jones").json()["data"]
    assert [r["Last_Name"] for r in email + phone + word] == ["Smith", "Jones", "Jones"]


def test_criteria_wins_over_email(crm: Crm) -> None:
    crm.contact("Smith", Email="ann@zylker.test")
    crm.contact("Jones", Email="bob@acme.test")
    response = crm.get(
        "Contacts/search",
        params={"criteria": "(Last_Name:equals:Jones)", "email": "ann@zylker.test"},
    )
    assert [r["Last_Name"] for r in response.json()["data"]] == ["Jones"]


def test_no_match_answers_204(crm: Crm) -> None:
    response = crm.get("Accounts/search?word=nothing")
    assert (response.status_code, response.content) == (204, b"")


def test_search_past_2000_records_answers_limit_reached(crm: Crm) -> None:
    response = crm.get("Accounts/search?word=zylker&per_page=200&page=11")
    assert response.status_code == 400
    assert response.json()["message"] == "Maximum response iteration limit reached"
    assert response.json()["code"] == "LIMIT_REACHED"


def test_fresh_records_are_invisible_during_the_indexing_delay(crm: Crm) -> None:
    crm.sandbox.knobs(search_index_delay_seconds=30)
    crm.account("Zylker")
    assert crm.get("Accounts/search?word=zylker").status_code == 204
    crm.sandbox.advance_clock(31)
    assert _names(crm.get("Accounts/search?word=zylker")) == ["Zylker"]


def test_search_needs_the_securesearch_scope(crm: Crm) -> None:
    modules_only = Crm(crm.sandbox, ["ZohoCRM.modules.ALL"])
    response = modules_only.get("Accounts/search?word=zylker")
    assert (response.status_code, response.json()["code"]) == (401, "OAUTH_SCOPE_MISMATCH")


# ---------------------------------------------------------------- merge


def test_merge_folds_children_into_master_and_deletes_them(crm: Crm) -> None:
    master, child_a, child_b = crm.insert(
        "Accounts",
        {"Account_Name": "Zylker Ltd"},
        {"Account_Name": "Zylker Limited", "Phone": "+44 1"},
        {"Account_Name": "ZYLKER"},
    )
    contact = crm.contact("Smith", Account_Name={"id": child_a})
    body = {
        "merge": [{"data": [{"id": child_a, "_fields": [{"api_name": "Phone"}]}, {"id": child_b}]}]
    }
    response = crm.call("POST", f"Accounts/{master}/actions/merge", json=body)
    assert response.status_code == 201
    assert response.json() == {
        "merge": [
            {
                "code": "SUCCESS",
                "details": {"id": master},
                "message": "The records have been merged successfully",
                "status": "success",
            }
        ]
    }
    assert crm.get(f"Accounts/{master}").json()["data"][0]["Phone"] == "+44 1"
    assert crm.get(f"Accounts/{child_a}").status_code == 400  # deleted
    listed = crm.get("Accounts?fields=Account_Name").json()["data"]
    assert [r["id"] for r in listed] == [master]
    # related contacts follow the master
    assert crm.get(f"Contacts/{contact}").json()["data"][0]["Account_Name"]["id"] == master


def test_merge_refuses_more_than_two_children(crm: Crm) -> None:
    ids = crm.insert("Accounts", *({"Account_Name": f"A{i}"} for i in range(4)))
    body = {"merge": [{"data": [{"id": i} for i in ids[1:]]}]}
    response = crm.call("POST", f"Accounts/{ids[0]}/actions/merge", json=body)
    assert response.status_code == 400
    assert response.json()["merge"][0]["code"] == "LIMIT_EXCEEDED"


def test_merge_with_unknown_child_answers_invalid_data(crm: Crm) -> None:
    master = crm.account("A")
    body = {"merge": [{"data": [{"id": "5725767000000000999"}]}]}
    response = crm.call("POST", f"Accounts/{master}/actions/merge", json=body)
    assert response.status_code == 400
    element = response.json()["merge"][0]
    assert (element["code"], element["status"]) == ("INVALID_DATA", "error")
    missing = crm.call("POST", f"Accounts/{master}/actions/merge", json={})
    assert missing.json()["code"] == "MANDATORY_NOT_FOUND"
