"""CRM modules and fields metadata, custom fields and writes to unknown fields."""

import pytest

from tests.sandbox.crm_support import Crm
from tests.sandbox_process import SandboxProcess


@pytest.fixture
def crm(clean_sandbox: SandboxProcess) -> Crm:
    return Crm(clean_sandbox)


def add_field(sandbox: SandboxProcess, module: str, api_name: str, data_type: str = "text"):
    return sandbox.client.post(
        f"/_sandbox/crm/fields/{module}",
        json={"api_name": api_name, "field_label": api_name.replace("_", " "),
              "data_type": data_type},
    )  # fmt: skip


def field_names(crm: Crm, module: str) -> dict[str, dict]:
    response = crm.get("settings/fields", params={"module": module})
    assert response.status_code == 200, response.text
    return {f["api_name"]: f for f in response.json()["fields"]}


def test_modules_lists_api_names_and_what_the_api_serves(crm: Crm) -> None:
    response = crm.get("settings/modules")
    assert response.status_code == 200
    modules = {m["api_name"]: m for m in response.json()["modules"]}
    assert {"Accounts", "Contacts", "Deals", "Leads"} <= set(modules)
    accounts = modules["Accounts"]
    assert accounts["module_name"] == "Accounts" and accounts["api_supported"] is True
    assert accounts["id"].isdigit() and len(accounts["id"]) == 19


def test_fields_list_standard_fields_with_zoho_keys(crm: Crm) -> None:
    fields = field_names(crm, "Accounts")
    name = fields["Account_Name"]
    assert name["field_label"] == "Account Name" and name["data_type"] == "text"
    assert name["custom_field"] is False and name["system_mandatory"] is True
    assert name["length"] == 200 and name["id"].isdigit()
    assert fields["Owner"]["data_type"] == "ownerlookup"
    assert fields["Owner"]["field_label"] == "Account Owner"
    field_ids = [f["id"] for f in fields.values()]
    module_ids = [m["id"] for m in crm.get("settings/modules").json()["modules"]]
    assert len(set(field_ids + module_ids)) == len(field_ids) + len(module_ids)
    contacts = field_names(crm, "contacts")  # module names are case-insensitive
    assert contacts["Email"]["data_type"] == "email" and "Mailing_Zip" in contacts
    assert contacts["Owner"]["field_label"] == "Contact Owner"


def test_baseline_has_tax_fields_but_no_books_write_back_field(crm: Crm) -> None:
    fields = field_names(crm, "Accounts")
    assert fields["GST_Treatment"]["custom_field"] is True
    assert fields["Sync_to_Books"]["data_type"] == "boolean"
    assert "Books_Contact_ID" not in fields


def test_fields_errors(crm: Crm) -> None:
    missing = crm.get("settings/fields")
    assert missing.status_code == 400 and missing.json()["code"] == "REQUIRED_PARAM_MISSING"
    bad = crm.get("settings/fields", params={"module": "Nope"})
    assert bad.status_code == 400 and bad.json()["code"] == "INVALID_MODULE"


def test_fields_need_a_settings_scope(clean_sandbox: SandboxProcess) -> None:
    crm = Crm(clean_sandbox, scopes=["ZohoCRM.modules.ALL"])
    response = crm.get("settings/fields", params={"module": "Accounts"})
    assert response.status_code == 401 and response.json()["code"] == "OAUTH_SCOPE_MISMATCH"
    narrow = Crm(clean_sandbox, scopes=["ZohoCRM.settings.fields.READ"])
    assert narrow.get("settings/fields", params={"module": "Accounts"}).status_code == 200


def test_control_adds_and_removes_a_custom_field(crm: Crm, clean_sandbox) -> None:
    added = add_field(clean_sandbox, "Accounts", "Books_Contact_ID")
    assert added.status_code == 201, added.text
    assert added.json()["custom_field"] is True and added.json()["api_name"] == "Books_Contact_ID"
    assert "Books_Contact_ID" in field_names(crm, "Accounts")
    assert add_field(clean_sandbox, "Accounts", "Books_Contact_ID").status_code == 400
    assert add_field(clean_sandbox, "Accounts", "Account_Name").status_code == 400
    assert add_field(clean_sandbox, "Accounts", "X", data_type="blob").status_code == 400

    gone = clean_sandbox.client.delete(
        "/_sandbox/crm/fields/Accounts", params={"api_name": "Books_Contact_ID"}
    )
    assert gone.status_code == 200
    assert "Books_Contact_ID" not in field_names(crm, "Accounts")
    again = clean_sandbox.client.delete(
        "/_sandbox/crm/fields/Accounts", params={"api_name": "Books_Contact_ID"}
    )
    assert again.status_code == 404


def test_write_to_a_missing_field_is_dropped_by_default(crm: Crm, clean_sandbox) -> None:
    record_id = crm.account("Acme", Books_Contact_ID="460000000000001")
    record = crm.get(f"Accounts/{record_id}").json()["data"][0]
    assert "Books_Contact_ID" not in record  # knob crm_unknown_field=ignore (UNCERTAIN)

    add_field(clean_sandbox, "Accounts", "Books_Contact_ID")
    update = crm.call(
        "PUT", "Accounts", json={"data": [{"id": record_id, "Books_Contact_ID": "4601"}]}
    )
    assert update.status_code == 200, update.text
    record = crm.get(f"Accounts/{record_id}").json()["data"][0]
    assert record["Books_Contact_ID"] == "4601"


def test_write_to_a_missing_field_can_fail_invalid_data(crm: Crm, clean_sandbox) -> None:
    clean_sandbox.knobs(crm_unknown_field="invalid_data")
    record_id = crm.account("Acme")
    response = crm.call(
        "PUT", "Accounts", json={"data": [{"id": record_id, "Books_Contact_ID": "4601"}]}
    )
    assert response.status_code == 400
    (element,) = response.json()["data"]
    assert element["code"] == "INVALID_DATA"
    assert element["details"]["api_name"] == "Books_Contact_ID"
    assert element["details"]["json_path"] == "$.data[0].Books_Contact_ID"


def test_messy_seed_adds_the_write_back_fields(crm: Crm, clean_sandbox) -> None:
    seeded = clean_sandbox.client.post(
        "/_sandbox/seed", json={"scenario": "messy", "size": 60, "seed": 1}, timeout=300
    )
    assert seeded.status_code == 201, seeded.text
    fields = field_names(Crm(clean_sandbox), "Accounts")
    assert fields["Books_Contact_ID"]["custom_field"] is True
    assert fields["Books_Outstanding"]["data_type"] == "currency"
    assert fields["Books_Last_Invoice_Status"]["data_type"] == "text"
    assert fields["Books_Last_Invoice_Date"]["data_type"] == "date"
    assert "Books_Contact_ID" in field_names(Crm(clean_sandbox), "Contacts")
