"""Helpers for cleanup tests: a plan taken through approval, Zoho read back over its API."""

from syncadmin import cleanup
from syncadmin.models import PlanStep, StepKind
from syncadmin.sync.profile import org_clients

PERSON_STEPS = (StepKind.SUPPORT_GATE, StepKind.REPOINT_INVOICES, StepKind.SETTLE_BLOCKERS)


def approved_plan(org, *, admin, finance, delete_losers=False):
    """Every certain cluster accepted by finance, a plan proposed by the admin, the native
    sync confirmed off, every gate confirmed, approved by finance, merges confirmed."""
    org_id = org.books_organization_id
    cleanup.clusters_accept_certain(organization_id=org_id, actor=finance)
    plan = cleanup.plan_create(organization_id=org_id, actor=admin, delete_losers=delete_losers)
    cleanup.plan_confirm_native_off(plan=plan, actor=admin)
    for step in PlanStep.objects.filter(item__plan=plan, kind__in=PERSON_STEPS):
        cleanup.step_confirm(step=step, actor=admin, note="Zoho support confirmed")
    cleanup.plan_submit(plan=plan, actor=admin)
    cleanup.plan_approve(plan=plan, actor=finance)
    cleanup.plan_confirm_merges(plan=plan, actor=finance)
    return plan


def sandbox_calls(zoho, since: str) -> list[tuple[str, str]]:
    """(method, path) of every Books and CRM call the sandbox answered since ``since``."""
    answer = zoho.client.get("/_sandbox/calls", params={"since": since})
    assert answer.status_code == 200, answer.text
    return [
        (c["method"], c["path"]) for c in answer.json()["calls"] if c["service"] in ("books", "crm")
    ]


def sandbox_now(zoho) -> str:
    return zoho.client.get("/_sandbox/stats").json()["now"]


def patiently(call, *, attempts: int = 6):
    """Call again after a transient Zoho error (the budget's minute is used up), as the
    Celery task's retry would; these tests make well over 100 Books calls a minute."""
    from syncadmin.zoho.errors import TransientZohoError

    for attempt in range(attempts):
        try:
            return call()
        except TransientZohoError:
            if attempt == attempts - 1:
                raise


def run_plan(plan) -> None:
    """Execute an executing plan to its end, retrying transient errors like the task."""
    patiently(lambda: cleanup.plan_execute(plan_id=plan.pk))
    plan.refresh_from_db()


def books_state(org) -> dict[str, dict]:
    """Every Books customer as Books lists it now: id → the list row's data."""
    return patiently(lambda: {c.contact_id: c.data for c in org_clients(org).books.contacts()})


def native_run(zoho, org) -> dict:
    answer = zoho.client.post("/_sandbox/native/run", json={"books_org": org.books_organization_id})
    assert answer.status_code == 200, answer.text
    return answer.json()["runs"][0]


ORG = "20099000001"


def stored_cluster(*, band="certain", books=2, crm=1, outstanding="0", invoices=0, key=1):
    """A stored cluster as a match run leaves it, over mirror rows made for it: Books copies
    (the first survives) and CRM copies (the first survives), every pair scored."""
    from decimal import Decimal
    from itertools import combinations

    from syncadmin.models import MatchCluster, MatchPair, RunKind
    from tests.factories import BooksContactFactory, CrmRecordFactory, SyncRunFactory

    run = SyncRunFactory(kind=RunKind.CLEANUP, organization_id=ORG)
    rows = [BooksContactFactory(organization_id=ORG) for _ in range(books)]
    records = [CrmRecordFactory() for _ in range(crm)]
    refs = [f"books:{b.contact_id}" for b in rows] + [f"crm:{c.crm_id}" for c in records]
    snapshot = {f"books:{b.contact_id}": {"name": b.contact_name, "status": "active"}
                for b in rows}  # fmt: skip
    snapshot |= {f"crm:{c.crm_id}": {"name": c.name} for c in records}
    survivors = {}
    if rows:
        survivors["books"] = refs[0]
    if records:
        survivors["crm"] = f"crm:{records[0].crm_id}"
    cluster = MatchCluster.objects.create(
        run=run, organization_id=ORG, key=key, refs=refs, band=band,
        direction="books" if books > 1 else "crm", survivors=survivors,
        proposed_survivors=survivors, snapshot=snapshot, invoice_count=invoices,
        outstanding=Decimal(outstanding), evidence=["same e-mail"],
    )  # fmt: skip
    for a, b in combinations(sorted(refs), 2):
        MatchPair.objects.create(cluster=cluster, a=a, b=b, score=0.97, band=band,
                                 evidence=["same e-mail", "name ≈"])  # fmt: skip
    return cluster


def draft_plan(*, proposer, state="submitted"):
    """A plan with one item and its steps, without Zoho (for approval and screen tests)."""
    from syncadmin.models import CleanupPlan, PlanItem, PlanStep

    plan = CleanupPlan.objects.create(
        organization_id=ORG, title="Cleanup of 1 cluster", proposed_by=proposer, state=state,
        preview={"invoice_count": 2, "outstanding": {"GBP": "120.00"}, "inactive": 1},
    )  # fmt: skip
    item = PlanItem.objects.create(
        plan=plan, position=1, label="Acme Ltd", survivors={"books": "1", "crm": "9"},
        losers={"books": ["2"], "crm": []}, support_pack="Subject: Please re-point …",
        preview={"copies": [{"contact_id": "2", "name": "Acme Limited", "role": "loser",
                             "fate": "inactive", "currency": "GBP", "tax_treatment": "uk",
                             "invoice_count": 2, "outstanding": "120.00", "invoices": []}]},
    )  # fmt: skip
    for n, kind in enumerate(
        [StepKind.PAUSE, StepKind.NATIVE_OFF, StepKind.RELINK, StepKind.SUPPORT_GATE,
         StepKind.DEACTIVATE, StepKind.RESUME], start=1,
    ):  # fmt: skip
        PlanStep.objects.create(item=item, position=n, kind=kind, params={"contact_id": "2"})
    return plan
