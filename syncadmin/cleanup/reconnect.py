"""Reconnect without new duplicates.

A native disconnect + reconnect wipes Zoho's hidden id map; the first run after it pairs
each CRM record with the Books customer of exactly the same display name and creates a new
customer for everything else (zoho-api.md §4). So before a reconnect, every pair syncadmin
knows gets its Books display name set to the CRM name as typed — unless Books' uniqueness
rule (3062: names are unique ignoring ASCII case) or trimming makes that impossible, which
the plan reports pair by pair. After the reconnect, ``reconnect_verify`` checks that no new
customer appeared for a known pair and that Zoho's pairings equal syncadmin's mapping.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from django.utils import timezone

from syncadmin import matching
from syncadmin.cleanup.plans import retired_name
from syncadmin.models import (
    BooksContact,
    CleanupPlan,
    CrmRecord,
    LinkState,
    PlanItem,
    PlanKind,
    PlanStep,
    RecordLink,
    StepKind,
)
from syncadmin.services import audit_record
from syncadmin.sync.match_runs import mirror_records
from syncadmin.sync.profile import org_clients, sync_settings_ensure
from syncadmin.sync.reconcile import modules_pushed

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
MAX_NAME = 200


def _fold(name: str) -> str:
    return name.strip().translate(_ASCII_LOWER)


def _typed_name(link: RecordLink) -> str:
    """The CRM name as the native sync reads it: as typed, untrimmed."""
    raw = link.crm_record.raw or {}
    if link.crm_module == "Accounts":
        return str(raw.get("Account_Name") or link.crm_record.name)
    return str(raw.get("Full_Name") or link.crm_record.name)


def known_pairs(organization_id: str) -> list[RecordLink]:
    settings = sync_settings_ensure(books_organization_id=organization_id)
    return list(
        RecordLink.objects.filter(
            books_organization_id=organization_id, state=LinkState.LINKED,
            crm_module__in=modules_pushed(settings), crm_record__deleted_at=None,
            books_contact__deleted_at=None, books_contact__contact_type="customer",
        )
        .select_related("crm_record", "books_contact")
        .order_by("crm_record__created_time", "crm_record__crm_id")
    )  # fmt: skip


def alignment(organization_id: str) -> tuple[list[dict], list[dict]]:
    """(renames in the order to make them, pairs that cannot be aligned and why).

    A rename is {contact_id, was, name, crm_id}. A name held by an *inactive* customer that
    no known pair uses (a loser a cleanup retired) is freed first, by suffixing the retired
    customer's name; a name held by an active customer is a refusal (3062)."""
    links = known_pairs(organization_id)
    customers = {
        c.contact_id: c
        for c in BooksContact.objects.filter(
            organization_id=organization_id, deleted_at=None, contact_type="customer"
        )
    }
    owner = {_fold(c.contact_name): c.contact_id for c in customers.values()}
    in_use = {link.books_contact.contact_id for link in links}
    frees, renames, refused, wanted = [], [], [], defaultdict(list)
    for link in links:
        wanted[_typed_name(link)].append(link)
    for link in links:
        target, contact = _typed_name(link), link.books_contact
        if contact.contact_name == target:
            continue
        holder = customers.get(owner.get(_fold(target), ""))
        movable = holder and holder.status == "inactive" and holder.contact_id not in in_use
        if movable and holder.contact_id != contact.contact_id:
            frees.append(_free(holder, owner))
        why = _why_not(link, target, owner, wanted)
        if why:
            refused.append(_refusal(link, target, why))
            continue
        owner.pop(_fold(contact.contact_name), None)
        owner[_fold(target)] = contact.contact_id
        renames.append(
            {"contact_id": contact.contact_id, "was": contact.contact_name, "name": target,
             "crm_id": link.crm_record.crm_id}
        )  # fmt: skip
    return frees + renames, refused


def _free(holder: BooksContact, owner: dict) -> dict:
    """Move a retired customer's name out of the way (within Books' 200 characters)."""
    name = retired_name(holder.contact_name, holder.contact_id)
    owner.pop(_fold(holder.contact_name), None)
    owner[_fold(name)] = holder.contact_id
    return {"contact_id": holder.contact_id, "was": holder.contact_name, "name": name,
            "crm_id": ""}  # fmt: skip


def _why_not(link: RecordLink, target: str, owner: dict, wanted: dict) -> str:
    contact = link.books_contact
    if not target.strip() or len(target.strip()) > MAX_NAME:
        return "the CRM name is empty or longer than Books allows"
    if target != target.strip():
        return "the CRM name has leading or trailing spaces, which Books trims: fix it in CRM"
    if len(wanted[target]) > 1 and wanted[target][0] is not link:
        return "another CRM record of the same name pairs first (the oldest wins)"
    holder = owner.get(_fold(target))
    if holder not in (None, contact.contact_id):
        return f"3062: Books customer {holder} (active) already has that name (ignoring case)"
    return ""


def _refusal(link: RecordLink, target: str, why: str) -> dict:
    return {
        "crm_id": link.crm_record.crm_id, "books_id": link.books_contact.contact_id,
        "crm_name": target, "books_name": link.books_contact.contact_name, "why": why,
    }  # fmt: skip


def reconnect_plan_create(*, organization_id: str, actor) -> CleanupPlan:
    """A draft reconnect-prepare plan: one step per known pair whose Books name must be
    aligned; the pairs that cannot be aligned, with why, in ``report``. Audited."""
    renames, refused = alignment(organization_id)
    links = known_pairs(organization_id)
    plan = CleanupPlan.objects.create(
        kind=PlanKind.RECONNECT, organization_id=organization_id, proposed_by=actor,
        title=f"Prepare a native reconnect ({len(renames)} names to align)",
        report={
            "pairs": {link.crm_record.crm_id: link.books_contact.contact_id for link in links},
            "cannot_align": refused, "predicted": _predicted(organization_id, renames),
            "contacts_before": sorted(
                BooksContact.objects.filter(organization_id=organization_id)
                .values_list("contact_id", flat=True)
            ),
        },
    )  # fmt: skip
    item = PlanItem.objects.create(
        plan=plan,
        position=1,
        label="Align Books display names with CRM",
        survivors={},
        losers={"books": [], "crm": []},
    )
    PlanStep.objects.bulk_create(
        PlanStep(item=item, position=n, kind=StepKind.ALIGN_NAME, params=rename)
        for n, rename in enumerate(renames, start=1)
    )
    audit_record(
        actor=actor, action="cleanup_plan_create", target_type="cleanup_plan",
        target_id=plan.pk, target_label=plan.title,
        after={"renames": len(renames), "cannot_align": len(refused)},
    )  # fmt: skip
    return plan


def _predicted(organization_id: str, renames) -> dict:
    """The native first-sync predictor over the state after the renames: per outcome."""
    new_name = {rename["contact_id"]: rename["name"] for rename in renames}
    typed = {
        r.crm_id: str((r.raw or {}).get("Account_Name") or r.name)
        for r in CrmRecord.objects.filter(module="Accounts", deleted_at=None)
    }
    crm, books = [], []
    for record in mirror_records(organization_id=organization_id):
        if record.side == matching.Side.BOOKS:
            books.append(replace(record, name=new_name.get(record.id, record.name)))
        else:
            crm.append(replace(record, name=typed.get(record.id, record.name)))
    counts: dict[str, int] = defaultdict(int)
    for outcome in matching.predict_first_sync(crm, books):
        counts[outcome.outcome] += 1
    return dict(counts)


def align_name(plan: CleanupPlan, step: PlanStep, clients) -> dict:
    """Set the Books display name to the CRM name, unless it already is (read first)."""
    contact_id, name = step.params["contact_id"], step.params["name"]
    current = clients.books.contact(contact_id=contact_id)
    already = current.contact_name == name
    if not already:
        clients.books.contact_update(contact_id=contact_id, payload={"contact_name": name})
    BooksContact.objects.filter(organization_id=plan.organization_id, contact_id=contact_id).update(
        contact_name=name
    )
    return {"contact_id": contact_id, "name": name, "already": already}


def reconnect_verify(*, plan: CleanupPlan, actor=None) -> dict:
    """After the native reconnect and its first run: per known pair, the Books customers
    Zoho now links to the CRM record. ``new_duplicates``: customers made since the plan was
    built for a known pair; ``mismatched``: known pairs whose Books customer Zoho did not
    link to the CRM record. Stored on the plan and audited."""
    settings = sync_settings_ensure(books_organization_id=plan.organization_id)
    books = org_clients(settings, lane="cleanup").books
    linked: dict[str, list[str]] = defaultdict(list)
    for contact in books.contacts():
        crm_id = (contact.zcrm_account_id or contact.zcrm_contact_id).removeprefix("zcrm_")
        if crm_id:
            linked[crm_id].append(contact.contact_id)
    new, mismatched = [], []
    before = set(plan.report.get("contacts_before", []))
    for crm_id, books_id in plan.report.get("pairs", {}).items():
        found = linked.get(crm_id, [])
        new += [{"crm_id": crm_id, "books_id": b} for b in found if b not in before]
        if books_id not in found:
            mismatched.append({"crm_id": crm_id, "expected": books_id, "found": found})
    verdict = {
        "checked_at": timezone.now().isoformat(), "pairs": len(plan.report.get("pairs", {})),
        "new_duplicates": new, "mismatched": mismatched,
    }  # fmt: skip
    CleanupPlan.objects.filter(pk=plan.pk).update(report={**plan.report, "verified": verdict})
    plan.refresh_from_db()
    audit_record(
        actor=actor, action="cleanup_reconnect_verify", target_type="cleanup_plan",
        target_id=plan.pk, target_label=plan.title,
        after={"new_duplicates": len(new), "mismatched": len(mismatched)},
    )  # fmt: skip
    return verdict
