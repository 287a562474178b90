from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from syncadmin import selectors
from syncadmin.access import require


@require("view_dashboard")
def overview(request: HttpRequest) -> HttpResponse:
    return render(request, "syncadmin/overview/index.html", {"overview": selectors.overview_get()})
