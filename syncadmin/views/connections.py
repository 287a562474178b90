from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from syncadmin import selectors
from syncadmin.access import can, require


@require("view_dashboard")
def connection_index(request: HttpRequest) -> HttpResponse:
    context = {
        "connections": selectors.connection_list(),
        "can_manage": can(request.user, "manage_connections"),
    }
    return render(request, "syncadmin/connections/index.html", context)
