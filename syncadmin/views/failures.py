from django.http import HttpRequest, HttpResponse

from syncadmin import selectors
from syncadmin.access import require
from syncadmin.filters import FailureFilter
from syncadmin.tables import FailureTable
from syncadmin.views.rendering import paginate, render_screen


@require("view_dashboard")
def failure_index(request: HttpRequest) -> HttpResponse:
    filterset = FailureFilter(request.GET, queryset=selectors.failure_list())
    table = paginate(request, FailureTable(filterset.qs))
    context = {"filterset": filterset, "table": table}
    return render_screen(request, "syncadmin/failures/index.html", context, fragment="results")
