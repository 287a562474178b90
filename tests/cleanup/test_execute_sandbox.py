"""End to end on the sandbox: an approved plan over the messy scenario runs, and Zoho's
state afterwards is read back through its API."""

import pytest

from syncadmin import cleanup
from syncadmin.cleanup.execute import _crm_get as crm_get  # record_gone → None
from syncadmin.models import (
    EventOutcome,
    ItemState,
    MatchCluster,
    PlanState,
    PlanStep,
    RecordLink,
    Review,
    StepKind,
)
from syncadmin.models.mapping import NOT_LIVE_STATES
from syncadmin.sync.profile import org_clients
from syncadmin.sync.push import record_push
from syncadmin.sync.reconcile import reconcile_now
from tests.cleanup.conftest import mirror_and_match
from tests.cleanup.support import (
    approved_plan,
    books_state,
    native_run,
    run_plan,
    sandbox_calls,
    sandbox_now,
)


def test_approved_plan_cleans_the_messy_scenario_and_nothing_comes_back(
    matched, zoho, admin_user, finance_user
):
    org, clusters = matched
    plan = approved_plan(org, admin=admin_user, finance=finance_user)
    planned = [(c.method, c.path) for c in cleanup.plan_dry_run(plan=plan)]
    since = sandbox_now(zoho)

    cleanup.plan_execute_start(plan=plan, actor=finance_user)
    run_plan(plan)

    plan.refresh_from_db()
    assert plan.state == PlanState.DONE, list(plan.items.values_list("state", "note"))
    # The dry run announced exactly the calls the execution made, in order.
    assert sandbox_calls(zoho, since) == planned
    clients = org_clients(org)
    books = books_state(org)
    for item in plan.items.all():
        assert item.state == ItemState.DONE
        keep_books, keep_crm = item.survivors.get("books"), item.survivors.get("crm")
        if keep_books:
            assert books[keep_books]["status"] == "active"
        for loser in item.losers["books"]:
            assert books[loser]["status"] == "inactive"  # deactivated, not deleted
        for child in item.losers["crm"]:  # merged into the survivor: gone from CRM
            assert crm_get(clients, "Accounts", child) is None
        if keep_crm:
            assert crm_get(clients, "Accounts", keep_crm) is not None
        if keep_books and keep_crm:  # syncadmin links survivor to survivor, sync resumed
            link = RecordLink.objects.exclude(state__in=NOT_LIVE_STATES).get(
                crm_record__crm_id=keep_crm
            )
            assert link.books_contact.contact_id == keep_books
            assert not link.paused
    # No step ran twice: one write per deactivated customer and per merge in Zoho's log.
    writes = [c for c in sandbox_calls(zoho, since) if c[0] != "GET"]
    assert len(writes) == len(set(writes))
    assert PlanStep.objects.filter(item__plan=plan, kind=StepKind.MERGE).exists()

    # Neither the next native sync nor syncadmin's reconcile re-creates a duplicate, nor a
    # push of any survivor (what a CRM edit would trigger): it lands on the linked survivor.
    before = set(books)
    native_run(zoho, org)
    reconcile_now(organization_id=org.books_organization_id)
    survivors = [i.survivors["crm"] for i in plan.items.all() if i.survivors.get("crm")]
    # A person completes the survivors in CRM (the seed left their VAT treatment empty) and
    # each change is pushed: it lands on the linked survivor, never on a new customer.
    clients.crm.update(
        module="Accounts", records=[{"id": c, "VAT_Treatment": "uk"} for c in survivors]
    )
    outcomes = [
        record_push(organization_id=org.books_organization_id, module="Accounts", crm_id=c,
                    trigger="manual")
        for c in survivors
    ]  # fmt: skip
    # The retired copies moved their names aside, so the survivors take the CRM names.
    assert {o.outcome for o in outcomes} <= {EventOutcome.UPDATED, EventOutcome.UNCHANGED}
    assert {o.link.books_contact.contact_id for o in outcomes if o.link} <= {
        i.survivors.get("books") for i in plan.items.all()
    }
    involved = {ref.split(":", 1)[1] for c in clusters for ref in c.refs}
    after = books_state(org)
    for contact_id in set(after) - before:
        data = after[contact_id]
        assert data.get("zcrm_account_id", "") not in involved, data
    names = {b["contact_name"].lower() for i, b in books.items() if f"books:{i}" in
             {r for c in clusters for r in c.refs}}  # fmt: skip
    assert not {after[i]["contact_name"].lower() for i in set(after) - before} & names


def test_a_cleaned_scenario_matched_again_leaves_nothing_to_plan(
    matched, zoho, admin_user, finance_user
):
    org, _ = matched
    plan = approved_plan(org, admin=admin_user, finance=finance_user)
    cleanup.plan_execute_start(plan=plan, actor=finance_user)
    run_plan(plan)

    mirror_and_match(org)  # the retired copies are still in Books, inactive
    cleanup.clusters_accept_certain(organization_id=org.books_organization_id, actor=finance_user)

    # The same parties are found again (and accepted), yet nothing is left to do for them.
    assert MatchCluster.objects.filter(superseded=False, review=Review.ACCEPTED).exists()
    with pytest.raises(cleanup.PlanRefused):
        cleanup.plan_create(organization_id=org.books_organization_id, actor=admin_user)
