"""Plans over the messy scenario in the sandbox: the money preview against Books' own
invoices, deletion where the plan says so, re-validation before running, and undo."""

from decimal import Decimal

import httpx

from syncadmin import cleanup
from syncadmin.cleanup.execute import _books_now
from syncadmin.models import ItemState, MatchCluster, PlanState, Review, StepKind
from syncadmin.sync.profile import org_clients
from tests.cleanup.support import approved_plan, books_state, run_plan
from tests.zoho_helpers import ADMIN, BOOKS_UK


def sandbox_invoices(zoho) -> list[dict]:
    """Every invoice of the organisation, read straight from the sandbox's Books API."""
    headers = zoho.auth(ADMIN, ["ZohoBooks.fullaccess.all"])
    found, page = [], 1
    while True:
        answer = httpx.get(
            f"{zoho.base_url}/books/v3/invoices", headers=headers,
            params={"organization_id": BOOKS_UK, "per_page": 200, "page": page},
        )  # fmt: skip
        assert answer.status_code == 200, answer.text
        found += answer.json()["invoices"]
        if not answer.json()["page_context"]["has_more_page"]:
            return found
        page += 1


def test_money_preview_totals_equal_the_sandbox_invoices_of_the_records_involved(
    matched, zoho, admin_user, finance_user
):
    org, _ = matched
    plan = approved_plan(org, admin=admin_user, finance=finance_user, delete_losers=True)

    involved = {copy["contact_id"] for item in plan.items.all() for copy in item.preview["copies"]}
    theirs = [i for i in sandbox_invoices(zoho) if i["customer_id"] in involved]
    assert plan.preview["invoice_count"] == len(theirs) > 0
    by_currency: dict[str, Decimal] = {}
    for invoice in theirs:
        cur = invoice["currency_code"]
        by_currency[cur] = by_currency.get(cur, Decimal(0)) + Decimal(str(invoice["balance"]))
    assert {c: Decimal(v) for c, v in plan.preview["outstanding"].items()} == by_currency
    # Losers with invoices are kept (inactive); the others are deleted, as planned.
    for item in plan.items.all():
        for copy in item.preview["copies"]:
            if copy["role"] == "loser":
                assert copy["fate"] == ("inactive" if copy["invoice_count"] else "deleted")

    cleanup.plan_execute_start(plan=plan, actor=finance_user)
    run_plan(plan)

    plan.refresh_from_db()
    assert plan.state == PlanState.DONE
    clients = org_clients(org)
    deleted = [
        step.params["contact_id"]
        for item in plan.items.all()
        for step in item.steps.filter(kind=StepKind.DELETE)
    ]
    assert deleted
    assert all(_books_now(clients, cid)["status"] == "gone" for cid in deleted)


def test_an_item_changed_since_approval_goes_back_to_review_and_undo_reactivates(
    matched, zoho, admin_user, finance_user
):
    org, _ = matched
    plan = approved_plan(org, admin=admin_user, finance=finance_user)
    changed = plan.items.get(position=1)
    renamed = changed.losers["books"][0]
    # Someone renames a loser in Books after finance approved.
    org_clients(org).books.contact_update(
        contact_id=renamed, payload={"contact_name": "Renamed after approval Ltd"}
    )

    cleanup.plan_execute_start(plan=plan, actor=finance_user)
    run_plan(plan)

    plan.refresh_from_db()
    changed.refresh_from_db()
    assert changed.state == ItemState.BACK_TO_REVIEW
    assert "Renamed after approval Ltd" in changed.note
    assert MatchCluster.objects.get(pk=changed.cluster_id).review == Review.PENDING
    books = books_state(org)
    assert books[renamed]["status"] == "active"  # nothing ran for that item
    assert plan.state == PlanState.DONE  # the other items ran
    losers = [cid for i in plan.items.exclude(pk=changed.pk) for cid in i.losers["books"]]
    assert losers and all(books[cid]["status"] == "inactive" for cid in losers)

    lines = cleanup.plan_undo(plan=plan, actor=finance_user)

    assert any(not line.possible and "merged" in line.what for line in lines)  # merges stay
    books = books_state(org)
    assert all(books[cid]["status"] == "active" for cid in losers)
    # Undone steps are marked: a second undo has nothing left to reactivate.
    assert not any("Reactivate" in line.what for line in cleanup.undo_plan(plan=plan))
