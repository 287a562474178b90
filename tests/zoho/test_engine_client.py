"""The client calls the new sync engine needs, against the sandbox over real HTTP:
CRM metadata (modules, fields), deleted records, Books upsert by a unique custom field,
and the id/module validation that keeps bad values off the network."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest

from syncadmin.zoho import books_client, crm_client
from syncadmin.zoho.errors import ZohoError
from syncadmin.zoho.ids import InvalidZohoId, crm_import_kind, crm_module, zoho_id
from syncadmin.zoho.types import DeletedRecord

ADMIN = "admin@zylker.test"
UK = "20000001"
CRM_SCOPES = ["ZohoCRM.modules.ALL", "ZohoCRM.settings.fields.READ",
              "ZohoCRM.settings.modules.READ"]  # fmt: skip
BOOKS_SCOPES = ["ZohoBooks.fullaccess.all"]


class CountingTransport(httpx.HTTPTransport):
    """The real transport, counting every request that leaves the process."""

    def __init__(self) -> None:
        super().__init__()
        self.paths: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        return super().handle_request(request)


@pytest.fixture
def transport() -> CountingTransport:
    return CountingTransport()


@pytest.fixture
def http(transport):
    with httpx.Client(transport=transport, timeout=10) as client:  # every call is counted
        yield client


@pytest.fixture
def crm(zoho, http):
    token = zoho.token(ADMIN, CRM_SCOPES)
    return crm_client(
        http=http, api_domain=zoho.base_url, tokens=lambda *, force_refresh=False: token
    )


@pytest.fixture
def books(zoho, http):
    token = zoho.token(ADMIN, BOOKS_SCOPES)
    return books_client(
        http=http,
        api_domain=zoho.base_url,
        tokens=lambda *, force_refresh=False: token,
        organization_id=UK,
    )


def accounts(crm, *names: str) -> list[str]:
    results = crm.insert(module="Accounts", records=[{"Account_Name": n} for n in names])
    assert all(r.ok for r in results), results
    return [r.id for r in results]


# ---------------------------------------------------------------- CRM metadata


def test_modules_lists_the_crm_modules(crm):
    modules = {m["api_name"]: m for m in crm.modules()}
    assert modules["Accounts"]["api_supported"] is True
    assert modules["Contacts"]["module_name"] == "Contacts"


def test_fields_tell_whether_the_write_back_field_exists(crm, zoho):
    fields = {f["api_name"]: f for f in crm.fields(module="Accounts")}
    assert fields["Account_Name"]["data_type"] == "text"
    assert fields["Account_Name"]["custom_field"] is False
    assert "Books_Contact_ID" not in fields  # the baseline org lacks it

    added = httpx.post(
        f"{zoho.base_url}/_sandbox/crm/fields/Accounts",
        json={"api_name": "Books_Contact_ID", "field_label": "Books Contact ID",
              "data_type": "text"},
    )  # fmt: skip
    assert added.status_code == 201, added.text
    (field,) = [f for f in crm.fields(module="Accounts") if f["api_name"] == "Books_Contact_ID"]
    assert field["custom_field"] is True and field["field_label"] == "Books Contact ID"


# ---------------------------------------------------------------- deleted records


def test_deleted_yields_deleted_and_merged_away_records(crm):
    master, child, doomed, _alive = accounts(crm, "Acme", "Acme Inc", "Doomed", "Alive")
    assert list(crm.deleted(module="Accounts")) == []
    crm.merge(module="Accounts", master_id=master, child_ids=[child])
    crm.api.call("DELETE", f"/Accounts/{doomed}")
    found = list(crm.deleted(module="Accounts"))
    assert {r.id for r in found} == {child, doomed}
    record = next(r for r in found if r.id == doomed)
    assert isinstance(record, DeletedRecord)
    assert (record.module, record.type, record.display_name) == ("Accounts", "recycle", "Doomed")
    assert record.deleted_time is not None and record.deleted_time.tzinfo is not None
    assert list(crm.deleted(module="Accounts", type="permanent")) == []


def test_deleted_since_is_inclusive_and_pages(crm, zoho):
    ids = accounts(crm, *(f"Gone {i:03d}" for i in range(205)))
    for start in range(0, 205, 100):
        chunk = ids[start : start + 100]
        crm.api.call("DELETE", "/Accounts", params={"ids": ",".join(chunk)})
    everything = list(crm.deleted(module="Accounts"))
    assert len(everything) == 205 and len({r.id for r in everything}) == 205
    newest = max(r.deleted_time for r in everything)
    zoho.advance_clock(1800)  # within the access token's hour
    (late,) = accounts(crm, "Late")
    crm.api.call("DELETE", f"/Accounts/{late}")
    since = list(crm.deleted(module="Accounts", since=newest + timedelta(minutes=15)))
    assert [r.id for r in since] == [late]


# ---------------------------------------------------------------- Books upsert


def ref_of(contact) -> str:
    return contact.data["custom_field_hash"]["cf_crm_ref"]


def test_contact_upsert_creates_then_updates(books):
    created, was_created = books.contact_upsert(
        unique_key="cf_crm_ref", unique_value="5725767000000001", payload={"contact_name": "Acme"}
    )
    assert was_created and ref_of(created) == "5725767000000001"
    updated, was_created = books.contact_upsert(
        unique_key="cf_crm_ref",
        unique_value="5725767000000001",
        payload={"contact_name": "Acme Ltd"},
    )
    assert not was_created and updated.contact_id == created.contact_id
    assert updated.contact_name == "Acme Ltd"


def test_contact_upsert_tells_a_create_answered_200(books, zoho):
    # Zoho's status for an upsert-create is UNCERTAIN: the sandbox knob tries the other one
    zoho.knobs(books_upsert_create_status=200)
    _, was_created = books.contact_upsert(
        unique_key="cf_crm_ref", unique_value="31", payload={"contact_name": "Two Hundred"}
    )
    assert was_created


def test_contact_upsert_without_create_needs_a_match(books):
    with pytest.raises(ZohoError) as caught:
        books.contact_upsert(
            unique_key="cf_crm_ref", unique_value="404", payload={"notes": "x"}, create=False
        )
    assert caught.value.reason.code == "record_gone"


def test_contact_upsert_create_still_meets_3062(books):
    books.contact_create(payload={"contact_name": "Taken Ltd"})
    with pytest.raises(ZohoError) as caught:
        books.contact_upsert(
            unique_key="cf_crm_ref", unique_value="77", payload={"contact_name": "Taken Ltd"}
        )
    assert caught.value.reason.code == "display_name_taken"


def test_two_simultaneous_upserts_of_one_value_make_one_contact(books):
    def one(_: int) -> bool:
        return books.contact_upsert(
            unique_key="cf_crm_ref",
            unique_value="5725767000000099",
            payload={"contact_name": "Race"},
        )[1]

    with ThreadPoolExecutor(max_workers=4) as pool:
        created = list(pool.map(one, range(4)))
    assert created.count(True) == 1
    assert [c.contact_name for c in books.contacts(contact_name="Race")] == ["Race"]


# ---------------------------------------------------------------- ids at the boundary


def test_id_helpers_accept_ids_and_known_names():
    assert zoho_id("5725767000000001") == "5725767000000001"
    assert crm_module("accounts") == "Accounts" and crm_module("Deals") == "Deals"
    assert crm_import_kind("vendor") == "vendor"
    for bad in ("../../../x", "", "12a", "1/2", "١٢٣", "9" * 31):
        with pytest.raises(InvalidZohoId, match="not a Zoho id"):
            zoho_id(bad)
    with pytest.raises(InvalidZohoId, match="not a CRM module"):
        crm_module("../settings")
    with pytest.raises(ValueError):  # InvalidZohoId is a ValueError
        crm_import_kind("item/../../x")


def test_path_traversal_never_reaches_the_network(crm, books, transport, zoho):
    evil = "../../../x"
    calls = [
        lambda: crm.record(module="Accounts", record_id=evil),
        lambda: crm.record(module=evil, record_id="1"),
        lambda: list(crm.records(module=evil, fields=["Account_Name"])),
        lambda: crm.search(module=evil, criteria="(Account_Name:equals:x)"),
        lambda: crm.update(module="Accounts", records=[{"id": evil, "Phone": "1"}]),
        lambda: crm.insert(module=evil, records=[{"Account_Name": "x"}]),
        lambda: crm.merge(module="Accounts", master_id=evil, child_ids=["1"]),
        lambda: crm.merge(module="Accounts", master_id="1", child_ids=[evil]),
        lambda: crm.fields(module=evil),
        lambda: list(crm.deleted(module=evil)),
        lambda: books.contact(contact_id=evil),
        lambda: books.contact_update(contact_id=evil, payload={}),
        lambda: books.contact_delete(contact_id=evil),
        lambda: books.contact_mark_active(contact_id=evil),
        lambda: books.contact_mark_inactive(contact_id=evil),
        lambda: books.contact_persons(contact_id=evil),
        lambda: books.contact_person_create(contact_id=evil, payload={}),
        lambda: books.invoice_count(customer_id=evil),
        lambda: books.crm_import(kind="account", crm_id=evil),
        lambda: books.crm_import(kind=evil, crm_id="1"),
    ]

    def logged() -> dict:
        return {k: v for k, v in zoho.stats().items() if k != "now"}

    before = logged()
    for call in calls:
        with pytest.raises(InvalidZohoId):
            call()
    assert transport.paths == []
    assert logged() == before  # and the sandbox logged no call either
