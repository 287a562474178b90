"""History: runs with a per-day chart, run detail with its events, live progress."""

from django.http import Http404, HttpRequest, HttpResponse
from django_htmx.http import HttpResponseStopPolling

from syncadmin.access import require
from syncadmin.filters import RunFilter
from syncadmin.models import RunStatus, SyncRun
from syncadmin.sync import selectors
from syncadmin.tables import EventTable, RunTable
from syncadmin.views.rendering import paginate, render_screen

LIVE = (RunStatus.QUEUED, RunStatus.RUNNING)


@require("view_dashboard")
def run_index(request: HttpRequest) -> HttpResponse:
    filterset = RunFilter(request.GET, queryset=selectors.run_list())
    table = paginate(request, RunTable(filterset.qs), lazy=True)
    context = {"filterset": filterset, "table": table, "days": selectors.activity_per_day()}
    return render_screen(request, "syncadmin/history/index.html", context, fragment="results")


def _run(pk: int) -> SyncRun:
    try:
        return selectors.run_get(pk)
    except SyncRun.DoesNotExist as exc:
        raise Http404("No such run.") from exc


@require("view_dashboard")
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(pk)
    table = paginate(request, EventTable(selectors.run_event_list(run)), lazy=True)
    context = {"run": run, "table": table, "live": run.status in LIVE}
    return render_screen(request, "syncadmin/history/run.html", context, fragment="results")


@require("view_dashboard")
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The polling status partial; once the run has ended it answers 286 so htmx stops."""
    run = _run(pk)
    context = {"run": run, "live": run.status in LIVE}
    response = render_screen(request, "syncadmin/history/run.html", context, fragment="progress")
    if request.htmx and not context["live"]:
        stop = HttpResponseStopPolling(response.content)
        stop["Vary"] = response["Vary"]
        return stop
    return response
