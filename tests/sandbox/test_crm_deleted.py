"""CRM `GET /{module}/deleted`: tombstones of deletes and merges."""

from datetime import datetime, timedelta

import pytest

from tests.sandbox.crm_support import Crm
from tests.sandbox_process import SandboxProcess


@pytest.fixture
def crm(clean_sandbox: SandboxProcess) -> Crm:
    return Crm(clean_sandbox)


def deleted(crm: Crm, module: str = "Accounts", **params) -> list[dict]:
    headers = params.pop("headers", {})
    response = crm.get(f"{module}/deleted", params=params, headers=headers)
    if response.status_code == 204:
        assert response.content == b""
        return []
    assert response.status_code == 200, response.text
    return response.json()["data"]


def test_no_deleted_records_answers_204(crm: Crm) -> None:
    crm.account("Alive")
    assert crm.get("Accounts/deleted").status_code == 204


def test_a_deleted_record_leaves_a_tombstone(crm: Crm) -> None:
    record_id = crm.account("Doomed Ltd")
    assert crm.call("DELETE", f"Accounts/{record_id}").status_code == 200
    (row,) = deleted(crm)
    assert row["id"] == record_id and row["display_name"] == "Doomed Ltd"
    assert row["type"] == "recycle"
    assert row["deleted_by"]["id"] == "5725767000000000101"
    assert datetime.fromisoformat(row["deleted_time"]).tzinfo is not None
    assert deleted(crm, type="recycle") == [row]
    assert deleted(crm, type="permanent") == []
    assert deleted(crm, "Contacts") == []  # per module


def test_merged_away_children_are_listed(crm: Crm) -> None:
    master = crm.account("Acme")
    child = crm.account("Acme Inc")
    merge = {"merge": [{"data": [{"id": child}]}]}
    assert crm.call("POST", f"Accounts/{master}/actions/merge", json=merge).status_code == 201
    assert [r["id"] for r in deleted(crm)] == [child]


def test_emptied_recycle_bin_makes_records_permanent(crm: Crm, clean_sandbox) -> None:
    record_id = crm.contact("Gone")
    crm.call("DELETE", f"Contacts/{record_id}")
    emptied = clean_sandbox.client.post("/_sandbox/crm/recycle_bin/empty", json={})
    assert emptied.json() == {"emptied": 1}
    (row,) = deleted(crm, "Contacts", type="permanent")
    assert row["id"] == record_id and row["type"] == "permanent"
    assert deleted(crm, "Contacts", type="recycle") == []
    assert len(deleted(crm, "Contacts", type="all")) == 1


def test_if_modified_since_and_paging(crm: Crm, clean_sandbox) -> None:
    ids = crm.insert("Accounts", *({"Account_Name": f"Old {i}"} for i in range(3)))
    crm.call("DELETE", "Accounts", params={"ids": ",".join(ids)})
    clean_sandbox.advance_clock(120)
    cutoff = datetime.fromisoformat(deleted(crm)[0]["deleted_time"]) + timedelta(seconds=60)
    fresh = crm.account("New")
    crm.call("DELETE", f"Accounts/{fresh}")
    since = deleted(crm, headers={"If-Modified-Since": cutoff.isoformat()})
    assert [r["id"] for r in since] == [fresh]

    first = crm.get("Accounts/deleted", params={"per_page": 3, "page": 1}).json()
    assert first["info"]["more_records"] is True and first["info"]["count"] == 3
    second = deleted(crm, per_page=3, page=2)
    assert len(second) == 1
    assert crm.get("Accounts/deleted", params={"type": "bogus"}).status_code == 400
