"""Reads for the review queue and the plan screens."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from syncadmin.models import (
    BooksContact,
    CleanupPlan,
    CrmRecord,
    MatchCluster,
    PlanStep,
    Review,
    StepState,
)


def cluster_list(*, organization_id: str = "") -> QuerySet[MatchCluster]:
    """The current clusters (the latest run's), biggest money first."""
    found = MatchCluster.objects.filter(superseded=False)
    if organization_id:
        found = found.filter(organization_id=organization_id)
    return found.annotate(pair_count=Count("pairs")).order_by("-outstanding", "key")


def cluster_get(pk: int) -> MatchCluster:
    return MatchCluster.objects.get(pk=pk)


@dataclass(frozen=True)
class Progress:
    reviewed: int
    pending: int
    accepted: int
    rejected: int

    @property
    def total(self) -> int:
        return self.reviewed + self.pending

    @property
    def percent(self) -> int:
        return round(100 * self.reviewed / self.total) if self.total else 100


def review_progress(queryset: QuerySet[MatchCluster]) -> Progress:
    counts = queryset.aggregate(
        pending=Count("pk", filter=Q(review=Review.PENDING)),
        accepted=Count("pk", filter=Q(review=Review.ACCEPTED)),
        rejected=Count("pk", filter=Q(review=Review.REJECTED)),
    )
    reviewed = counts["accepted"] + counts["rejected"]
    return Progress(reviewed, counts["pending"], counts["accepted"], counts["rejected"])


@dataclass(frozen=True)
class Side:
    ref: str
    side: str
    zoho_id: str
    name: str
    email: str
    phone: str
    status: str
    currency: str
    tax_treatment: str
    invoices: int
    outstanding: object
    crm_link: str
    survivor: bool
    proposed: bool
    row_pk: int | None


def cluster_sides(cluster: MatchCluster) -> list[Side]:
    """The cluster's records side by side, from the mirrors, survivors marked."""
    books_ids = [r.split(":", 1)[1] for r in cluster.refs if r.startswith("books:")]
    crm_ids = [r.split(":", 1)[1] for r in cluster.refs if r.startswith("crm:")]
    books = {
        b.contact_id: b
        for b in BooksContact.objects.filter(
            organization_id=cluster.organization_id, contact_id__in=books_ids
        )
    }
    crm = {c.crm_id: c for c in CrmRecord.objects.filter(crm_id__in=crm_ids)}
    sides = []
    for ref in cluster.refs:
        side, zoho_id = ref.split(":", 1)
        keep = cluster.survivors.get(side) == ref
        proposed = cluster.proposed_survivors.get(side) == ref
        if side == "books" and zoho_id in books:
            b = books[zoho_id]
            sides.append(
                Side(
                    ref,
                    side,
                    zoho_id,
                    b.contact_name,
                    b.email,
                    b.phone,
                    b.status,
                    b.currency_code,
                    b.tax_treatment,
                    b.invoice_count,
                    b.outstanding_receivable,
                    b.zcrm_account_id,
                    keep,
                    proposed,
                    b.pk,
                )
            )
        elif zoho_id in crm:
            c = crm[zoho_id]
            sides.append(
                Side(
                    ref,
                    side,
                    zoho_id,
                    c.name,
                    c.email,
                    c.phone,
                    "deleted" if c.deleted_at else "active",
                    c.currency,
                    c.tax_treatment,
                    0,
                    None,
                    c.books_ref,
                    keep,
                    proposed,
                    c.pk,
                )
            )
    return sides  # fmt: skip


def plan_list() -> QuerySet[CleanupPlan]:
    return CleanupPlan.objects.select_related("proposed_by", "decided_by").order_by("-created_at")


def plan_get(pk: int) -> CleanupPlan:
    return CleanupPlan.objects.select_related("proposed_by", "decided_by").get(pk=pk)


@dataclass(frozen=True)
class PlanProgress:
    done: int
    total: int
    waiting: int
    failed: int
    running: bool

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


def plan_progress(plan: CleanupPlan) -> PlanProgress:
    counts = PlanStep.objects.filter(item__plan=plan).aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(state__in=[StepState.DONE, StepState.SKIPPED, StepState.UNDONE])),
        waiting=Count("pk", filter=Q(state=StepState.WAITING)),
        failed=Count("pk", filter=Q(state=StepState.FAILED)),
    )
    return PlanProgress(
        counts["done"], counts["total"], counts["waiting"], counts["failed"],
        running=plan.state == "executing",
    )  # fmt: skip
