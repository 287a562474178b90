"""Books v3 contacts over HTTP (zoho-api.md §3.1–§3.5, §3.9)."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.sandbox.books_client import IN_ORG, Books
from tests.sandbox_process import SandboxProcess

BOOKS_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}$")  # no colon in the offset


@pytest.fixture
def books(clean_sandbox: SandboxProcess) -> Books:
    return Books(clean_sandbox)


def test_post_contact_answers_201_with_the_contact_object(books: Books) -> None:
    response = books.post(
        "contacts",
        {
            "contact_name": "Bowman and Co",
            "company_name": "Bowman and Co",
            "contact_persons": [{"first_name": "Will", "email": "will@bowman.test"}],
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["code"], body["message"]) == (0, "The contact has been added.")
    contact = body["contact"]
    assert re.fullmatch(r"\d{15}", contact["contact_id"])
    assert contact["status"] == "active" and contact["source"] == "api"
    assert contact["has_transaction"] is False
    assert contact["outstanding_receivable_amount"] == 0
    assert BOOKS_TIME.match(contact["created_time"]) and BOOKS_TIME.match(
        contact["last_modified_time"]
    )
    # §3.8: an API-created contact answers the link keys, empty
    assert contact["is_linked_with_zohocrm"] is False and contact["is_crm_customer"] is False
    assert contact["zcrm_account_id"] == contact["zcrm_contact_id"] == contact["crm_owner_id"] == ""
    # the top-level person keys mirror the primary contact person
    (person,) = contact["contact_persons"]
    assert person["is_primary_contact"] is True
    assert contact["email"] == "will@bowman.test"
    assert contact["primary_contact_id"] == person["contact_person_id"]
    assert contact["currency_code"] == "GBP"


def test_get_contact_answers_the_same_object(books: Books) -> None:
    created = books.contact("Zylker Trading")
    response = books.get(f"contacts/{created['contact_id']}")
    assert response.status_code == 200
    assert response.json()["code"] == 0
    assert response.json()["contact"]["contact_name"] == "Zylker Trading"


def test_post_contact_without_name_answers_code_2(books: Books) -> None:
    response = books.post("contacts", {"company_name": "No display name"})
    assert response.status_code == 400
    assert response.json() == {"code": 2, "message": "Invalid value passed for contact_name"}


def test_form_encoded_body_answers_1038(books: Books) -> None:
    response = books.call("POST", "contacts", data={"contact_name": "Form Co"})
    assert response.status_code == 400
    assert response.json() == {"code": 1038, "message": "JSON is not well formed"}


def test_post_contact_with_taken_name_answers_3062(books: Books) -> None:
    books.contact("FORGE BREU-HOUS")
    response = books.post("contacts", {"contact_name": "forge breu-hous "})
    assert response.status_code == 400
    # §3.4, literal message; Zoho trims the name it quotes back
    assert response.json() == {
        "code": 3062,
        "message": 'The customer "forge breu-hous" already exists. '
        "Please specify a different name.",
    }


def test_put_contact_renaming_onto_a_taken_name_answers_3062(books: Books) -> None:
    books.contact("Taken Ltd")
    other = books.contact("Other Ltd")
    response = books.put(f"contacts/{other['contact_id']}", {"contact_name": "Taken Ltd"})
    assert response.status_code == 400
    assert response.json()["code"] == 3062
    # the clients' workaround: a PUT without contact_name succeeds
    retry = books.put(f"contacts/{other['contact_id']}", {"website": "other.test"})
    assert retry.status_code == 200
    assert retry.json()["message"] == "Contact has been updated successfully"
    assert retry.json()["contact"]["contact_name"] == "Other Ltd"


def test_concurrent_creates_of_one_name_let_exactly_one_win(books: Books) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(
            pool.map(lambda _: books.post("contacts", {"contact_name": "Race"}), range(8))
        )
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [201] + [400] * 7
    assert {r.json()["code"] for r in answers if r.status_code == 400} == {3062}


def test_unknown_contact_answers_1002_with_the_knob_status(
    books: Books, clean_sandbox: SandboxProcess
) -> None:
    response = books.get("contacts/460000000999999")
    assert response.status_code == 404
    assert response.json() == {"code": 1002, "message": "Contact does not exist."}
    clean_sandbox.knobs(books_1002_status=400)
    assert books.get("contacts/460000000999999").status_code == 400


def test_put_contact_persons_replaces_the_list(books: Books) -> None:
    contact = books.contact(
        "Persons Ltd",
        contact_persons=[
            {"first_name": "Ann", "email": "ann@p.test", "is_primary_contact": True},
            {"first_name": "Bob", "email": "bob@p.test"},
        ],
    )
    _ann, bob = contact["contact_persons"]
    body = {
        "contact_persons": [
            {"contact_person_id": bob["contact_person_id"], "is_primary_contact": True},
            {"first_name": "Cat", "email": "cat@p.test"},
        ]
    }
    updated = books.put(f"contacts/{contact['contact_id']}", body).json()["contact"]
    persons = {p["first_name"]: p for p in updated["contact_persons"]}
    # Ann was omitted, so she is removed; Bob keeps his id and becomes the one primary
    assert set(persons) == {"Bob", "Cat"}
    assert persons["Bob"]["contact_person_id"] == bob["contact_person_id"]
    assert [p["first_name"] for p in updated["contact_persons"] if p["is_primary_contact"]] == [
        "Bob"
    ]
    assert updated["email"] == "bob@p.test"
    # a PUT without contact_persons leaves them alone
    again = books.put(f"contacts/{contact['contact_id']}", {"notes": "x"}).json()["contact"]
    assert len(again["contact_persons"]) == 2


def test_put_with_an_unknown_contact_person_id_answers_1002(books: Books) -> None:
    contact = books.contact("Ghost Persons")
    body = {"contact_persons": [{"contact_person_id": "460000000000001"}]}
    response = books.put(f"contacts/{contact['contact_id']}", body)
    assert response.json()["code"] == 1002


def test_contact_person_endpoints(books: Books) -> None:
    contact = books.contact("People Co", contact_persons=[{"first_name": "Ann"}])
    cid = contact["contact_id"]
    added = books.post(f"contacts/{cid}/contactpersons", {"first_name": "Dan", "email": "d@x.test"})
    assert added.status_code == 201
    dan = added.json()["contact_person"]
    assert dan["is_primary_contact"] is False
    listed = books.get(f"contacts/{cid}/contactpersons").json()
    assert [p["first_name"] for p in listed["contact_persons"]] == ["Ann", "Dan"]
    path = f"contacts/contactpersons/{dan['contact_person_id']}"
    updated = books.put(path, {"email": "dan@x.test", "is_primary_contact": True})
    assert updated.status_code == 200
    assert books.get(f"contacts/{cid}").json()["contact"]["email"] == "dan@x.test"
    deleted = books.delete(path)
    assert deleted.json() == {"code": 0, "message": "The contact person has been deleted."}
    # the remaining person takes over as primary
    after = books.get(f"contacts/{cid}").json()["contact"]
    assert [p["is_primary_contact"] for p in after["contact_persons"]] == [True]
    assert books.delete(path).json()["code"] == 1002


def test_inactive_and_active_change_status(books: Books) -> None:
    cid = books.contact("Sleepy Co")["contact_id"]
    response = books.post(f"contacts/{cid}/inactive")
    assert response.json() == {"code": 0, "message": "The contact has been marked as inactive."}
    assert books.get(f"contacts/{cid}").json()["contact"]["status"] == "inactive"
    assert books.names(filter_by="Status.Inactive") == ["Sleepy Co"]
    assert books.names(filter_by="Status.Active") == []
    response = books.post(f"contacts/{cid}/active")
    assert response.json()["message"] == "The contact has been marked as active."
    assert books.names(filter_by="Status.Active") == ["Sleepy Co"]


def test_delete_contact_without_transactions(books: Books) -> None:
    cid = books.contact("Short Lived")["contact_id"]
    response = books.delete(f"contacts/{cid}")
    assert response.json() == {"code": 0, "message": "The contact has been deleted."}
    assert books.get(f"contacts/{cid}").json()["code"] == 1002


def test_delete_contact_with_transactions_is_refused(
    books: Books, clean_sandbox: SandboxProcess
) -> None:
    cid = books.contact("Has Invoices")["contact_id"]
    books.invoice(cid)
    response = books.delete(f"contacts/{cid}")
    assert response.status_code == 400
    assert response.json()["code"] != 0
    assert "transactions" in response.json()["message"]
    clean_sandbox.knobs(books_delete_blocked_code=1234)  # the code is UNCERTAIN (§3.5)
    assert books.delete(f"contacts/{cid}").json()["code"] == 1234
    assert books.get(f"contacts/{cid}").status_code == 200


def test_custom_fields_accept_three_input_forms(books: Books) -> None:
    contact = books.contact(
        "Custom Co",
        custom_fields=[
            {"index": 1, "value": "CRM-1"},
            {"api_name": "cf_account_manager", "value": "Amelia"},
            {"customfield_id": "460000000000903", "value": "Gold"},
        ],
    )
    assert contact["custom_field_hash"] == {
        "cf_crm_ref": "CRM-1",
        "cf_crm_ref_unformatted": "CRM-1",
        "cf_account_manager": "Amelia",
        "cf_account_manager_unformatted": "Amelia",
        "cf_segment": "Gold",
        "cf_segment_unformatted": "Gold",
    }
    assert {f["label"] for f in contact["custom_fields"]} == {
        "CRM Ref",
        "Account Manager",
        "Segment",
    }


def test_last_modified_time_moves_on_put(books: Books, clean_sandbox: SandboxProcess) -> None:
    contact = books.contact("Clocked")
    clean_sandbox.advance_clock(600)  # within the token's hour
    updated = books.put(f"contacts/{contact['contact_id']}", {"notes": "later"}).json()["contact"]
    assert updated["last_modified_time"] > contact["last_modified_time"]
    assert updated["created_time"] == contact["created_time"]


# ---------------------------------------------------------------- editions


def test_uk_contact_carries_vat_treatment(books: Books) -> None:
    contact = books.contact("VAT Ltd", vat_treatment="uk", vat_reg_no="GB123456789")
    assert (contact["vat_treatment"], contact["tax_treatment"]) == ("uk", "uk")
    response = books.post("contacts", {"contact_name": "Bad VAT", "vat_treatment": "mars"})
    assert response.json() == {"code": 2, "message": "Invalid value passed for vat_treatment"}


def test_multi_currency_org_rejects_unknown_currency(books: Books) -> None:
    assert books.contact("Euro GmbH", currency_code="EUR")["currency_code"] == "EUR"
    response = books.post("contacts", {"contact_name": "Yen KK", "currency_id": "460000000000999"})
    assert response.status_code == 400
    assert response.json() == {"code": 2, "message": "Invalid value passed for currency_id"}


def test_india_business_customer_needs_gst_treatment_and_place_of_contact(
    clean_sandbox: SandboxProcess,
) -> None:
    books = Books(clean_sandbox, org=IN_ORG)
    missing = books.post("contacts", {"contact_name": "Chennai Traders"})
    assert missing.status_code == 400
    assert missing.json()["code"] == 4011  # UNCERTAIN code, stable for the taxonomy
    no_place = books.post(
        "contacts", {"contact_name": "Chennai Traders", "gst_treatment": "business_gst"}
    )
    assert no_place.json()["code"] == 4012
    ok = books.contact("Chennai Traders", gst_treatment="business_gst", place_of_contact="TN")
    assert (ok["gst_treatment"], ok["place_of_contact"], ok["currency_code"]) == (
        "business_gst",
        "TN",
        "INR",
    )
    # an overseas customer needs no place of supply; an individual needs no treatment
    books.contact("Overseas Inc", gst_treatment="overseas")
    books.contact("Ravi Kumar", customer_sub_type="individual")


# ---------------------------------------------------------------- list


def _seed(books: Books) -> None:
    books.contact("Acme Ltd", contact_persons=[{"first_name": "Ann", "email": "ann@acme.test"}])
    books.contact("Acme Holdings", notes="parent of the Acme group")
    books.contact("Bolt & Co", contact_persons=[{"last_name": "Smith", "phone": "+44 1"}])
    books.contact("Supplier One", contact_type="vendor")


def test_list_filters_by_name_variants_and_primary_person(books: Books) -> None:
    _seed(books)
    assert books.names(contact_name="acme ltd") == ["Acme Ltd"]
    assert books.names(contact_name_startswith="Acme") == ["Acme Holdings", "Acme Ltd"]
    assert books.names(contact_name_contains="co") == ["Bolt & Co"]
    assert books.names(email="ann@acme.test") == ["Acme Ltd"]
    assert books.names(last_name="smith") == ["Bolt & Co"]
    assert books.names(phone_contains="+44") == ["Bolt & Co"]
    assert books.names(search_text="group") == ["Acme Holdings"]
    assert books.names(contact_type="vendor") == ["Supplier One"]


def test_list_answers_page_context_and_pages(books: Books) -> None:
    _seed(books)
    first = books.get("contacts", per_page=3, sort_column="contact_name", sort_order="D").json()
    assert first["page_context"] == {
        "page": 1,
        "per_page": 3,
        "has_more_page": True,
        "report_name": "Contacts",
        "applied_filter": "Status.All",
        "sort_column": "contact_name",
        "sort_order": "D",
    }
    assert [c["contact_name"] for c in first["contacts"]] == [
        "Supplier One",
        "Bolt & Co",
        "Acme Ltd",
    ]
    second = books.get("contacts", per_page=3, page=2, sort_order="D").json()
    assert [c["contact_name"] for c in second["contacts"]] == ["Acme Holdings"]
    assert second["page_context"]["has_more_page"] is False
    # per_page is capped at 200 (§3.1)
    assert books.get("contacts", per_page=500).json()["page_context"]["per_page"] == 200


def test_list_sorts_by_last_modified_time_for_incremental_reads(
    books: Books, clean_sandbox: SandboxProcess
) -> None:
    _seed(books)
    bolt = books.get("contacts", contact_name="Bolt & Co").json()["contacts"][0]
    clean_sandbox.advance_clock(60)
    books.put(f"contacts/{bolt['contact_id']}", {"notes": "touched"})
    names = books.names(sort_column="last_modified_time", sort_order="D")
    assert names[0] == "Bolt & Co"


@pytest.mark.parametrize(
    ("param", "value"),
    [("filter_by", "Status.Sleeping"), ("sort_column", "colour"), ("sort_order", "Z")],
)
def test_list_with_an_invalid_value_answers_code_2(books: Books, param: str, value: str) -> None:
    response = books.get("contacts", **{param: value})
    assert response.status_code == 400
    assert response.json() == {"code": 2, "message": f"Invalid value passed for {param}"}


def test_per_page_over_200_answers_code_2_when_the_knob_refuses_it(
    books: Books, clean_sandbox: SandboxProcess
) -> None:
    # §3.1 is UNCERTAIN whether Zoho clamps or refuses; the knob picks, 200 itself is fine
    clean_sandbox.knobs(books_per_page_over_max="error")
    response = books.get("contacts", per_page=201)
    assert response.status_code == 400
    assert response.json() == {"code": 2, "message": "Invalid value passed for per_page"}
    assert books.get("contacts", per_page=200).json()["page_context"]["per_page"] == 200
    assert books.get("invoices", per_page=500).json()["code"] == 2


def test_display_names_clash_ignoring_case_by_default(books: Books) -> None:
    books.contact("Acme Ltd")
    for name in ("ACME LTD", "  acme ltd "):
        response = books.post("contacts", {"contact_name": name})
        assert (response.status_code, response.json()["code"]) == (400, 3062)


def test_exact_name_match_knob_lets_case_variants_coexist(
    books: Books, clean_sandbox: SandboxProcess
) -> None:
    # §3.4 does not say how 3062 compares names; "exact" still trims (Zoho stores trimmed)
    clean_sandbox.knobs(books_name_match="exact")
    books.contact("Acme Ltd")
    upper = books.contact("ACME LTD")
    for name in ("Acme Ltd", " Acme Ltd "):
        response = books.post("contacts", {"contact_name": name})
        assert (response.status_code, response.json()["code"]) == (400, 3062)
    other = books.contact("Other Ltd")["contact_id"]
    renamed = books.put(f"contacts/{other}", {"contact_name": "acme ltd"})
    assert renamed.status_code == 200, renamed.text
    taken = books.put(f"contacts/{other}", {"contact_name": "ACME LTD"})
    assert taken.json()["code"] == 3062
    assert sorted(books.names(contact_name_contains="acme")) == ["ACME LTD", "Acme Ltd", "acme ltd"]
    assert upper["contact_name"] == "ACME LTD"


def test_concurrent_creates_of_case_variants_let_exactly_one_win(books: Books) -> None:
    # no database constraint compares case: the check inside the IMMEDIATE write
    # transaction must serialise these writers
    names = ["Race Co", "RACE CO", "race co", "Race CO"] * 2
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda n: books.post("contacts", {"contact_name": n}), names))
    assert sorted(r.status_code for r in answers) == [201] + [400] * 7
    assert {r.json()["code"] for r in answers if r.status_code == 400} == {3062}
