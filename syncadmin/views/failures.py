"""Failures: grouped by reason with the fix, drill into one reason, fix-in-place, bulk retry."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from syncadmin.access import can, require
from syncadmin.filters import FailureFilter
from syncadmin.forms import BulkRetryForm, CollisionFixForm, FixValueForm
from syncadmin.models import SyncFailure
from syncadmin.sync import bulk, fixes, selectors
from syncadmin.sync.reasons import label, reason
from syncadmin.tables import FailureTable
from syncadmin.views.rendering import paginate, render_screen


@require("view_dashboard")
def failure_index(request: HttpRequest) -> HttpResponse:
    return _render_index(request)


def _render_index(request: HttpRequest) -> HttpResponse:
    filterset = FailureFilter(request.GET, queryset=selectors.failure_list())
    table = FailureTable(filterset.qs)
    table.can_fix = can(request.user, "push_record")
    table = paginate(request, table, lazy=True)
    code = request.GET.get("reason_code", "")
    context = {
        "filterset": filterset,
        "table": table,
        "summary": selectors.failure_summary(),
        "reason": {"code": code, "label": label(code), "entry": reason(code)} if code else None,
        "can_fix": can(request.user, "push_record"),
        "query": request.GET.urlencode(),
    }
    return render_screen(request, "syncadmin/failures/index.html", context, fragment="results")


def _after(request: HttpRequest) -> HttpResponse:
    """Re-render what the user was looking at (its query rides along as ``next``)."""
    query = request.POST.get("next", "")
    if request.htmx:
        request.GET = QueryDict(query)
        return _render_index(request)
    return redirect(f"{reverse('failures')}?{query}")


@require("push_record")
@require_POST
def failure_retry(request: HttpRequest) -> HttpResponse:
    form = BulkRetryForm(request.POST)
    if form.is_valid():
        result = bulk.failures_retry(failure_ids=form.cleaned_data["ids"], actor=request.user)
        level = messages.WARNING if result.failed else messages.SUCCESS
        messages.add_message(request, level, result.message("retried"))
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return _after(request)


@require("push_record")
@require_POST
def failure_fix(request: HttpRequest, pk: int) -> HttpResponse:
    failure = get_object_or_404(SyncFailure, pk=pk, resolved_at__isnull=True)
    try:
        if failure.reason_code in fixes.FIXABLE:
            _fix_value(request, failure)
        elif failure.reason_code == "display_name_taken":
            _fix_collision(request, failure)
        else:
            messages.error(request, "This failure has no fix-in-place; follow the suggested fix.")
    except fixes.FixError as exc:
        messages.error(request, str(exc))
    return _after(request)


def _fix_value(request, failure) -> None:
    form = FixValueForm(request.POST, reason_code=failure.reason_code)
    if not form.is_valid():
        messages.error(request, f"{form.fields['value'].label}: " + "; ".join(form.errors["value"]))
        return
    outcome = fixes.failure_fix_value(
        failure=failure, value=form.cleaned_data["value"], actor=request.user
    )
    _report(request, failure, outcome)


def _fix_collision(request, failure) -> None:
    form = CollisionFixForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose to link or to retry under the suggested name.")
    elif form.cleaned_data["choice"] == "link":
        contact = fixes.failure_link_existing(failure=failure, actor=request.user)
        messages.success(request, f"Linked to the existing customer {contact.contact_name}.")
    else:
        _report(request, failure, fixes.failure_retry_renamed(failure=failure, actor=request.user))


def _report(request, failure, outcome) -> None:
    name = failure.crm_record.name if failure.crm_record else "the record"
    if getattr(outcome, "reason_code", ""):
        messages.warning(
            request, f"{name} still fails: {outcome.message or label(outcome.reason_code)}."
        )
    else:
        messages.success(
            request, f"Fixed and pushed {name}: {getattr(outcome, 'outcome', 'done')}."
        )
