"""Cleanup plans: accepted clusters become items with ordered steps, in the only safe
order — pause → native sync off (checklist) → relink → [support gate] → [blocker steps] →
deactivate/delete the Books losers → merge CRM duplicates last → resume — then the
approval state machine with the four-eyes rule.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from syncadmin.cleanup.preview import copy_preview, plan_totals, totals
from syncadmin.cleanup.review import audit_refs
from syncadmin.models import (
    BooksContact,
    CleanupPlan,
    CrmRecord,
    ItemState,
    MatchCluster,
    PlanItem,
    PlanKind,
    PlanState,
    PlanStep,
    RecordLink,
    Review,
    StepKind,
    StepState,
)
from syncadmin.models.mapping import NOT_LIVE_STATES
from syncadmin.services import audit_record
from syncadmin.sync.profile import org_clients, sync_settings_ensure

MERGE_CHILDREN = 2  # Zoho merges at most 3 records per call: the master and two children
ACTIVE_PLAN_STATES = (
    PlanState.DRAFT, PlanState.SUBMITTED, PlanState.APPROVED, PlanState.EXECUTING,
)  # fmt: skip


class PlanRefused(Exception):
    """The plan cannot move as asked; the message says why, for the person."""


def _bare(ref: str) -> str:
    return ref.split(":", 1)[1]


def _audit_plan(
    plan: CleanupPlan, actor, action: str, after=None, note="", records: bool = False
) -> None:
    """Audit on the plan; with ``records``, on every record of its items too (decisions
    that shape what happens to a record show on that record's timeline)."""
    audit_record(
        actor=actor, action=action, target_type="cleanup_plan", target_id=plan.pk,
        target_label=plan.title, after=after, note=note,
    )  # fmt: skip
    if records:
        for item in plan.items.all():
            audit_refs(
                list(item.snapshot), snapshot=item.snapshot, actor=actor, action=action,
                after={"plan": plan.pk, "item": item.pk}, note=note,
            )  # fmt: skip


# ------------------------------------------------------------------ building


def plan_create(
    *,
    organization_id: str,
    actor,
    title: str = "",
    cluster_ids: list[int] | None = None,
    delete_losers: bool = False,
) -> CleanupPlan:
    """A draft plan over the organisation's accepted clusters (or the given ones) that no
    other open plan holds: one item per cluster with its ordered steps and its money
    preview (read from Books in the cleanup lane). Audited on the plan and every record."""
    clusters = MatchCluster.objects.filter(
        organization_id=organization_id, superseded=False, review=Review.ACCEPTED
    ).exclude(items__plan__state__in=ACTIVE_PLAN_STATES)
    if cluster_ids is not None:
        clusters = clusters.filter(pk__in=cluster_ids)
    clusters = [c for c in clusters.order_by("-outstanding", "key") if _work_left(c)]
    if not clusters:
        raise PlanRefused("No accepted cluster is free to plan.")
    settings = sync_settings_ensure(books_organization_id=organization_id)
    books = org_clients(settings, lane="cleanup").books
    plan = CleanupPlan.objects.create(
        organization_id=organization_id, proposed_by=actor, delete_losers=delete_losers,
        title=title or f"Cleanup of {len(clusters)} clusters",
    )  # fmt: skip
    previews = []
    for position, cluster in enumerate(clusters, start=1):
        item = _item(plan, cluster, position, books)
        previews.append(item.preview)
        audit_refs(
            cluster.refs, snapshot=cluster.snapshot, actor=actor, action="cleanup_plan_item",
            after={"plan": plan.pk, "item": item.pk}, note=plan.title,
        )  # fmt: skip
    plan.preview = plan_totals(previews)
    plan.save(update_fields=["preview"])
    _audit_plan(plan, actor, "cleanup_plan_create", after={"items": len(clusters)})
    return plan


def _work_left(cluster: MatchCluster) -> bool:
    """False for a cluster an earlier plan already cleaned (every Books loser inactive or
    gone, every CRM loser merged away): a re-match finds it again, there is nothing to do."""
    books = [r.split(":", 1)[1] for r in cluster.refs if r.startswith("books:")]
    crm = [r.split(":", 1)[1] for r in cluster.refs if r.startswith("crm:")]
    losers_books = set(books) - {cluster.survivors.get("books", "").removeprefix("books:")}
    losers_crm = set(crm) - {cluster.survivors.get("crm", "").removeprefix("crm:")}
    active = BooksContact.objects.filter(
        organization_id=cluster.organization_id, contact_id__in=losers_books,
        deleted_at=None, status="active",
    ).exists()  # fmt: skip
    alive = CrmRecord.objects.filter(crm_id__in=losers_crm, deleted_at=None).exists()
    return active or alive


def _item(plan: CleanupPlan, cluster: MatchCluster, position: int, books) -> PlanItem:
    refs = cluster.refs
    survivors = {side: _bare(ref) for side, ref in cluster.survivors.items()}
    losers = {
        side: [_bare(r) for r in refs if r.startswith(f"{side}:") and _bare(r) != keep]
        for side, keep in (("books", survivors.get("books")), ("crm", survivors.get("crm")))
    }
    module = next(
        (cluster.snapshot.get(r, {}).get("module") for r in refs if r.startswith("crm:")),
        None,
    )
    copies = _copies(plan, cluster, survivors, losers, books)
    item = PlanItem.objects.create(
        plan=plan, cluster=cluster, position=position, survivors=survivors, losers=losers,
        crm_module=module or "Accounts", snapshot=cluster.snapshot,
        label=_label(cluster, survivors), preview={"copies": copies, "totals": totals(copies)},
    )  # fmt: skip
    item.support_pack = support_pack(plan, item) if _native_repoint(item) else ""
    item.save(update_fields=["support_pack"])
    for position_, (kind, params) in enumerate(_steps(plan, item, cluster, copies), start=1):
        PlanStep.objects.create(
            item=item, position=position_, kind=kind, params=params,
            irreversible=kind == StepKind.MERGE,
        )  # fmt: skip
    return item


def _label(cluster: MatchCluster, survivors: dict) -> str:
    for side in ("crm", "books"):
        if side in survivors:
            return cluster.snapshot.get(f"{side}:{survivors[side]}", {}).get("name", "")[:255]
    return f"Cluster {cluster.key}"


def _fate(plan: CleanupPlan, cluster: MatchCluster, copy_has_invoices: bool) -> str:
    deletable = plan.delete_losers and not copy_has_invoices and not cluster.blockers
    return "deleted" if deletable else "inactive"


def _copies(plan, cluster, survivors, losers, books) -> list[dict]:
    copies = []
    if survivors.get("books"):
        copies.append(
            copy_preview(
                books,
                organization_id=plan.organization_id,
                contact_id=survivors["books"],
                role="survivor",
                fate="kept",
            )
        )
    for contact_id in losers["books"]:
        copy = copy_preview(
            books, organization_id=plan.organization_id, contact_id=contact_id,
            role="loser", fate="inactive",
        )  # fmt: skip
        copy["fate"] = _fate(plan, cluster, bool(copy["invoice_count"]))
        copies.append(copy)
    return copies


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _fold(name: str) -> str:
    """A display name as Books' uniqueness rule (3062) compares it."""
    return name.strip().translate(_ASCII_LOWER)


def retired_name(name: str, contact_id: str) -> str:
    """The name a retired copy moves to, within Books' 200 characters."""
    suffix = f" (retired {contact_id})"
    return name.strip()[: 200 - len(suffix)] + suffix


def _native_repoint(item: PlanItem) -> bool:
    """Zoho's own id map (``zcrm_account_id`` on a Books customer) points somewhere other
    than survivor ↔ survivor: only Zoho support can re-point it (there is no API), so the
    item waits at a "mappings confirmed" gate."""
    crm_keep, books_keep = item.survivors.get("crm", ""), item.survivors.get("books", "")
    ids = [i for i in [books_keep, *item.losers["books"]] if i]
    rows = BooksContact.objects.filter(
        organization_id=item.plan.organization_id, contact_id__in=ids
    ).exclude(zcrm_account_id="", zcrm_contact_id="")
    for row in rows:
        link = (row.zcrm_account_id or row.zcrm_contact_id).removeprefix("zcrm_")
        if row.contact_id != books_keep or (crm_keep and link != crm_keep):
            return True
    return False


def _steps(plan, item: PlanItem, cluster: MatchCluster, copies: list[dict]):
    crm_ids = [i for i in [item.survivors.get("crm"), *item.losers["crm"]] if i]
    books_ids = [i for i in [item.survivors.get("books"), *item.losers["books"]] if i]
    records = {"module": item.crm_module, "crm_ids": crm_ids, "books_ids": books_ids}
    yield StepKind.PAUSE, records
    yield StepKind.NATIVE_OFF, {}
    yield StepKind.RELINK, {
        **records, "survivors": item.survivors, "losers": item.losers,
        "unlink_outside": _linked_outside(item),
    }  # fmt: skip
    if item.support_pack:
        yield StepKind.SUPPORT_GATE, {}
    for copy in copies:
        if copy["role"] == "loser" and copy["invoice_count"]:
            yield StepKind.REPOINT_INVOICES, {
                "contact_id": copy["contact_id"], "to": item.survivors.get("books"),
                "invoices": copy["invoices"],
            }  # fmt: skip
    other = [b for b in cluster.blockers if "transactions" not in b]
    if other:
        yield StepKind.SETTLE_BLOCKERS, {"blockers": other}
    crm_name = item.snapshot.get(f"crm:{item.survivors.get('crm')}", {}).get("name", "")
    for copy in copies:
        if copy["role"] == "loser" and copy["fate"] == "deleted":
            yield StepKind.DELETE, {"contact_id": copy["contact_id"]}
        elif copy["role"] == "loser":
            # A retired copy that keeps the CRM survivor's name would refuse (3062) every
            # later push of the survivor under that name: its name moves aside first.
            free = bool(crm_name) and _fold(copy.get("name", "")) == _fold(crm_name)
            yield StepKind.DEACTIVATE, {"contact_id": copy["contact_id"], "free_name": free}
    children = item.losers["crm"]
    for start in range(0, len(children), MERGE_CHILDREN):
        yield StepKind.MERGE, {
            "module": item.crm_module, "master_id": item.survivors["crm"],
            "child_ids": children[start : start + MERGE_CHILDREN],
        }  # fmt: skip
    yield StepKind.RESUME, records


def _linked_outside(item: PlanItem) -> list[str]:
    """CRM records outside the cluster that hold the surviving Books customer: relinking
    ends those links; the plan says so, so finance approves it knowingly."""
    keep = item.survivors.get("books")
    if not keep:
        return []
    inside = {item.survivors.get("crm"), *item.losers["crm"]}
    held = (
        RecordLink.objects.filter(
            books_organization_id=item.plan.organization_id, books_contact__contact_id=keep,
            crm_module=item.crm_module, crm_record__isnull=False,
        )
        .exclude(state__in=NOT_LIVE_STATES)
        .values_list("crm_record__crm_id", flat=True)
    )  # fmt: skip
    return sorted(set(held) - inside)


def support_pack(plan: CleanupPlan, item: PlanItem) -> str:
    """A ready-to-paste request for Zoho support to re-point the native mapping."""
    settings = sync_settings_ensure(books_organization_id=plan.organization_id)
    crm_org = settings.crm_connection.organization_id if settings.crm_connection else "?"
    lines = [
        "Subject: Please re-point the Zoho CRM ↔ Zoho Books contact mapping",
        "",
        f"Zoho Books organization id: {plan.organization_id}",
        f"Zoho CRM organization id: {crm_org}",
        "",
        "Duplicate pattern: the CRM ↔ Books integration linked one party to more than one",
        "Books customer (or to the wrong copy). We are deactivating the extra copies and",
        "need the integration's mapping to point at the surviving customer below.",
        "",
        f"CRM {item.crm_module[:-1]} to keep: {item.survivors.get('crm', '-')}",
        f"Books customer to keep: {item.survivors.get('books', '-')}",
    ]
    rows = {
        r.contact_id: r
        for r in BooksContact.objects.filter(
            organization_id=plan.organization_id, contact_id__in=item.losers["books"]
        )
    }
    for contact_id in item.losers["books"]:
        row = rows.get(contact_id)
        mapped = (row.zcrm_account_id or row.zcrm_contact_id) if row else ""
        name = row.contact_name if row else ""
        lines.append(
            f"Books customer to retire: {contact_id} ({name}), "
            f"currently mapped to CRM {mapped or 'nothing'}"
        )
    return "\n".join(lines)


# ------------------------------------------------------------------ approval


def _move(plan: CleanupPlan, frm: tuple[str, ...], to: str, **fields) -> bool:
    """Conditional UPDATE: the plan moves only from the expected states (one winner)."""
    moved = CleanupPlan.objects.filter(pk=plan.pk, state__in=frm).update(state=to, **fields)
    plan.refresh_from_db()
    return bool(moved)


def plan_submit(*, plan: CleanupPlan, actor) -> CleanupPlan:
    """Draft → submitted, for finance to approve. Audited."""
    if not _move(plan, (PlanState.DRAFT,), PlanState.SUBMITTED):
        raise PlanRefused(f"Only a draft can be submitted; this plan is {plan.state}.")
    _audit_plan(plan, actor, "cleanup_plan_submit", records=True)
    return plan


def plan_approve(*, plan: CleanupPlan, actor, comment: str = "") -> CleanupPlan:
    """Submitted → approved. Four eyes: the proposer can never approve their own plan."""
    if plan.proposed_by_id == getattr(actor, "pk", None):
        raise PlanRefused("You proposed this plan; another person must approve it.")
    now = timezone.now()
    fields = {"decided_by": actor, "decided_at": now, "decision_comment": comment}
    if not _move(plan, (PlanState.SUBMITTED,), PlanState.APPROVED, **fields):
        raise PlanRefused(f"Only a submitted plan can be approved; this one is {plan.state}.")
    _audit_plan(plan, actor, "cleanup_plan_approve", after=plan.preview, note=comment, records=True)
    return plan


def plan_reject(*, plan: CleanupPlan, actor, comment: str) -> CleanupPlan:
    """Submitted → rejected, with the reason (required). Four eyes as for approval."""
    if not comment.strip():
        raise PlanRefused("Say why the plan is rejected.")
    if plan.proposed_by_id == getattr(actor, "pk", None):
        raise PlanRefused("You proposed this plan; another person must decide on it.")
    now = timezone.now()
    fields = {"decided_by": actor, "decided_at": now, "decision_comment": comment}
    if not _move(plan, (PlanState.SUBMITTED,), PlanState.REJECTED, **fields):
        raise PlanRefused(f"Only a submitted plan can be rejected; this one is {plan.state}.")
    _audit_plan(plan, actor, "cleanup_plan_reject", note=comment, records=True)
    return plan


def plan_confirm_native_off(*, plan: CleanupPlan, actor) -> CleanupPlan:
    """A person confirms Zoho's native contact sync is switched off (no API can tell)."""
    with transaction.atomic():
        CleanupPlan.objects.filter(pk=plan.pk).update(
            native_off_by=actor, native_off_at=timezone.now()
        )
        _confirm_steps(plan, StepKind.NATIVE_OFF, actor)
    plan.refresh_from_db()
    _audit_plan(plan, actor, "cleanup_native_off_confirmed")
    return plan


def plan_confirm_merges(*, plan: CleanupPlan, actor) -> CleanupPlan:
    """The CRM merges are irreversible: confirmed on their own, once the plan is approved."""
    if plan.state not in (PlanState.APPROVED, PlanState.EXECUTING):
        raise PlanRefused("Merges are confirmed after the plan is approved.")
    CleanupPlan.objects.filter(pk=plan.pk).update(
        merges_confirmed_by=actor, merges_confirmed_at=timezone.now()
    )
    plan.refresh_from_db()
    _audit_plan(
        plan, actor, "cleanup_merges_confirmed", note="CRM merges cannot be undone.", records=True
    )
    return plan


def _confirm_steps(plan: CleanupPlan, kind: str, actor) -> int:
    return PlanStep.objects.filter(
        item__plan=plan, kind=kind, state__in=(StepState.PENDING, StepState.WAITING)
    ).update(state=StepState.DONE, confirmed_by=actor, finished_at=timezone.now())


def step_confirm(*, step: PlanStep, actor, note: str = "") -> PlanStep:
    """A person has done a checklist step or passed a gate (Zoho support confirmed the
    mapping, the invoices are re-pointed, the blockers settled). Audited on the records."""
    if step.kind not in (
        StepKind.SUPPORT_GATE, StepKind.REPOINT_INVOICES, StepKind.SETTLE_BLOCKERS,
        StepKind.NATIVE_OFF,
    ):  # fmt: skip
        raise PlanRefused("syncadmin runs this step itself.")
    done = PlanStep.objects.filter(
        pk=step.pk, state__in=(StepState.PENDING, StepState.WAITING)
    ).update(state=StepState.DONE, confirmed_by=actor, finished_at=timezone.now())
    step.refresh_from_db()
    if done:
        item = step.item
        if item.state == ItemState.WAITING:
            PlanItem.objects.filter(pk=item.pk).update(state=ItemState.PENDING)
        refs = list(item.snapshot)
        audit_refs(
            refs, snapshot=item.snapshot, actor=actor, action=f"cleanup_{step.kind}_confirmed",
            after={"plan": item.plan_id, "step": step.pk}, note=note,
        )  # fmt: skip
    return step


def plan_kinds() -> list[tuple[str, str]]:
    return list(PlanKind.choices)
