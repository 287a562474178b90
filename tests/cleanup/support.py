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


def books_state(org) -> dict[str, dict]:
    """Every Books customer as Books lists it now: id → the list row's data."""
    return {c.contact_id: c.data for c in org_clients(org).books.contacts()}


def native_run(zoho, org) -> dict:
    answer = zoho.client.post("/_sandbox/native/run", json={"books_org": org.books_organization_id})
    assert answer.status_code == 200, answer.text
    return answer.json()["runs"][0]
