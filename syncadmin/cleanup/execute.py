"""Executing an approved plan, step by step, in the budget's cleanup lane.

Guarantees:
* The plan row is the lock: one worker holds it (conditional UPDATE on its heartbeat); a
  second delivery of the task is a no-op while the first is alive.
* Every step is claimed with a conditional UPDATE before it runs and marked done with
  another; a worker killed mid-step leaves it ``running``, and the next worker takes it
  over and runs its action again. Every action reads Zoho first and writes only what is
  still to do, so no Zoho write is ever made twice (the sandbox's call log is the proof).
* Before an item's first step, its records are re-read from Zoho; an item whose records
  changed since they were matched goes back to review instead of running.
* Checklist steps, the support gate and the irreversible CRM merges wait for a person.
* Every step is an audit event on each record it touches (the record timeline).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from syncadmin.cleanup.review import audit_refs
from syncadmin.models import (
    BooksContact,
    CleanupPlan,
    CrmRecord,
    ItemState,
    MatchCluster,
    PlanItem,
    PlanState,
    PlanStep,
    RecordLink,
    Review,
    StepKind,
    StepState,
)
from syncadmin.models.mapping import NOT_LIVE_STATES
from syncadmin.sync import controls
from syncadmin.sync.profile import OrgClients, org_clients, sync_settings_ensure
from syncadmin.sync.rows import books_contact_values
from syncadmin.sync.shape import display_name
from syncadmin.zoho.errors import PermanentZohoError, TransientZohoError, ZohoError

STALE_AFTER = timedelta(minutes=2)
WAITING_KINDS = (
    StepKind.SUPPORT_GATE, StepKind.REPOINT_INVOICES, StepKind.SETTLE_BLOCKERS,
)  # fmt: skip


class ExecuteRefused(Exception):
    """The plan cannot run as asked; the message says why."""


# ------------------------------------------------------------------ start, claim, finish


def plan_execute_start(*, plan: CleanupPlan, actor) -> CleanupPlan:
    """Approved → executing; the task is enqueued after commit. Audited."""
    moved = CleanupPlan.objects.filter(pk=plan.pk, state=PlanState.APPROVED).update(
        state=PlanState.EXECUTING, started_at=timezone.now()
    )
    plan.refresh_from_db()
    if not moved:
        raise ExecuteRefused(f"Only an approved plan can run; this one is {plan.state}.")
    from syncadmin.cleanup.plans import _audit_plan
    from syncadmin.tasks import cleanup_plan_run

    _audit_plan(plan, actor, "cleanup_plan_execute", records=True)
    cleanup_plan_run.delay_on_commit(plan.pk)
    return plan


def _claim(plan_id: int) -> CleanupPlan | None:
    now = timezone.now()
    free = Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=now - STALE_AFTER)
    if not CleanupPlan.objects.filter(free, pk=plan_id, state=PlanState.EXECUTING).update(
        heartbeat_at=now
    ):
        return None
    return CleanupPlan.objects.get(pk=plan_id)


def _release(plan: CleanupPlan) -> None:
    CleanupPlan.objects.filter(pk=plan.pk).update(heartbeat_at=None)


def _beat(plan: CleanupPlan) -> None:
    CleanupPlan.objects.filter(pk=plan.pk).update(heartbeat_at=timezone.now())


def plan_execute(*, plan_id: int) -> CleanupPlan | None:
    """Run (or resume) an executing plan as far as it can go without a person.

    Returns None when another worker holds the plan. Transient Zoho errors leave the step
    pending and are raised for the task to retry later; a permanent error fails the step
    and its item (the other items go on). The plan ends ``done`` or ``partly_failed``
    once no item waits for a person.
    """
    plan = _claim(plan_id)
    if plan is None:
        return None
    try:
        clients = org_clients(
            sync_settings_ensure(books_organization_id=plan.organization_id), lane="cleanup"
        )
        for item in plan.items.filter(state__in=(ItemState.PENDING, ItemState.WAITING)):
            _beat(plan)
            _run_item(plan, item, clients)
        return _finish(plan)
    finally:
        _release(plan)


def plans_stale() -> list[int]:
    """Executing plans no live worker holds (never started, or its worker died) that can
    go on without a person: ids to deliver ``cleanup_plan_run`` again."""
    cutoff = timezone.now() - STALE_AFTER
    free = Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=cutoff)
    runnable = PlanStep.objects.filter(
        item__plan=OuterRef("pk"), state__in=(StepState.PENDING, StepState.RUNNING)
    )
    return list(
        CleanupPlan.objects.filter(free, state=PlanState.EXECUTING)
        .filter(Exists(runnable))
        .values_list("pk", flat=True)
    )


def _finish(plan: CleanupPlan) -> CleanupPlan:
    states = set(plan.items.values_list("state", flat=True))
    if states & {ItemState.PENDING, ItemState.WAITING}:
        return plan
    final = PlanState.PARTLY_FAILED if ItemState.FAILED in states else PlanState.DONE
    CleanupPlan.objects.filter(pk=plan.pk, state=PlanState.EXECUTING).update(
        state=final, finished_at=timezone.now()
    )
    plan.refresh_from_db()
    from syncadmin.cleanup.plans import _audit_plan

    _audit_plan(plan, None, f"cleanup_plan_{final}")
    return plan


# ------------------------------------------------------------------ items and steps


def _run_item(plan: CleanupPlan, item: PlanItem, clients: OrgClients) -> None:
    steps = list(item.steps.all())
    if not item.note.startswith("checked"):  # once per item, before its first step runs
        changed = revalidate(item, clients)
        if changed:
            _back_to_review(item, changed)
            return
        PlanItem.objects.filter(pk=item.pk).update(note=f"checked {timezone.now():%Y-%m-%d %H:%M}")
    for step in steps:
        if step.state in (StepState.DONE, StepState.SKIPPED, StepState.UNDONE):
            continue
        if step.state == StepState.FAILED:
            return _item_state(item, ItemState.FAILED)
        if _waits(plan, step):
            return _item_state(item, ItemState.WAITING)
        token = _claim_step(step)
        if token is None:
            return  # another worker holds it
        try:
            result = ACTIONS[step.kind](plan, item, step, clients)
        except TransientZohoError:
            PlanStep.objects.filter(pk=step.pk, claim_token=token).update(state=StepState.PENDING)
            raise
        except (PermanentZohoError, ZohoError, controls.ControlRefused) as exc:
            _step_failed(item, step, token, exc)
            return _item_state(item, ItemState.FAILED)
        _step_done(item, step, token, result)
    _item_state(item, ItemState.DONE)


def _item_state(item: PlanItem, state: str) -> None:
    PlanItem.objects.filter(pk=item.pk).update(state=state)


def _waits(plan: CleanupPlan, step: PlanStep) -> bool:
    """A checklist step, gate or unconfirmed merge: the item waits for a person."""
    if step.kind == StepKind.NATIVE_OFF and plan.native_off_at:
        PlanStep.objects.filter(pk=step.pk).update(
            state=StepState.DONE, confirmed_by=plan.native_off_by, finished_at=timezone.now()
        )
        step.state = StepState.DONE
        return False
    waits = step.kind in (StepKind.NATIVE_OFF, *WAITING_KINDS) or (
        step.kind == StepKind.MERGE and not plan.merges_confirmed_at
    )
    if waits and step.state != StepState.WAITING:
        PlanStep.objects.filter(pk=step.pk, state=StepState.PENDING).update(state=StepState.WAITING)
    if step.kind == StepKind.MERGE and plan.merges_confirmed_at and step.state == "waiting":
        PlanStep.objects.filter(pk=step.pk).update(state=StepState.PENDING)
        return False
    return waits


def _claim_step(step: PlanStep) -> str | None:
    """pending → running with our token; or take over a step left running by a dead worker
    (the plan claim guarantees no live worker holds it)."""
    token = uuid.uuid4().hex
    now = timezone.now()
    claimable = Q(state=StepState.PENDING) | Q(state=StepState.RUNNING)
    fields = {"state": StepState.RUNNING, "claim_token": token, "started_at": now}
    if not PlanStep.objects.filter(claimable, pk=step.pk).update(
        executions=F("executions") + 1, **fields
    ):
        return None
    return token


def _step_done(item: PlanItem, step: PlanStep, token: str, result: dict) -> None:
    PlanStep.objects.filter(pk=step.pk, claim_token=token).update(
        state=StepState.DONE, result=result, finished_at=timezone.now(), error=""
    )
    audit_refs(
        _refs_of(item, step), snapshot=item.snapshot, actor=None,
        action=f"cleanup_step_{step.kind}", after={"plan": item.plan_id, **result},
    )  # fmt: skip


def _step_failed(item: PlanItem, step: PlanStep, token: str, exc: Exception) -> None:
    PlanStep.objects.filter(pk=step.pk, claim_token=token).update(
        state=StepState.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
    )
    audit_refs(
        _refs_of(item, step), snapshot=item.snapshot, actor=None,
        action=f"cleanup_step_{step.kind}_failed", note=str(exc)[:500],
    )  # fmt: skip


def _refs_of(item: PlanItem, step: PlanStep) -> list[str]:
    p = step.params
    if "contact_id" in p:
        return [f"books:{p['contact_id']}"]
    if step.kind == StepKind.MERGE:
        return [f"crm:{i}" for i in [p["master_id"], *p["child_ids"]]]
    return list(item.snapshot)


# ------------------------------------------------------------------ re-validation


def revalidate(item: PlanItem, clients: OrgClients) -> list[str]:
    """Re-read the item's records from Zoho; what changed since they were matched."""
    changed = []
    for ref, before in item.snapshot.items():
        side, zoho_id = ref.split(":", 1)
        now = _books_now(clients, zoho_id) if side == "books" else _crm_now(clients, item, zoho_id)
        for key, value in before.items():
            if key in now and now[key] != value:
                changed.append(f"{ref} {key}: {value!r} → {now[key]!r}")
    return changed


def _books_now(clients: OrgClients, contact_id: str) -> dict:
    try:
        contact = clients.books.contact(contact_id=contact_id)
    except PermanentZohoError as exc:
        if exc.reason.code == "record_gone":
            return {"status": "gone"}
        raise
    # Derived as the mirror derives it, so the match-time snapshot compares like for like.
    settings = clients.settings
    row = books_contact_values(contact.data, unique_field=settings.unique_field)
    return {
        "name": row["contact_name"],
        "status": row["status"],
        "crm_link": row["zcrm_account_id"] or row["crm_ref"],
    }


def _crm_now(clients: OrgClients, item: PlanItem, crm_id: str) -> dict:
    found = _crm_get(clients, item.crm_module, crm_id)
    if found is None:
        return {"exists": False}
    return {"name": display_name(item.crm_module, found.fields)[:255], "exists": True}


def _crm_get(clients: OrgClients, module: str, crm_id: str):
    try:
        return clients.crm.record(module=module, record_id=crm_id)
    except PermanentZohoError as exc:
        if exc.reason.code == "record_gone":
            return None
        raise


def _back_to_review(item: PlanItem, changed: list[str]) -> None:
    note = "Changed since approval: " + "; ".join(changed)
    PlanItem.objects.filter(pk=item.pk).update(state=ItemState.BACK_TO_REVIEW, note=note[:4000])
    PlanStep.objects.filter(item=item, state=StepState.PENDING).update(state=StepState.SKIPPED)
    if item.cluster_id:
        MatchCluster.objects.filter(pk=item.cluster_id).update(review=Review.PENDING)
    audit_refs(
        list(item.snapshot), snapshot=item.snapshot, actor=None,
        action="cleanup_item_back_to_review", note=note[:500],
    )  # fmt: skip


# ------------------------------------------------------------------ the actions


def _crm_rows(module: str, ids: list[str]) -> list[CrmRecord]:
    return list(CrmRecord.objects.filter(module=module, crm_id__in=ids))


def _books_row(org: str, contact_id: str) -> BooksContact | None:
    return BooksContact.objects.filter(organization_id=org, contact_id=contact_id).first()


def _live_links(plan: CleanupPlan, step: PlanStep):
    p = step.params
    return (
        RecordLink.objects.filter(books_organization_id=plan.organization_id)
        .filter(
            Q(crm_record__module=p["module"], crm_record__crm_id__in=p["crm_ids"])
            | Q(books_contact__contact_id__in=p["books_ids"])
        )
        .exclude(state__in=NOT_LIVE_STATES)
        .select_related("crm_record", "books_contact")
    )


def _pause(plan, item, step, clients) -> dict:
    reason = f"Duplicate cleanup plan #{plan.pk}"
    paused = []
    for record in _crm_rows(step.params["module"], step.params["crm_ids"]):
        link = controls.live_link_for(crm_record=record, organization_id=plan.organization_id)
        if link and link.paused:
            continue  # paused already (by a person or a run of this step): leave as is
        link = controls.record_pause(
            crm_record=record, organization_id=plan.organization_id, actor=None, reason=reason
        )
        paused.append(record.crm_id)
    for link in _live_links(plan, step).filter(crm_record=None, paused=False):
        controls.record_pause(link=link, actor=None, reason=reason)
        paused.append(f"books:{link.books_contact.contact_id}")
    return {"paused": paused}


def _relink(plan, item, step, clients) -> dict:
    """Survivor ↔ survivor in syncadmin; the CRM losers' links end (they merge away)."""
    org, p = plan.organization_id, step.params
    survivors, before = p["survivors"], {}
    for record in _crm_rows(p["module"], p["losers"]["crm"]):
        link = controls.live_link_for(crm_record=record, organization_id=org)
        if link:
            before[record.crm_id] = link.books_contact.contact_id if link.books_contact else ""
            controls.link_unlink(link=link, actor=None, note=f"Cleanup plan #{plan.pk}")
    if not (survivors.get("crm") and survivors.get("books")):
        return {"before": before}
    keep = _books_row(org, survivors["books"])
    [record] = _crm_rows(p["module"], [survivors["crm"]]) or [None]
    if keep is None or record is None:
        raise controls.ControlRefused("A survivor is missing from the mirror; re-run matching.")
    approved = set(p.get("unlink_outside", []))
    for other in (
        RecordLink.objects.filter(books_contact=keep, crm_module=p["module"])
        .exclude(state__in=NOT_LIVE_STATES)
        .exclude(crm_record=record)
        .select_related("crm_record")
    ):
        other_id = other.crm_record.crm_id if other.crm_record else ""
        if other_id not in approved:  # a link finance did not see when approving
            raise controls.ControlRefused(
                f"The surviving customer {keep.contact_id} is now linked to CRM {other_id}, "
                "which this plan does not cover; review the cluster again."
            )
        before[other_id] = keep.contact_id
        controls.link_unlink(link=other, actor=None, note=f"Cleanup plan #{plan.pk}")
    link = controls.live_link_for(crm_record=record, organization_id=org)
    if link is None:
        link = controls.record_pause(
            crm_record=record, organization_id=org, actor=None, reason=f"Cleanup #{plan.pk}"
        )
    before[record.crm_id] = link.books_contact.contact_id if link.books_contact else ""
    controls.link_relink(link=link, books_contact=keep, actor=None)
    return {"before": before, "survivor": f"{record.crm_id} ↔ {keep.contact_id}"}


def _deactivate(plan, item, step, clients) -> dict:
    """Move the loser's name aside when the plan says so, then mark it inactive; each
    write only if Books does not show it done already."""
    from syncadmin.cleanup.plans import retired_name

    contact_id = step.params["contact_id"]
    now = _books_now(clients, contact_id)
    if now["status"] == "gone":
        raise controls.ControlRefused(f"Books customer {contact_id} no longer exists.")
    result = {"contact_id": contact_id, "already": now["status"] == "inactive"}
    rows = BooksContact.objects.filter(organization_id=plan.organization_id, contact_id=contact_id)
    if step.params.get("free_name") and not now["name"].endswith(f"(retired {contact_id})"):
        moved = retired_name(now["name"], contact_id)
        clients.books.contact_update(contact_id=contact_id, payload={"contact_name": moved})
        rows.update(contact_name=moved)
        result["was"] = now["name"]
    if not result["already"]:
        clients.books.contact_mark_inactive(contact_id=contact_id)
    rows.update(status="inactive")
    return result


def _delete(plan, item, step, clients) -> dict:
    contact_id = step.params["contact_id"]
    already = _books_now(clients, contact_id)["status"] == "gone"
    if not already:
        clients.books.contact_delete(contact_id=contact_id)
    BooksContact.objects.filter(organization_id=plan.organization_id, contact_id=contact_id).update(
        deleted_at=timezone.now()
    )
    return {"contact_id": contact_id, "already": already}


def _merge(plan, item, step, clients) -> dict:
    p = step.params
    present = [c for c in p["child_ids"] if _crm_get(clients, p["module"], c) is not None]
    if present:
        clients.crm.merge(module=p["module"], master_id=p["master_id"], child_ids=present)
    CrmRecord.objects.filter(module=p["module"], crm_id__in=p["child_ids"]).update(
        deleted_at=timezone.now()
    )
    return {"master_id": p["master_id"], "merged": present, "already": sorted(
        set(p["child_ids"]) - set(present)
    )}  # fmt: skip


def _resume(plan, item, step, clients) -> dict:
    [pause] = [s for s in item.steps.all() if s.kind == StepKind.PAUSE] or [None]
    ours = set(pause.result.get("paused", [])) if pause else set()
    resumed = []
    for link in _live_links(plan, step).filter(paused=True):
        key = link.crm_record.crm_id if link.crm_record else f"books:{link.books_contact_id}"
        if key in ours or (link.paused_reason or "").startswith("Duplicate cleanup plan"):
            controls.record_resume(link=link, actor=None, note=f"Cleanup plan #{plan.pk} done")
            resumed.append(key)
    return {"resumed": resumed}


def _align_name(plan, item, step, clients) -> dict:
    from syncadmin.cleanup.reconnect import align_name

    return align_name(plan, step, clients)


ACTIONS = {
    StepKind.PAUSE: _pause,
    StepKind.RELINK: _relink,
    StepKind.DEACTIVATE: _deactivate,
    StepKind.DELETE: _delete,
    StepKind.MERGE: _merge,
    StepKind.RESUME: _resume,
    StepKind.ALIGN_NAME: _align_name,
}
