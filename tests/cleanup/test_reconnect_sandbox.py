"""Reconnect without new duplicates: on the messy scenario, Zoho's native disconnect +
reconnect makes new Books customers for pairs syncadmin knew — unless the reconnect-prepare
plan aligned the Books names with CRM first. The test shows both."""

import pytest

from syncadmin import cleanup
from syncadmin.cleanup.reconnect import known_pairs
from syncadmin.models import PlanState
from tests.cleanup.conftest import mirror_and_match
from tests.cleanup.support import approved_plan, books_state, native_run, run_plan


def _reconnect(zoho, org) -> dict:
    for action in ("disconnect", "connect"):
        answer = zoho.client.post(
            f"/_sandbox/native/{action}", json={"books_org": org.books_organization_id}
        )
        assert answer.status_code == 200, answer.text
    return native_run(zoho, org)


def _cleaned(org, admin, finance, *, delete_losers: bool = True) -> dict[str, str]:
    """The messy scenario after an approved cleanup plan ran: survivors linked in syncadmin
    (often under a Books name that differs from CRM's), losers without invoices deleted,
    the others inactive. The known pairs."""
    mirror_and_match(org)
    plan = approved_plan(org, admin=admin, finance=finance, delete_losers=delete_losers)
    cleanup.plan_execute_start(plan=plan, actor=finance)
    run_plan(plan)
    return {
        link.crm_record.crm_id: link.books_contact.contact_id
        for link in known_pairs(org.books_organization_id)
    }


def _strays(org, pairs: dict[str, str], before: set[str]) -> tuple[list, list]:
    """(new customers for known pairs, known pairs Zoho did not pair as syncadmin has them)."""
    after = books_state(org)
    new = [d for i, d in after.items() if i not in before and d.get("zcrm_account_id") in pairs]
    elsewhere = [c for c, b in pairs.items() if after[b].get("zcrm_account_id") != c]
    return new, elsewhere


def test_reconnect_after_a_cleanup_without_the_plan_makes_new_customers(
    messy_org, zoho, admin_user, finance_user
):
    pairs = _cleaned(messy_org, admin_user, finance_user)
    before = set(books_state(messy_org))

    _reconnect(zoho, messy_org)

    new, elsewhere = _strays(messy_org, pairs, before)
    # Survivors keep their hand-typed names: the exact-name pairing misses them, and the
    # CRM record becomes a new Books customer — a fresh duplicate of its survivor.
    assert len(new) >= 5, (new, elsewhere)
    assert elsewhere  # and syncadmin's survivors are no longer the ones Zoho pairs


# Deleted losers free their names; inactive ones still hold them, and the prepare plan
# moves those names out of the way first.
@pytest.mark.parametrize("delete_losers", [True, False], ids=["losers-deleted", "losers-inactive"])
def test_reconnect_after_the_prepare_plan_makes_no_customer_for_known_pairs(
    messy_org, zoho, admin_user, finance_user, delete_losers
):
    pairs = _cleaned(messy_org, admin_user, finance_user, delete_losers=delete_losers)
    plan = cleanup.reconnect_plan_create(
        organization_id=messy_org.books_organization_id, actor=admin_user
    )
    assert plan.report["pairs"] == pairs
    cleanup.plan_submit(plan=plan, actor=admin_user)
    cleanup.plan_approve(plan=plan, actor=finance_user)
    cleanup.plan_execute_start(plan=plan, actor=finance_user)
    run_plan(plan)
    plan.refresh_from_db()
    assert plan.state == PlanState.DONE
    before = set(books_state(messy_org))

    _reconnect(zoho, messy_org)

    refused = {r["crm_id"] for r in plan.report["cannot_align"]}
    new, elsewhere = _strays(messy_org, pairs, before)
    assert [d for d in new if d["zcrm_account_id"] not in refused] == []
    assert [c for c in elsewhere if c not in refused] == []
    verdict = cleanup.reconnect_verify(plan=plan, actor=admin_user)
    assert [n for n in verdict["new_duplicates"] if n["crm_id"] not in refused] == []
    assert [m for m in verdict["mismatched"] if m["crm_id"] not in refused] == []
