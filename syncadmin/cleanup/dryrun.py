"""The dry run: the exact Zoho calls an execution of the plan would make, in order.

Kept next to the actions it describes (``execute.ACTIONS``): each action reads before it
writes, and the dry run lists both. An execution that starts from scratch, with every
checklist, gate and merge confirmed, makes exactly these calls (the sandbox test compares
them with Zoho's call log)."""

from __future__ import annotations

from dataclasses import dataclass

from syncadmin.models import CleanupPlan, ItemState, PlanItem, PlanStep, StepKind, StepState

BOOKS, CRM = "/books/v3", "/crm/v8"


@dataclass(frozen=True)
class Call:
    item: int
    step: str
    method: str
    path: str
    why: str

    def line(self) -> str:
        return f"{self.method} {self.path}"


def _revalidate(item: PlanItem) -> list[Call]:
    calls = []
    for ref in item.snapshot:
        side, zoho_id = ref.split(":", 1)
        path = (
            f"{BOOKS}/contacts/{zoho_id}"
            if side == "books"
            else f"{CRM}/{item.crm_module}/{zoho_id}"
        )
        calls.append(Call(item.position, "revalidate", "GET", path, f"re-read {ref}"))
    return calls


def _step_calls(item: PlanItem, step: PlanStep) -> list[Call]:
    p, at = step.params, item.position
    if step.kind in (StepKind.DEACTIVATE, StepKind.DELETE, StepKind.ALIGN_NAME):
        path = f"{BOOKS}/contacts/{p['contact_id']}"
        write = {
            StepKind.DEACTIVATE: ("POST", f"{path}/inactive", "mark the loser inactive"),
            StepKind.DELETE: ("DELETE", path, "delete the loser"),
            StepKind.ALIGN_NAME: ("PUT", path, f"rename to {p.get('name', '')!r}"),
        }[step.kind]
        calls = [Call(at, step.kind, "GET", path, "read it first")]
        if step.kind == StepKind.DEACTIVATE and p.get("free_name"):
            calls.append(Call(at, step.kind, "PUT", path, "move its name aside (retired)"))
        return [*calls, Call(at, step.kind, *write)]
    if step.kind == StepKind.MERGE:
        reads = [
            Call(at, step.kind, "GET", f"{CRM}/{p['module']}/{child}", "is the child still there")
            for child in p["child_ids"]
        ]
        merge = f"{CRM}/{p['module']}/{p['master_id']}/actions/merge"
        return [*reads, Call(at, step.kind, "POST", merge, "merge (irreversible)")]
    return []  # pause, relink, resume: syncadmin only; checklists and gates: a person


def plan_dry_run(*, plan: CleanupPlan) -> list[Call]:
    """The calls still to make, item by item, step by step (done steps left out)."""
    calls: list[Call] = []
    items = plan.items.filter(state__in=(ItemState.PENDING, ItemState.WAITING))
    for item in items.prefetch_related("steps"):
        steps = list(item.steps.all())
        if not item.note.startswith("checked"):  # as execute: re-read once per item
            calls += _revalidate(item)
        for step in steps:
            if step.state in (StepState.PENDING, StepState.WAITING, StepState.RUNNING):
                calls += _step_calls(item, step)
    return calls
