from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, include, path, re_path, resolve

from .views.crm import control_urlpatterns as crm_control_urlpatterns
from .views.errors import not_found


def _without_trailing_slash(request: HttpRequest, rest: str) -> HttpResponse:
    """Zoho answers `/books/v3/contacts/1/` as `/books/v3/contacts/1` (clients in the wild
    send both); so does the sandbox, for every CRM and Books API path."""
    try:
        match = resolve(f"/{rest}")
    except Resolver404:
        return not_found(request)
    return match.func(request, *match.args, **match.kwargs)


urlpatterns = [
    path("_sandbox/crm/", include(crm_control_urlpatterns)),
    path("_sandbox/", include("syncadmin.sandbox.views.control")),
    path("_sandbox/", include("syncadmin.sandbox.native.views")),
    path("_sandbox/", include("syncadmin.sandbox.seeding.views")),
    path("oauth/", include("syncadmin.sandbox.views.accounts")),
    path("crm/v8/", include("syncadmin.sandbox.views.crm_org")),
    path("crm/v8/", include("syncadmin.sandbox.views.crm")),
    path("books/v3/", include("syncadmin.sandbox.views.books")),
    # last: only paths no route above takes
    re_path(r"^(?P<rest>(?:crm/v8|books/v3)/.*[^/])/+$", _without_trailing_slash),
]

handler404 = "syncadmin.sandbox.views.errors.not_found"
handler500 = "syncadmin.sandbox.views.errors.server_error"
