"""Duplicate cleanup: finance's review queue, cleanup plans (approval, execution, undo) and
the reconnect-prepare plan. Reviewing and approving need ``approve_cleanup`` (finance);
proposing, checklists and gates need ``manage_settings`` (admins)."""

import csv

import django_filters
import django_tables2 as tables
from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseStopPolling

from syncadmin import cleanup
from syncadmin.access import can, require
from syncadmin.cleanup import selectors
from syncadmin.models import (
    CleanupPlan,
    MatchCluster,
    MatchPair,
    PlanKind,
    PlanState,
    PlanStep,
    Review,
    SyncSettings,
)
from syncadmin.sync import match_runs
from syncadmin.tables import EMPTY, Table, text
from syncadmin.views.rendering import paginate, render_screen


class ClusterFilter(django_filters.FilterSet):
    band = django_filters.ChoiceFilter(
        choices=[("certain", "Certain"), ("likely", "Likely"), ("possible", "Possible")]
    )
    direction = django_filters.ChoiceFilter(
        choices=[("books", "Books copies"), ("crm", "CRM copies"), ("both", "Both sides")]
    )
    review = django_filters.ChoiceFilter(choices=Review.choices)
    min_outstanding = django_filters.NumberFilter(
        field_name="outstanding", lookup_expr="gte", label="Outstanding at least"
    )
    min_invoices = django_filters.NumberFilter(
        field_name="invoice_count", lookup_expr="gte", label="Invoices at least"
    )

    class Meta:
        model = MatchCluster
        fields = ["band", "direction", "review"]


class ClusterTable(Table):
    key = tables.Column(verbose_name="Cluster")
    records = tables.Column(accessor="snapshot", verbose_name="Records", orderable=False)
    band = tables.Column()
    direction = tables.Column()
    invoice_count = tables.Column(verbose_name="Invoices")
    outstanding = tables.Column()
    blockers = tables.Column(orderable=False)
    review = tables.Column()

    class Meta:
        model = MatchCluster
        fields = ()
        sequence = ("key", "records", "band", "direction", "invoice_count", "outstanding",
                    "blockers", "review")  # fmt: skip
        order_by = ("-outstanding",)

    def cell_key(self, record):
        url = reverse("cleanup-cluster", args=[record.pk])
        return format_html('<a href="{}">#{}</a>', url, record.key)

    def cell_records(self, record):
        snapshot = record.snapshot or {}
        return text(" · ".join(facts.get("name", "") for facts in snapshot.values()))

    def cell_band(self, record):
        return text(record.band)

    def cell_direction(self, record):
        return text(record.direction)

    def cell_invoice_count(self, record):
        return record.invoice_count

    def cell_outstanding(self, record):
        return record.outstanding

    def cell_blockers(self, record):
        return len(record.blockers) if record.blockers else EMPTY

    def cell_review(self, record):
        return record.get_review_display()


class RejectForm(forms.Form):
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class PlanForm(forms.Form):
    organization_id = forms.CharField(max_length=40)
    title = forms.CharField(max_length=200, required=False)
    delete_losers = forms.BooleanField(required=False)


def _org(request: HttpRequest) -> str:
    wanted = request.GET.get("org") or request.POST.get("organization_id") or ""
    if wanted:
        return wanted
    first = SyncSettings.objects.order_by("books_organization_id").first()
    return first.books_organization_id if first else ""


def _get(getter, pk: int):
    try:
        return getter(pk)
    except (MatchCluster.DoesNotExist, CleanupPlan.DoesNotExist) as exc:
        raise Http404("Not found.") from exc


# ------------------------------------------------------------------ the review queue


@require("view_dashboard")
def cleanup_index(request: HttpRequest) -> HttpResponse:
    org = _org(request)
    base = selectors.cluster_list(organization_id=org)
    filterset = ClusterFilter(request.GET, queryset=base)
    table = paginate(request, ClusterTable(filterset.qs))
    context = {
        "org": org,
        "filterset": filterset,
        "table": table,
        "progress": selectors.review_progress(base),
        "can_review": can(request.user, "approve_cleanup"),
        "can_propose": can(request.user, "manage_settings"),
    }
    return render_screen(request, "syncadmin/cleanup/index.html", context, fragment="queue")


@require("manage_settings")
@require_POST
def cleanup_match(request: HttpRequest) -> HttpResponse:
    org = _org(request)
    if not org:
        raise Http404("No organisation.")
    run = match_runs.match_run_start(organization_id=org, user=request.user)
    messages.success(request, f"Matching run #{run.pk} queued.")
    return redirect("run", run.pk)


@require("approve_cleanup")
@require_POST
def cleanup_accept_certain(request: HttpRequest) -> HttpResponse:
    count = cleanup.clusters_accept_certain(organization_id=_org(request), actor=request.user)
    messages.success(request, f"{count} certain clusters accepted.")
    return redirect(f"{reverse('cleanup')}?org={_org(request)}")


def _cluster_context(request: HttpRequest, cluster: MatchCluster) -> dict:
    return {
        "cluster": cluster,
        "sides": selectors.cluster_sides(cluster),
        "pairs": list(cluster.pairs.all().order_by("-score")),
        "can_review": can(request.user, "approve_cleanup"),
    }


@require("view_dashboard")
def cluster_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = _get(selectors.cluster_get, pk)
    context = _cluster_context(request, cluster)
    return render_screen(request, "syncadmin/cleanup/cluster.html", context, fragment="cluster")


def _after_review(request: HttpRequest, cluster: MatchCluster) -> HttpResponse:
    if request.htmx:
        cluster.refresh_from_db()
        return render_screen(
            request, "syncadmin/cleanup/cluster.html", _cluster_context(request, cluster),
            fragment="cluster",
        )  # fmt: skip
    return redirect("cleanup-cluster", cluster.pk)


@require("approve_cleanup")
@require_POST
def cluster_decide(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = _get(selectors.cluster_get, pk)
    decision = request.POST.get("decision", "")
    pair_id = request.POST.get("pair", "")
    try:
        if pair_id.isdigit():
            pair = MatchPair.objects.filter(cluster=cluster, pk=int(pair_id)).first()
            if pair is None:
                raise Http404("No such pair.")
            cleanup.pair_decide(pair=pair, actor=request.user, decision=decision)
        else:
            cleanup.cluster_decide(cluster=cluster, actor=request.user, decision=decision)
    except cleanup.ReviewRefused as exc:
        messages.error(request, str(exc))
    return _after_review(request, cluster)


@require("approve_cleanup")
@require_POST
def cluster_survivor(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = _get(selectors.cluster_get, pk)
    try:
        cleanup.cluster_set_survivor(
            cluster=cluster, actor=request.user, ref=request.POST.get("ref", "")
        )
    except cleanup.ReviewRefused as exc:
        messages.error(request, str(exc))
    return _after_review(request, cluster)


# ------------------------------------------------------------------ plans


@require("view_dashboard")
def plan_index(request: HttpRequest) -> HttpResponse:
    context = {
        "plans": selectors.plan_list()[:100],
        "org": _org(request),
        "can_propose": can(request.user, "manage_settings"),
    }
    return render_screen(request, "syncadmin/cleanup/plans.html", context)


@require("manage_settings")
@require_POST
def plan_create(request: HttpRequest) -> HttpResponse:
    form = PlanForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say which organisation.")
        return redirect("cleanup-plans")
    data = form.cleaned_data
    try:
        if request.POST.get("kind") == PlanKind.RECONNECT:
            plan = cleanup.reconnect_plan_create(
                organization_id=data["organization_id"], actor=request.user
            )
        else:
            plan = cleanup.plan_create(
                organization_id=data["organization_id"], actor=request.user,
                title=data["title"], delete_losers=data["delete_losers"],
            )  # fmt: skip
    except cleanup.PlanRefused as exc:
        messages.error(request, str(exc))
        return redirect("cleanup-plans")
    return redirect("cleanup-plan", plan.pk)


def _plan_context(request: HttpRequest, plan: CleanupPlan) -> dict:
    items = list(plan.items.prefetch_related("steps"))
    return {
        "plan": plan,
        "items": items,
        "progress": selectors.plan_progress(plan),
        "live": plan.state == PlanState.EXECUTING,
        "calls": cleanup.plan_dry_run(plan=plan),
        "undo": cleanup.undo_plan(plan=plan),
        "reject_form": RejectForm(),
        "can_approve": can(request.user, "approve_cleanup")
        and plan.proposed_by_id != request.user.pk,
        "can_propose": can(request.user, "manage_settings"),
    }


@require("view_dashboard")
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get(selectors.plan_get, pk)
    context = _plan_context(request, plan)
    return render_screen(request, "syncadmin/cleanup/plan.html", context, fragment="progress")


@require("view_dashboard")
def plan_progress(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get(selectors.plan_get, pk)
    context = _plan_context(request, plan)
    response = render_screen(request, "syncadmin/cleanup/plan.html", context, fragment="progress")
    if request.htmx and not context["live"]:
        stop = HttpResponseStopPolling(response.content)
        stop["Vary"] = response["Vary"]
        return stop
    return response


@require("export_mapping")
def plan_preview_csv(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get(selectors.plan_get, pk)
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="cleanup-plan-{plan.pk}-money.csv"'
    writer = csv.writer(response)
    writer.writerow(["item", "contact_id", "name", "role", "fate", "currency", "tax_treatment",
                     "invoices", "outstanding"])  # fmt: skip
    for item in plan.items.all():
        for c in item.preview.get("copies", []):
            writer.writerow([item.position, c["contact_id"], c["name"], c["role"], c["fate"],
                             c["currency"], c["tax_treatment"], c["invoice_count"],
                             c["outstanding"]])  # fmt: skip
    return response


def _plan_action(request: HttpRequest, pk: int, action) -> HttpResponse:
    plan = _get(selectors.plan_get, pk)
    try:
        action(plan)
    except (cleanup.PlanRefused, cleanup.ExecuteRefused) as exc:
        messages.error(request, str(exc))
    return redirect("cleanup-plan", plan.pk)


@require("manage_settings")
@require_POST
def plan_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_action(request, pk, lambda p: cleanup.plan_submit(plan=p, actor=request.user))


@require("manage_settings")
@require_POST
def plan_native_off(request: HttpRequest, pk: int) -> HttpResponse:
    def confirm(plan):
        cleanup.plan_confirm_native_off(plan=plan, actor=request.user)
        _continue(plan)

    return _plan_action(request, pk, confirm)


@require("approve_cleanup")
@require_POST
def plan_approve(request: HttpRequest, pk: int) -> HttpResponse:
    comment = request.POST.get("comment", "")
    return _plan_action(
        request, pk, lambda p: cleanup.plan_approve(plan=p, actor=request.user, comment=comment)
    )


@require("approve_cleanup")
@require_POST
def plan_reject(request: HttpRequest, pk: int) -> HttpResponse:
    comment = request.POST.get("comment", "")
    return _plan_action(
        request, pk, lambda p: cleanup.plan_reject(plan=p, actor=request.user, comment=comment)
    )


@require("approve_cleanup")
@require_POST
def plan_merges(request: HttpRequest, pk: int) -> HttpResponse:
    def confirm(plan):
        cleanup.plan_confirm_merges(plan=plan, actor=request.user)
        _continue(plan)

    return _plan_action(request, pk, confirm)


@require("approve_cleanup")
@require_POST
def plan_execute(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_action(
        request, pk, lambda p: cleanup.plan_execute_start(plan=p, actor=request.user)
    )


@require("approve_cleanup")
@require_POST
def plan_undo(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_action(request, pk, lambda p: cleanup.plan_undo(plan=p, actor=request.user))


@require("manage_settings")
@require_POST
def plan_verify(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_action(request, pk, lambda p: cleanup.reconnect_verify(plan=p, actor=request.user))


@require("manage_settings")
@require_POST
def step_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    step = PlanStep.objects.select_related("item__plan").filter(pk=pk).first()
    if step is None:
        raise Http404("No such step.")
    try:
        cleanup.step_confirm(step=step, actor=request.user, note=request.POST.get("note", ""))
        _continue(step.item.plan)
    except cleanup.PlanRefused as exc:
        messages.error(request, str(exc))
    return redirect("cleanup-plan", step.item.plan_id)


def _continue(plan: CleanupPlan) -> None:
    """A person unblocked something: let an executing plan go on (after commit)."""
    if plan.state == PlanState.EXECUTING:
        from syncadmin.tasks import cleanup_plan_run

        cleanup_plan_run.delay_on_commit(plan.pk)
