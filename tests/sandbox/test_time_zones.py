"""Time zones (zoho-api.md §2.1, §2.3, §2.5, §3.1): CRM answers in the requesting user's
zone with a colon offset, Books in the org's zone without one, and the conditional
headers compare instants whatever offset they carry."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.sandbox.books_client import IN_ORG, UK_ORG, Books
from tests.sandbox.crm_support import ALL_SCOPES, Crm
from tests.sandbox_process import SandboxProcess

SYNC = "sync@zylker.test"


@pytest.fixture
def crm(clean_sandbox: SandboxProcess) -> Crm:
    return Crm(clean_sandbox)


def _modified(crm: Crm, record_id: str) -> str:
    return crm.get(f"Accounts/{record_id}").json()["data"][0]["Modified_Time"]


def _as(moment: str, zone: str, plus: timedelta = timedelta()) -> str:
    return (datetime.fromisoformat(moment) + plus).astimezone(ZoneInfo(zone)).isoformat()


def test_crm_answers_in_the_requesting_users_zone_with_a_colon(crm: Crm) -> None:
    record_id = crm.account("Zoned")
    assert _modified(crm, record_id).endswith("-11:00")  # admin: Pacific/Pago_Pago
    crm.headers = crm.sandbox.auth(SYNC, ALL_SCOPES)
    assert _modified(crm, record_id).endswith("+05:30")  # sync: Asia/Kolkata


def test_control_route_sets_a_users_time_zone(crm: Crm) -> None:
    client = crm.sandbox.client
    answer = client.post(
        f"/_sandbox/users/{SYNC}/time_zone", json={"time_zone": "America/St_Johns"}
    )
    assert answer.status_code == 200
    bad = client.post(f"/_sandbox/users/{SYNC}/time_zone", json={"time_zone": "Mars/Base"})
    assert bad.status_code == 400
    crm.headers = crm.sandbox.auth(SYNC, ALL_SCOPES)
    assert re.search(r"-0[23]:30$", _modified(crm, crm.account("Newfoundland")))


def test_books_keeps_the_org_zone_without_a_colon(clean_sandbox: SandboxProcess) -> None:
    for org, offsets in ((IN_ORG, {"+0530"}), (UK_ORG, {"+0000", "+0100"})):
        books = Books(clean_sandbox, org=org)
        body = {"contact_name": "Zone Ltd"}
        if org == IN_ORG:
            body |= {"gst_treatment": "business_none", "place_of_contact": "TN"}
        contact = books.post("contacts", body).json()["contact"]
        assert contact["created_time"][-5:] in offsets, contact["created_time"]


def test_if_modified_since_compares_instants_across_offsets(crm: Crm) -> None:
    record_id = crm.account("Instant")
    seen = _modified(crm, record_id)  # −11:00
    same = {"If-Modified-Since": _as(seen, "Asia/Kolkata")}
    later = {"If-Modified-Since": _as(seen, "Asia/Kolkata", timedelta(seconds=1))}
    assert crm.get("Accounts?fields=Account_Name", headers=same).status_code == 200
    assert crm.get("Accounts?fields=Account_Name", headers=later).status_code == 304


def test_if_unmodified_since_compares_instants_across_offsets(crm: Crm) -> None:
    record_id = crm.account("Guarded")
    seen = _modified(crm, record_id)
    crm.sandbox.advance_clock(5)  # the next write lands in a later second

    def put(header: str):
        body = {"data": [{"Phone": "1"}]}
        return crm.call(
            "PUT", f"Accounts/{record_id}", json=body, headers={"If-Unmodified-Since": header}
        )

    assert put(_as(seen, "Asia/Kolkata")).status_code == 200
    stale = put(_as(seen, "Europe/London"))
    assert stale.status_code == 412
    assert stale.json()["data"][0]["details"]["Modified_Time"].endswith("-11:00")
