"""Undoing what Zoho allows: reactivate the Books customers a plan made inactive, restore
the links it changed, lift its pauses. Deleted customers and CRM merges cannot come back;
the undo plan lists them as irreversible."""

from __future__ import annotations

from dataclasses import dataclass

from syncadmin.cleanup.review import audit_refs
from syncadmin.models import BooksContact, CleanupPlan, CrmRecord, PlanStep, StepKind, StepState
from syncadmin.sync import controls
from syncadmin.sync.profile import org_clients, sync_settings_ensure
from syncadmin.zoho.errors import PermanentZohoError


@dataclass(frozen=True)
class UndoLine:
    step_id: int
    what: str
    possible: bool


def undo_plan(*, plan: CleanupPlan) -> list[UndoLine]:
    """What an undo would do, step by step (done steps, newest first)."""
    lines = []
    done = PlanStep.objects.filter(item__plan=plan, state=StepState.DONE).order_by(
        "-item__position", "-position"
    )
    for step in done:
        p = step.params
        match step.kind:
            case StepKind.DEACTIVATE:
                what = f"Reactivate Books customer {p['contact_id']}"
                if step.result.get("was"):
                    what += f" and rename it back to {step.result['was']!r}"
                lines.append(UndoLine(step.pk, what, True))
            case StepKind.ALIGN_NAME:
                lines.append(
                    UndoLine(step.pk, f"Rename {p['contact_id']} back to {p['was']!r}", True)
                )
            case StepKind.RELINK:
                lines.append(UndoLine(step.pk, "Restore the links as they were", True))
            case StepKind.DELETE:
                lines.append(
                    UndoLine(step.pk, f"Books customer {p['contact_id']} was deleted", False)
                )
            case StepKind.MERGE:
                what = f"CRM {', '.join(p['child_ids'])} merged into {p['master_id']}"
                lines.append(UndoLine(step.pk, what, False))
    return lines


def plan_undo(*, plan: CleanupPlan, actor) -> list[UndoLine]:
    """Carry out the possible lines of ``undo_plan``; each undone step is marked ``undone``
    (so a second undo does nothing) and audited on its records."""
    books = org_clients(
        sync_settings_ensure(books_organization_id=plan.organization_id), lane="cleanup"
    ).books
    lines = undo_plan(plan=plan)
    for line in lines:
        if not line.possible:
            continue
        step = PlanStep.objects.select_related("item").get(pk=line.step_id)
        if not PlanStep.objects.filter(pk=step.pk, state=StepState.DONE).update(
            state=StepState.UNDONE
        ):
            continue
        _undo(plan, step, books)
        audit_refs(
            list(step.item.snapshot) or [f"books:{step.params.get('contact_id')}"],
            snapshot=step.item.snapshot, actor=actor, action=f"cleanup_undo_{step.kind}",
            after={"plan": plan.pk, "step": step.pk},
        )  # fmt: skip
    return lines


def _undo(plan: CleanupPlan, step: PlanStep, books) -> None:
    p, org = step.params, plan.organization_id
    if step.kind == StepKind.DEACTIVATE:
        books.contact_mark_active(contact_id=p["contact_id"])
        rows = BooksContact.objects.filter(organization_id=org, contact_id=p["contact_id"])
        rows.update(status="active")
        if step.result.get("was"):
            try:  # the survivor may hold the name by now (3062): then it stays retired
                books.contact_update(
                    contact_id=p["contact_id"], payload={"contact_name": step.result["was"]}
                )
                rows.update(contact_name=step.result["was"])
            except PermanentZohoError:
                pass
    elif step.kind == StepKind.ALIGN_NAME:
        books.contact_update(contact_id=p["contact_id"], payload={"contact_name": p["was"]})
        BooksContact.objects.filter(organization_id=org, contact_id=p["contact_id"]).update(
            contact_name=p["was"]
        )
    elif step.kind == StepKind.RELINK:
        for crm_id, contact_id in step.result.get("before", {}).items():
            record = CrmRecord.objects.filter(module=p["module"], crm_id=crm_id).first()
            contact = BooksContact.objects.filter(
                organization_id=org, contact_id=contact_id
            ).first()
            link = record and controls.live_link_for(crm_record=record, organization_id=org)
            if link and contact and record.deleted_at is None:
                controls.link_relink(link=link, books_contact=contact, actor=None)
