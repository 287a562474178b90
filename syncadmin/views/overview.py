"""Overview: connections, freshness, failures, budgets, pauses and the diagnostic checklist."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from syncadmin.access import require
from syncadmin.diagnostics.overview import overview_get
from syncadmin.views.rendering import render_screen


@require("view_dashboard")
def overview(request: HttpRequest) -> HttpResponse:
    context = {"overview": overview_get()}
    return render_screen(request, "syncadmin/overview/index.html", context, fragment="checklist")


@require("view_dashboard")
@require_POST
def checklist_refresh(request: HttpRequest) -> HttpResponse:
    """Re-read the mirrors now instead of waiting for the next beat."""
    context = {"overview": overview_get(fresh=True)}
    if request.htmx:
        return render_screen(
            request, "syncadmin/overview/index.html", context, fragment="checklist"
        )
    return redirect("overview")
