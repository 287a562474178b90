"""The emulated native CRM → Books integration (issue item 5, zoho-api.md §4), driven over
HTTP: CRM records through /crm/v8, Books contacts through /books/v3, the integration
through /_sandbox/native/."""

import httpx
import pytest

from tests.sandbox_process import SandboxProcess

ADMIN = "admin@zylker.test"
IN_ORG = "20000002"  # India: GST treatment + place of supply are mandatory
UK_ORG = "20000001"
CRM_SCOPES = ["ZohoCRM.modules.ALL"]
BOOKS_SCOPES = ["ZohoBooks.fullaccess.all"]


class Zoho:
    """Just enough of both APIs for these tests."""

    def __init__(self, sandbox: SandboxProcess, org: str = IN_ORG) -> None:
        self.sandbox, self.org, self.c = sandbox, org, sandbox.client
        self.crm_auth = sandbox.auth(ADMIN, CRM_SCOPES)
        self.books_auth = sandbox.auth(ADMIN, BOOKS_SCOPES)

    def account(self, name: str, **fields: object) -> str:
        record = {"Account_Name": name, "Billing_State": "Tamil Nadu", **fields}
        response = self.c.post("/crm/v8/Accounts", headers=self.crm_auth, json={"data": [record]})
        assert response.status_code == 201, response.text
        return response.json()["data"][0]["details"]["id"]

    def edit_account(self, record_id: str, **fields: object) -> None:
        body = {"data": [fields]}
        response = self.c.put(f"/crm/v8/Accounts/{record_id}", headers=self.crm_auth, json=body)
        assert response.status_code == 200, response.text

    def books_customer(self, name: str, **fields: object) -> str:
        body = {"contact_name": name, "gst_treatment": "business_none", "place_of_contact": "TN"}
        response = self._books("POST", "/contacts", json={**body, **fields})
        assert response.status_code == 201, response.text
        return response.json()["contact"]["contact_id"]

    def _books(self, method: str, path: str, **kwargs) -> httpx.Response:
        params = {"organization_id": self.org, **kwargs.pop("params", {})}
        return self.c.request(
            method, f"/books/v3{path}", headers=self.books_auth, params=params, **kwargs
        )

    def linked_to(self, crm_id: str) -> list[dict]:
        """Books customers carrying `zcrm_account_id` = crm_id (the map's visible trace)."""
        response = self._books("GET", "/contacts", params={"zcrm_account_id": crm_id})
        assert response.status_code == 200, response.text
        return response.json()["contacts"]

    def names(self) -> list[str]:
        response = self._books("GET", "/contacts", params={"per_page": 200})
        return sorted(c["contact_name"] for c in response.json()["contacts"])

    def run(self) -> dict:
        response = self.c.post("/_sandbox/native/run", json={"books_org": self.org})
        assert response.status_code == 200, response.text
        (run,) = response.json()["runs"]
        return run

    def control(self, action: str) -> dict:
        response = self.c.post(f"/_sandbox/native/{action}", json={"books_org": self.org})
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def zoho(clean_sandbox: SandboxProcess) -> Zoho:
    return Zoho(clean_sandbox)


def test_first_sync_pairs_exact_names_and_duplicates_drifted_ones(zoho: Zoho) -> None:
    exact = zoho.books_customer("Acme Ltd")
    zoho.books_customer("Globex and Sons")
    acme = zoho.account("Acme Ltd")
    globex = zoho.account("Globex & Sons")
    run = zoho.run()
    # "Acme Ltd" pairs (skip mode: linked, Books data kept); "&" vs "and" does not
    assert (run["created"], run["skipped"], run["failure_count"]) == (1, 1, 0)
    assert [c["contact_id"] for c in zoho.linked_to(acme)] == [exact]
    assert [c["contact_name"] for c in zoho.linked_to(globex)] == ["Globex & Sons"]
    assert zoho.names() == ["Acme Ltd", "Globex & Sons", "Globex and Sons"]


def test_disconnect_and_reconnect_multiplies_duplicates(zoho: Zoho) -> None:
    acme = zoho.account("Acme Ltd")
    zoho.run()
    zoho.edit_account(acme, Account_Name="Acme Limited")
    zoho.run()  # still connected: the id map carries the rename to the same customer
    assert [c["contact_name"] for c in zoho.linked_to(acme)] == ["Acme Limited"]

    for renamed in ("Acme Ltd.", "ACME Ltd (UK)"):
        assert zoho.control("disconnect")["links_forgotten"] == {IN_ORG: 1}
        zoho.edit_account(acme, Account_Name=renamed)
        zoho.control("connect")
        run = zoho.run()  # a first run again: exact-name pairing misses the old name
        assert run["created"] == 1
    linked = zoho.linked_to(acme)
    # three Books customers now carry the same dead-giveaway zcrm_account_id
    assert sorted(c["contact_name"] for c in linked) == [
        "ACME Ltd (UK)",
        "Acme Limited",
        "Acme Ltd.",
    ]


def test_reconnect_without_renames_pairs_everything_again(zoho: Zoho) -> None:
    zoho.account("Acme Ltd")
    zoho.account("Globex Ltd")
    zoho.run()
    zoho.control("disconnect")
    zoho.control("connect")
    run = zoho.run()
    assert (run["created"], run["skipped"]) == (0, 2)


def test_case_and_trailing_space_drift_fail_with_3062_and_are_counted(zoho: Zoho) -> None:
    zoho.books_customer("Acme Ltd")
    zoho.books_customer("Globex Ltd")
    upper = zoho.account("ACME LTD")
    spaced = zoho.account("Globex Ltd ")
    run = zoho.run()
    assert run["failure_count"] == 2  # the bare number Zoho shows
    reasons = {f["crm_record_id"]: (f["code"], f["reason"]) for f in run["failures"]}
    assert reasons[upper] == (
        3062,
        'The customer "ACME LTD" already exists. Please specify a different name.',
    )
    assert reasons[spaced][0] == 3062
    assert zoho.linked_to(upper) == []


def test_india_account_without_place_of_supply_fails(zoho: Zoho) -> None:
    no_place = zoho.account("Chola Steel Ltd", Billing_State="", GST_Treatment="business_gst")
    foreign = zoho.account("Kaveri Foods Ltd", Currency="JPY")
    fine = zoho.account("Deccan Motors Ltd", GST_Treatment="business_gst", GST_No="33ABCDE1234F1Z5")
    run = zoho.run()
    codes = {f["crm_record_id"]: f["code"] for f in run["failures"]}
    assert codes == {no_place: 4012, foreign: 2}
    (created,) = zoho.linked_to(fine)
    assert created["contact_name"] == "Deccan Motors Ltd"


def test_deleted_books_partner_is_recreated_on_next_crm_edit(zoho: Zoho) -> None:
    acme = zoho.account("Acme Ltd")
    zoho.run()
    (first,) = zoho.linked_to(acme)
    assert zoho._books("DELETE", f"/contacts/{first['contact_id']}").json()["code"] == 0
    assert zoho.run()["created"] == 0  # no CRM edit yet: nothing happens
    zoho.sandbox.advance_clock(60)
    zoho.edit_account(acme, Phone="+91 9876543210")
    run = zoho.run()
    (second,) = zoho.linked_to(acme)
    assert run["created"] == 1
    assert second["contact_id"] != first["contact_id"]


def test_crm_merge_leaves_the_books_customer_orphaned(zoho: Zoho) -> None:
    master = zoho.account("Acme Ltd")
    child = zoho.account("Acme Limited")
    zoho.run()
    body = {"merge": [{"data": [{"id": child}]}]}
    merged = zoho.c.post(
        f"/crm/v8/Accounts/{master}/actions/merge", headers=zoho.crm_auth, json=body
    )
    assert merged.json()["merge"][0]["code"] == "SUCCESS", merged.text
    zoho.run()
    # CRM forgot the child; Books still holds its customer, carrying the dead id
    (orphan,) = zoho.linked_to(child)
    assert orphan["contact_name"] == "Acme Limited"
    gone = zoho.c.get(f"/crm/v8/Accounts/{child}", headers=zoho.crm_auth)
    assert gone.status_code in (204, 400)


def test_duplicates_overwrite_takes_crm_data_when_pairing(zoho: Zoho) -> None:
    zoho.sandbox.knobs(native_sync_duplicates="overwrite")
    books_id = zoho.books_customer("Acme Ltd", website="old.example")
    zoho.account("Acme Ltd", Website="www.acme.example")
    run = zoho.run()
    assert (run["updated"], run["skipped"]) == (1, 0)
    contact = zoho._books("GET", f"/contacts/{books_id}").json()["contact"]
    assert contact["website"] == "www.acme.example"
    assert contact["is_linked_with_zohocrm"] is True


def test_account_contacts_become_contact_persons(zoho: Zoho) -> None:
    acme = zoho.account("Acme Ltd")
    person = {
        "Last_Name": "Iyer",
        "First_Name": "Meera",
        "Email": "meera@acme.example",
        "Account_Name": {"id": acme},
    }
    crm = zoho.c.post("/crm/v8/Contacts", headers=zoho.crm_auth, json={"data": [person]})
    crm_contact = crm.json()["data"][0]["details"]["id"]
    zoho.run()
    (listed,) = zoho.linked_to(acme)
    contact = zoho._books("GET", f"/contacts/{listed['contact_id']}").json()["contact"]
    (books_person,) = contact["contact_persons"]
    assert books_person["email"] == "meera@acme.example"
    assert books_person["zcrm_contact_id"] == crm_contact
    assert contact["zcrm_contact_id"] == crm_contact


def test_native_sync_spends_no_books_api_quota(zoho: Zoho) -> None:
    for name in ("Acme Ltd", "Globex Ltd", "Initech Ltd"):
        zoho.account(name)
    before = zoho.sandbox.stats(service="books")["total"]
    zoho.run()
    assert zoho.sandbox.stats(service="books")["total"] == before


def test_schedule_runs_connected_orgs_when_the_interval_has_passed(zoho: Zoho) -> None:
    zoho.sandbox.knobs(native_sync_interval_minutes=30)
    tick = "/_sandbox/native/tick"
    assert zoho.c.post(tick).json() == {"runs": 2}  # never run: both baseline orgs are due
    assert zoho.c.post(tick).json() == {"runs": 0}
    zoho.sandbox.advance_clock(29 * 60)
    assert zoho.c.post(tick).json() == {"runs": 0}
    zoho.sandbox.advance_clock(60)
    assert zoho.c.post(tick).json() == {"runs": 2}
    runs = zoho.c.get("/_sandbox/native/runs", params={"books_org": IN_ORG}).json()["runs"]
    assert [r["trigger"] for r in runs] == ["schedule", "schedule"]


def test_run_on_a_disconnected_org_is_refused(zoho: Zoho) -> None:
    zoho.control("disconnect")
    response = zoho.c.post("/_sandbox/native/run", json={"books_org": IN_ORG})
    assert response.status_code == 409
    unknown = zoho.c.post("/_sandbox/native/run", json={"books_org": "999"})
    assert unknown.status_code == 404


def test_native_sync_contacts_carry_the_knob_source(zoho: Zoho) -> None:
    # default "crm"; the knob stands in for Zoho's UNCERTAIN value (§4)
    first = zoho.account("Acme Ltd")
    zoho.run()
    zoho.sandbox.knobs(books_crm_source="api")
    second = zoho.account("Globex Ltd")
    zoho.run()
    sources = {}
    for crm_id in (first, second):
        (listed,) = zoho.linked_to(crm_id)
        answer = zoho._books("GET", f"/contacts/{listed['contact_id']}")
        sources[crm_id] = answer.json()["contact"]["source"]
    assert sources == {first: "crm", second: "api"}


def test_exact_name_match_knob_creates_case_variants_instead_of_failing(zoho: Zoho) -> None:
    zoho.sandbox.knobs(books_name_match="exact")
    zoho.books_customer("Acme Ltd")
    upper = zoho.account("ACME LTD")
    spaced = zoho.account("Acme Ltd ")  # trimmed, it is exactly "Acme Ltd": still 3062
    run = zoho.run()
    assert (run["created"], run["failure_count"]) == (1, 1)
    assert [f["crm_record_id"] for f in run["failures"]] == [spaced]
    assert [c["contact_name"] for c in zoho.linked_to(upper)] == ["ACME LTD"]
    assert zoho.names() == ["ACME LTD", "Acme Ltd"]
