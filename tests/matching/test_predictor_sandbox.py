"""The native first-sync predictor against the sandbox's emulated native sync, on every
CRM account of the messy scenario: predict from what the APIs show, then disconnect,
reconnect and run the emulation, and compare record by record.

The predictor answers the naming question (pair, new customer, 3062). Books refusing a
record's data (no place of supply, an unknown currency) is not a naming question: such
records must be predicted as not paired, and are counted apart."""

from syncadmin.matching import Record, Side, predict_first_sync
from tests.matching.sandbox_records import (
    ACCOUNT_FIELDS,
    IN_ORG,
    books_contacts,
    books_record,
    crm_records,
)


def _crm(raw: dict) -> Record:
    return Record(Side.CRM, raw["id"], raw["Account_Name"] or "", created=raw["Created_Time"])


def _native(sandbox, action: str) -> dict:
    response = sandbox.client.post(f"/_sandbox/native/{action}", json={"books_org": IN_ORG})
    assert response.status_code == 200, response.text
    return response.json()


def _emulated(before: list[dict], after: list[dict], run: dict) -> dict[str, tuple[str, str]]:
    """crm id → (outcome, Books contact id) as the emulation did it."""
    known = {c["contact_id"] for c in before}
    outcome = {}
    for contact in after:
        crm_id = contact["zcrm_account_id"]
        if contact["contact_id"] not in known and crm_id:
            outcome[crm_id] = ("create", "")
    for failure in run["failures"]:
        kind = "name_clash" if failure["code"] == 3062 else "refused"
        outcome[failure["crm_record_id"]] = (kind, "")
    return outcome


def test_prediction_equals_what_a_reconnect_does(messy_sandbox):
    sandbox, _ = messy_sandbox
    accounts = [_crm(a) for a in crm_records(sandbox, "Accounts", ACCOUNT_FIELDS)]
    before = books_contacts(sandbox)
    predicted = predict_first_sync(accounts, [books_record(c) for c in before])

    _native(sandbox, "disconnect")
    _native(sandbox, "connect")
    (run,) = _native(sandbox, "run")["runs"]
    after = books_contacts(sandbox)
    emulated = _emulated(before, after, run)
    link_after = {c["contact_id"]: c["zcrm_account_id"] for c in after}

    outcomes = {o.crm_id: o for o in predicted}
    assert set(outcomes) == {a.id for a in accounts}
    mismatches, refused = [], 0
    for crm_id, guess in outcomes.items():
        actual, _ = emulated.get(crm_id, ("pair", ""))
        if actual == "refused":  # Books refused the data: it must not have been a pair
            refused += 1
            ok = guess.outcome in ("create", "name_clash")
        elif actual == "pair":  # the predicted customer now carries this CRM id
            ok = guess.outcome == "pair" and link_after.get(guess.books_id) == crm_id
        else:
            ok = guess.outcome == actual
        if not ok:
            mismatches.append((crm_id, guess, actual))
    assert mismatches == []
    # the run's own counters agree too: skip mode counts each pair as skipped
    refused_creates = sum(
        o.outcome == "create" and emulated.get(o.crm_id, ("",))[0] == "refused" for o in predicted
    )
    assert run["skipped"] == sum(o.outcome == "pair" for o in predicted)
    assert run["created"] == sum(o.outcome == "create" for o in predicted) - refused_creates
    clashes = sum(o.outcome == "name_clash" for o in predicted)
    assert run["failure_count"] == clashes + refused_creates
    # the scenario exercises every outcome
    kinds = {o.outcome for o in predicted}
    assert {"pair", "create", "name_clash"} <= kinds
    assert any(o.ambiguous for o in predicted)
