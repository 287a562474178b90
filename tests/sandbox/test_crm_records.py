"""CRM v8 records over HTTP: list, get, insert, update, delete (zoho-api.md §2.1-§2.5)."""

from datetime import datetime, timedelta

import pytest

from tests.sandbox.crm_support import ADMIN, Crm
from tests.sandbox_process import SandboxProcess


@pytest.fixture
def crm(clean_sandbox: SandboxProcess) -> Crm:
    return Crm(clean_sandbox)


def test_dead_token_answers_invalid_token(crm: Crm) -> None:
    response = crm.sandbox.client.get(
        "/crm/v8/Accounts?fields=Account_Name",
        headers={"Authorization": "Zoho-oauthtoken 1000.dead"},
    )
    assert response.status_code == 401
    assert response.json() == {
        "code": "INVALID_TOKEN",
        "details": {},
        "message": "invalid oauth token",
        "status": "error",
    }


def test_token_without_module_scope_answers_oauth_scope_mismatch(crm: Crm) -> None:
    contacts_only = Crm(crm.sandbox, ["ZohoCRM.modules.contacts.READ"])
    response = contacts_only.get("Accounts?fields=Account_Name")
    assert response.status_code == 401
    assert response.json()["code"] == "OAUTH_SCOPE_MISMATCH"
    assert contacts_only.get("Contacts?fields=Last_Name").status_code == 204


def test_list_without_fields_answers_required_param_missing(crm: Crm) -> None:
    response = crm.get("Accounts")
    assert response.status_code == 400
    assert response.json() == {
        "code": "REQUIRED_PARAM_MISSING",
        "details": {"param_name": "fields"},
        "message": "One of the expected parameters is missing",
        "status": "error",
    }


def test_list_with_more_than_50_fields_answers_limit_exceeded(crm: Crm) -> None:
    fields = ",".join(f"F{i}" for i in range(51))
    response = crm.get(f"Accounts?fields={fields}")
    assert (response.status_code, response.json()["code"]) == (400, "LIMIT_EXCEEDED")


def test_list_of_empty_module_answers_204_with_empty_body(crm: Crm) -> None:
    response = crm.get("Accounts?fields=Account_Name")
    assert response.status_code == 204
    assert response.content == b""


def test_unknown_module_answers_invalid_module(crm: Crm) -> None:
    response = crm.get("Widgets?fields=Name")
    assert (response.status_code, response.json()["code"]) == (400, "INVALID_MODULE")


def test_list_returns_requested_fields_and_documented_info(crm: Crm) -> None:
    crm.account("Zylker Ltd", Phone="+44 20 1")
    crm.account("Acme")
    response = crm.get("Accounts?fields=Account_Name,Phone&per_page=1&sort_order=asc")
    body = response.json()
    assert response.status_code == 200
    assert set(body["data"][0]) == {"id", "Account_Name", "Phone"}
    assert body["data"][0]["Account_Name"] == "Zylker Ltd"
    info = body["info"]
    assert {k: info[k] for k in ("per_page", "count", "page", "more_records")} == {
        "per_page": 1,
        "count": 1,
        "page": 1,
        "more_records": True,
    }
    assert (info["sort_by"], info["sort_order"]) == ("id", "asc")
    assert info["next_page_token"] and info["page_token_expiry"]


def test_page_token_continues_where_the_page_ended(crm: Crm) -> None:
    crm.insert("Accounts", *({"Account_Name": f"A{i}"} for i in range(5)))
    first = crm.get("Accounts?fields=Account_Name&per_page=2&sort_order=asc").json()
    token = first["info"]["next_page_token"]
    second = crm.get(f"Accounts?fields=Account_Name&per_page=2&sort_order=asc&page_token={token}")
    assert [r["Account_Name"] for r in second.json()["data"]] == ["A2", "A3"]
    # a page token is bound to the other parameters
    other = crm.get(f"Accounts?fields=Account_Name&per_page=3&page_token={token}")
    assert other.json()["code"] == "TOKEN_BOUND_DATA_MISMATCH"


def test_page_beyond_2000_records_answers_discrete_pagination_limit(crm: Crm) -> None:
    response = crm.get("Accounts?fields=Account_Name&per_page=200&page=11")
    assert response.status_code == 400
    assert response.json()["code"] == "DISCRETE_PAGINATION_LIMIT_EXCEEDED"
    assert crm.get("Accounts?fields=Account_Name&per_page=200&page=10").status_code == 204


def test_per_page_above_200_is_refused(crm: Crm) -> None:
    assert crm.get("Accounts?fields=Account_Name&per_page=201").status_code == 400


def test_if_modified_since_is_inclusive_and_answers_304_when_nothing_changed(crm: Crm) -> None:
    record_id = crm.account("Zylker")
    modified = crm.get(f"Accounts/{record_id}").json()["data"][0]["Modified_Time"]
    same = crm.get("Accounts?fields=Account_Name", headers={"If-Modified-Since": modified})
    assert [r["id"] for r in same.json()["data"]] == [record_id]
    later = (datetime.fromisoformat(modified) + timedelta(seconds=1)).isoformat()
    response = crm.get("Accounts?fields=Account_Name", headers={"If-Modified-Since": later})
    assert response.status_code == 304
    assert response.content == b""


def test_get_by_id_returns_the_full_record_with_lookups(crm: Crm) -> None:
    account_id = crm.account("Zylker Ltd")
    contact_id = crm.contact(
        "Smith", First_Name="Ann", Email="Ann@Zylker.test", Account_Name={"id": account_id}
    )
    response = crm.get(f"Contacts/{contact_id}")
    (record,) = response.json()["data"]
    assert record["id"] == contact_id
    assert record["Full_Name"] == "Ann Smith"
    assert record["Account_Name"] == {"name": "Zylker Ltd", "id": account_id}
    assert record["Owner"]["email"] == ADMIN
    assert record["$approval_state"] == "approved"
    datetime.fromisoformat(record["Created_Time"])  # ISO-8601 with offset
    assert record["Created_Time"][-6] in "+-"


def test_get_missing_id_answers_invalid_data_or_204_by_knob(crm: Crm) -> None:
    response = crm.get("Accounts/5725767000000000999")
    assert response.status_code == 400
    assert response.json()["message"] == "the id given seems to be invalid"
    crm.sandbox.knobs(crm_missing_id="no_content")
    assert crm.get("Accounts/5725767000000000999").status_code == 204


def test_deals_count_per_account_via_criteria_on_account_lookup(crm: Crm) -> None:
    account_id = crm.account("Zylker")
    crm.insert(
        "Deals",
        *(
            {"Deal_Name": f"D{i}", "Stage": "Qualification", "Account_Name": {"id": account_id}}
            for i in range(3)
        ),
    )
    response = crm.get(f"Deals/search?criteria=(Account_Name.id:equals:{account_id})")
    assert response.json()["info"]["count"] == 3


def test_insert_answers_201_per_record_and_207_when_mixed(crm: Crm) -> None:
    ok = crm.call("POST", "Accounts", json={"data": [{"Account_Name": "A"}]})
    assert ok.status_code == 201
    (element,) = ok.json()["data"]
    assert (element["code"], element["message"], element["status"]) == (
        "SUCCESS",
        "record added",
        "success",
    )
    assert set(element["details"]) == {
        "Modified_Time",
        "Modified_By",
        "Created_Time",
        "id",
        "Created_By",
    }
    mixed = crm.call("POST", "Accounts", json={"data": [{"Account_Name": "B"}, {"Phone": "1"}]})
    assert mixed.status_code == 207
    failure = mixed.json()["data"][1]
    assert failure == {
        "code": "MANDATORY_NOT_FOUND",
        "details": {"api_name": "Account_Name", "json_path": "$.data[1].Account_Name"},
        "message": "required field not found",
        "status": "error",
    }


def test_bulk_update_keeps_input_order_and_answers_207_for_mixed_results(crm: Crm) -> None:
    first, second = crm.insert("Contacts", {"Last_Name": "One"}, {"Last_Name": "Two"})
    body = {
        "data": [
            {"id": first, "Phone": "+1 555 0100"},
            {"id": second, "Email": "not-an-email"},
            {"Phone": "no id"},
        ]
    }
    response = crm.call("PUT", "Contacts", json=body)
    assert response.status_code == 207
    codes = [e["code"] for e in response.json()["data"]]
    assert codes == ["SUCCESS", "INVALID_DATA", "MANDATORY_NOT_FOUND"]
    assert response.json()["data"][1]["details"] == {
        "api_name": "Email",
        "json_path": "$.data[1].Email",
        "expected_data_type": "email",
    }
    crm.sandbox.knobs(crm_partial_status=200)
    assert crm.call("PUT", "Contacts", json=body).status_code == 200


def test_bulk_update_all_ok_is_200_and_all_failed_is_400(crm: Crm) -> None:
    record_id = crm.contact("One")
    ok = crm.call("PUT", "Contacts", json={"data": [{"id": record_id, "Title": "CFO"}]})
    assert ok.status_code == 200
    assert ok.json()["data"][0]["message"] == "record updated"
    failed = crm.call("PUT", "Contacts", json={"data": [{"id": "5725767000000000999"}]})
    assert failed.status_code == 400
    assert failed.json()["data"][0]["message"] == "the id given seems to be invalid"


def test_bulk_update_refuses_more_than_100_records(crm: Crm) -> None:
    body = {"data": [{"id": str(i)} for i in range(101)]}
    response = crm.call("PUT", "Contacts", json=body)
    assert (response.status_code, response.json()["code"]) == (400, "LIMIT_EXCEEDED")


def test_every_write_moves_modified_time_on(crm: Crm) -> None:
    record_id = crm.account("Zylker")
    before = crm.get(f"Accounts/{record_id}").json()["data"][0]["Modified_Time"]
    crm.sandbox.advance_clock(5)
    crm.call("PUT", f"Accounts/{record_id}", json={"data": [{"Phone": "1"}]})
    after = crm.get(f"Accounts/{record_id}").json()["data"][0]["Modified_Time"]
    assert datetime.fromisoformat(after) > datetime.fromisoformat(before)


def test_if_unmodified_since_older_than_last_write_answers_412(crm: Crm) -> None:
    record_id = crm.account("Zylker")
    modified = datetime.fromisoformat(
        crm.get(f"Accounts/{record_id}").json()["data"][0]["Modified_Time"]
    )
    stale = (modified - timedelta(seconds=10)).isoformat()
    response = crm.call(
        "PUT",
        f"Accounts/{record_id}",
        json={"data": [{"Phone": "1"}]},
        headers={"If-Unmodified-Since": stale},
    )
    assert response.status_code == 412
    (element,) = response.json()["data"]
    assert (element["code"], element["status"]) == ("ALREADY_MODIFIED", "error")
    assert set(element["details"]) == {"Modified_Time", "id"}
    fresh = crm.call(
        "PUT",
        f"Accounts/{record_id}",
        json={"data": [{"Phone": "1"}]},
        headers={"If-Unmodified-Since": modified.isoformat()},
    )
    assert fresh.status_code == 200


def test_deleted_records_vanish_from_reads(crm: Crm) -> None:
    keep, gone = crm.insert("Accounts", {"Account_Name": "Keep"}, {"Account_Name": "Gone"})
    response = crm.call("DELETE", f"Accounts?ids={gone}")
    assert response.json()["data"][0] == {
        "code": "SUCCESS",
        "details": {"id": gone},
        "message": "record deleted",
        "status": "success",
    }
    listed = crm.get("Accounts?fields=Account_Name").json()["data"]
    assert [r["id"] for r in listed] == [keep]
    assert crm.get(f"Accounts/{gone}").status_code == 400


def test_current_user_is_the_token_owner(crm: Crm) -> None:
    response = crm.get("users?type=CurrentUser")
    (user,) = response.json()["users"]
    assert user["email"] == ADMIN
