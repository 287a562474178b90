from django.urls import include, path

urlpatterns = [
    path("_sandbox/", include("syncadmin.sandbox.views.control")),
    path("oauth/", include("syncadmin.sandbox.views.accounts")),
    path("crm/v8/", include("syncadmin.sandbox.views.crm")),
    path("books/v3/", include("syncadmin.sandbox.views.books")),
]

handler404 = "syncadmin.sandbox.views.errors.not_found"
handler500 = "syncadmin.sandbox.views.errors.server_error"
