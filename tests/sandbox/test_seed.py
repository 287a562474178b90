"""Scenario seeding (issue item 6) over the control API, checked through the public APIs."""

from pathlib import Path

import httpx
import pytest

from tests.sandbox_process import SandboxProcess

ADMIN = "admin@zylker.test"
IN_ORG = "20000002"
PATTERNS = {
    "clean",
    "pre_paired",
    "name_drift",
    "reconnect",
    "both_sides",
    "collision",
    "deleted_partner",
    "merge_orphan",
    "email_mismatch",
    "missing_tax",
    "currency",
}


def _seed(sandbox: SandboxProcess, **body: object) -> dict:
    response = sandbox.client.post("/_sandbox/seed", json=body, timeout=300)
    assert response.status_code == 201, response.text
    return response.json()


def _truth(sandbox: SandboxProcess, size: int, seed: int) -> dict:
    response = sandbox.client.get("/_sandbox/seed/truth", params={"size": size, "seed": seed})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(scope="module")
def seeded(sandbox: SandboxProcess) -> tuple[dict, dict]:
    """One messy org of ~300 records (seed 11) and its ground truth."""
    summary = _seed(sandbox, scenario="messy", size=300, seed=11)
    return summary, _truth(sandbox, 300, 11)


def _books(sandbox: SandboxProcess, path: str, **params: str) -> httpx.Response:
    headers = sandbox.auth(ADMIN, ["ZohoBooks.fullaccess.all"])
    params = {"organization_id": IN_ORG, **params}
    return sandbox.client.get(f"/books/v3{path}", headers=headers, params=params)


def test_seed_contains_every_pattern(seeded: tuple[dict, dict]) -> None:
    summary, truth = seeded
    assert set(summary["patterns"]) == PATTERNS
    assert all(counts["entities"] >= 1 for counts in summary["patterns"].values())
    details = {c["detail"] for c in truth["clusters"] if c["pattern"] == "name_drift"}
    # every drift the issue names: Ltd/Limited, & / and, trailing space, leading "The", case
    assert {"ltd_limited", "ampersand", "trailing_space", "leading_the", "case"} <= details
    assert Path(summary["truth_path"]).name == "sandbox-truth-messy-300-11.json"


def test_seed_history_shows_in_the_native_runs(seeded: tuple[dict, dict]) -> None:
    summary, _ = seeded
    first, reconnect, last = summary["runs"]
    assert first["created"] > 0 and first["failure_count"] > 0  # 3062, 4012, currency
    assert reconnect["created"] > 0  # the renames made while disconnected
    assert last["failure_count"] >= first["failure_count"] - 1


def test_name_drift_duplicates_are_real_books_customers(
    sandbox: SandboxProcess, seeded: tuple[dict, dict]
) -> None:
    _, truth = seeded
    cluster = next(c for c in truth["clusters"] if c["pattern"] == "name_drift" and c["duplicate"])
    contacts = [
        _books(sandbox, f"/contacts/{cid}").json()["contact"]
        for cid in cluster["books_contact_ids"]
    ]
    linked = [c for c in contacts if c["zcrm_account_id"]]
    hand_typed = [c for c in contacts if not c["zcrm_account_id"]]
    assert [c["zcrm_account_id"] for c in linked] == cluster["crm_account_ids"]
    assert len(hand_typed) == 1
    assert hand_typed[0]["contact_name"] != linked[0]["contact_name"]


def test_merge_orphan_keeps_the_dead_crm_id(
    sandbox: SandboxProcess, seeded: tuple[dict, dict]
) -> None:
    _, truth = seeded
    cluster = next(c for c in truth["clusters"] if c["pattern"] == "merge_orphan")
    (dead,) = cluster["dead_crm_account_ids"]
    (orphan,) = _books(sandbox, "/contacts", zcrm_account_id=dead).json()["contacts"]
    assert orphan["contact_id"] in cluster["books_contact_ids"]
    crm = sandbox.auth(ADMIN, ["ZohoCRM.modules.ALL"])
    assert sandbox.client.get(f"/crm/v8/Accounts/{dead}", headers=crm).status_code != 200


def test_seeded_customers_have_invoices_with_balances(
    sandbox: SandboxProcess, seeded: tuple[dict, dict]
) -> None:
    summary, _ = seeded
    assert summary["records"]["books_invoices"] > 0
    unpaid = _books(sandbox, "/contacts", filter_by="Invoice.Unpaid").json()["contacts"]
    assert unpaid and all(c["outstanding_receivable_amount"] > 0 for c in unpaid)


def test_seed_is_deterministic_for_a_seed(clean_sandbox: SandboxProcess) -> None:
    first = _seed(clean_sandbox, scenario="messy", size=200, seed=3)
    first_truth = _truth(clean_sandbox, 200, 3)
    second = _seed(clean_sandbox, scenario="messy", size=200, seed=3)
    assert second["records"] == first["records"]
    assert second["patterns"] == first["patterns"]
    assert _truth(clean_sandbox, 200, 3)["clusters"] == first_truth["clusters"]
    other = _seed(clean_sandbox, scenario="messy", size=200, seed=4)
    assert _truth(clean_sandbox, 200, 4)["clusters"] != first_truth["clusters"]
    assert other["seed"] == 4


def test_seed_can_leave_the_connecting_user_deactivated(clean_sandbox: SandboxProcess) -> None:
    summary = _seed(clean_sandbox, scenario="messy", size=50, seed=1, deactivate_sync_user=True)
    assert summary["sync_user_active"] is False
    headers = clean_sandbox.auth(ADMIN, ["ZohoCRM.users.READ"])
    response = clean_sandbox.client.get("/crm/v8/users?type=DeactiveUsers", headers=headers)
    assert [u["email"] for u in response.json()["users"]] == ["sync@zylker.test"]


def test_seed_refuses_unknown_scenarios_and_sizes(clean_sandbox: SandboxProcess) -> None:
    for body in ({"scenario": "tidy", "size": 100}, {"size": 10}, {"size": 300_000}, {}):
        assert clean_sandbox.client.post("/_sandbox/seed", json=body).status_code == 400
    missing = clean_sandbox.client.get("/_sandbox/seed/truth", params={"size": 7, "seed": 7})
    assert missing.status_code == 404


def test_seed_of_5000_records_completes(clean_sandbox: SandboxProcess, tmp_path: Path) -> None:
    truth = tmp_path / "truth.json"
    summary = _seed(clean_sandbox, scenario="messy", size=5000, seed=2, truth=str(truth))
    assert 4000 <= summary["records"]["total"] <= 6500
    assert truth.is_file()
