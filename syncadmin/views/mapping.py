from django.http import HttpRequest, HttpResponse

from syncadmin import selectors
from syncadmin.access import require
from syncadmin.filters import LinkFilter
from syncadmin.tables import LinkTable
from syncadmin.views.rendering import paginate, render_screen


@require("view_dashboard")
def link_index(request: HttpRequest) -> HttpResponse:
    filterset = LinkFilter(request.GET, queryset=selectors.link_list())
    table = paginate(request, LinkTable(filterset.qs))
    context = {"filterset": filterset, "table": table}
    return render_screen(request, "syncadmin/mapping/index.html", context, fragment="results")
