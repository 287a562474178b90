from django.http import HttpRequest, HttpResponse

from syncadmin import selectors
from syncadmin.access import require
from syncadmin.filters import RunFilter
from syncadmin.tables import RunTable
from syncadmin.views.rendering import paginate, render_screen


@require("view_dashboard")
def run_index(request: HttpRequest) -> HttpResponse:
    filterset = RunFilter(request.GET, queryset=selectors.run_list())
    table = paginate(request, RunTable(filterset.qs))
    context = {"filterset": filterset, "table": table}
    return render_screen(request, "syncadmin/history/index.html", context, fragment="results")
