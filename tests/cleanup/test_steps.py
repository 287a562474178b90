"""The order of an item's steps: the only safe one, with the extra steps blockers need."""

import pytest

from syncadmin.cleanup.plans import _native_repoint, _steps
from syncadmin.models import CleanupPlan, MatchCluster, PlanItem, StepKind
from tests.cleanup.support import ORG
from tests.factories import BooksContactFactory

pytestmark = pytest.mark.django_db


def copy(contact_id, role, invoices=0, fate="inactive"):
    invoices_list = [{"invoice_id": f"inv{n}", "number": f"INV-{n}"} for n in range(invoices)]
    return {"contact_id": contact_id, "role": role, "invoice_count": invoices,
            "fate": fate, "invoices": invoices_list}  # fmt: skip


def steps_for(*, blockers=(), crm_losers=(), copies=(), support=""):
    plan = CleanupPlan(organization_id=ORG, title="t")
    item = PlanItem(
        plan=plan, survivors={"books": "b1", "crm": "c1"}, support_pack=support,
        losers={"books": [c["contact_id"] for c in copies if c["role"] == "loser"],
                "crm": list(crm_losers)},
    )  # fmt: skip
    cluster = MatchCluster(blockers=list(blockers))
    return list(_steps(plan, item, cluster, list(copies)))


def test_the_safe_order_pause_relink_deactivate_merge_resume():
    kinds = [k for k, _ in steps_for(copies=[copy("b1", "survivor"), copy("b2", "loser")],
                                     crm_losers=["c2"])]  # fmt: skip

    assert kinds == [
        StepKind.PAUSE, StepKind.NATIVE_OFF, StepKind.RELINK, StepKind.DEACTIVATE,
        StepKind.MERGE, StepKind.RESUME,
    ]  # fmt: skip


def test_a_loser_with_invoices_gets_its_invoice_list_before_it_goes():
    found = steps_for(
        copies=[copy("b1", "survivor"), copy("b2", "loser", invoices=2)],
        blockers=["2 Books copies have transactions: re-point them to the survivor",
                  "different currencies: GBP / INR"],
    )  # fmt: skip
    kinds = [k for k, _ in found]

    repoint = dict(found)[StepKind.REPOINT_INVOICES]
    assert [i["number"] for i in repoint["invoices"]] == ["INV-0", "INV-1"]
    assert repoint["to"] == "b1"
    assert dict(found)[StepKind.SETTLE_BLOCKERS]["blockers"] == ["different currencies: GBP / INR"]
    assert kinds.index(StepKind.REPOINT_INVOICES) < kinds.index(StepKind.DEACTIVATE)
    assert kinds.index(StepKind.SETTLE_BLOCKERS) < kinds.index(StepKind.DEACTIVATE)


def test_crm_merges_take_at_most_two_children_each_with_the_survivor_as_master():
    merges = [p for k, p in steps_for(crm_losers=["c2", "c3", "c4"]) if k == StepKind.MERGE]

    assert [(m["master_id"], m["child_ids"]) for m in merges] == [
        ("c1", ["c2", "c3"]), ("c1", ["c4"]),
    ]  # fmt: skip


def test_a_deletable_loser_is_deleted_and_the_mapping_gate_comes_after_relink():
    found = [k for k, _ in steps_for(copies=[copy("b2", "loser", fate="deleted")], support="x")]

    assert StepKind.DELETE in found and StepKind.DEACTIVATE not in found
    assert (
        found.index(StepKind.RELINK)
        < found.index(StepKind.SUPPORT_GATE)
        < found.index(StepKind.DELETE)
    )


@pytest.mark.parametrize(
    ("survivor_link", "loser_link", "gate"),
    [("c1", "", False), ("", "c1", True), ("c9", "", True), ("", "", False)],
)
def test_the_support_gate_only_when_zohos_map_points_elsewhere(survivor_link, loser_link, gate):
    plan = CleanupPlan.objects.create(organization_id=ORG, title="t")
    BooksContactFactory(organization_id=ORG, contact_id="b1", zcrm_account_id=survivor_link)
    BooksContactFactory(organization_id=ORG, contact_id="b2", zcrm_account_id=loser_link)
    item = PlanItem(plan=plan, survivors={"books": "b1", "crm": "c1"},
                    losers={"books": ["b2"], "crm": []})  # fmt: skip

    assert _native_repoint(item) is gate


def test_relink_ends_only_the_outside_links_the_plan_named(admin_user):
    from syncadmin.cleanup.execute import _relink
    from syncadmin.models import LinkState, PlanStep, RecordLink
    from syncadmin.sync.controls import ControlRefused
    from tests.factories import CrmRecordFactory, RecordLinkFactory

    keep = BooksContactFactory(organization_id=ORG, contact_id="b1")
    survivor, outsider = CrmRecordFactory(crm_id="c1"), CrmRecordFactory(crm_id="c7")
    RecordLinkFactory(books_organization_id=ORG, crm_record=outsider, books_contact=keep)
    plan = CleanupPlan.objects.create(organization_id=ORG, title="t")
    item = PlanItem.objects.create(plan=plan, position=1, survivors={"books": "b1", "crm": "c1"},
                                   losers={"books": [], "crm": []})  # fmt: skip
    params = {"module": "Accounts", "crm_ids": ["c1"], "books_ids": ["b1"],
              "survivors": item.survivors, "losers": item.losers}  # fmt: skip
    unseen = PlanStep(item=item, position=1, kind=StepKind.RELINK, params=params)

    with pytest.raises(ControlRefused, match="does not cover"):
        _relink(plan, item, unseen, None)

    named = PlanStep(item=item, position=2, kind=StepKind.RELINK,
                     params={**params, "unlink_outside": ["c7"]})  # fmt: skip
    _relink(plan, item, named, None)
    live = RecordLink.objects.exclude(state=LinkState.SUPERSEDED).get(books_contact=keep)
    assert live.crm_record == survivor


def test_a_retired_copy_holding_the_crm_name_moves_it_aside():
    plan = CleanupPlan(organization_id=ORG, title="t")
    item = PlanItem(
        plan=plan, survivors={"books": "b1", "crm": "c1"},
        losers={"books": ["b2", "b3"], "crm": []},
        snapshot={"crm:c1": {"name": "Quinn Dairy Limited"}},
    )  # fmt: skip
    copies = [
        {**copy("b2", "loser"), "name": "QUINN DAIRY LIMITED "},  # 3062 folds case and spaces
        {**copy("b3", "loser"), "name": "Quinn Dairy Ltd"},
    ]

    found = [p for k, p in _steps(plan, item, MatchCluster(), copies) if k == StepKind.DEACTIVATE]

    assert [(p["contact_id"], p["free_name"]) for p in found] == [("b2", True), ("b3", False)]
