from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from syncadmin.access import can, require


@require("view_dashboard")
def cleanup_index(request: HttpRequest) -> HttpResponse:
    context = {"can_approve": can(request.user, "approve_cleanup")}
    return render(request, "syncadmin/cleanup/index.html", context)
