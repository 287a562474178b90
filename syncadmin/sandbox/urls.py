from django.urls import include, path

from .views.crm import control_urlpatterns as crm_control_urlpatterns

urlpatterns = [
    path("_sandbox/crm/", include(crm_control_urlpatterns)),
    path("_sandbox/", include("syncadmin.sandbox.views.control")),
    path("_sandbox/", include("syncadmin.sandbox.native.views")),
    path("_sandbox/", include("syncadmin.sandbox.seeding.views")),
    path("oauth/", include("syncadmin.sandbox.views.accounts")),
    path("crm/v8/", include("syncadmin.sandbox.views.crm_org")),
    path("crm/v8/", include("syncadmin.sandbox.views.crm")),
    path("books/v3/", include("syncadmin.sandbox.views.books")),
]

handler404 = "syncadmin.sandbox.views.errors.not_found"
handler500 = "syncadmin.sandbox.views.errors.server_error"
