from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from syncadmin.views import (
    cleanup,
    connections,
    failures,
    health,
    history,
    intake,
    mapping,
    overview,
)

urlpatterns = [
    path("", overview.overview, name="overview"),
    path("mapping/", mapping.link_index, name="mapping"),
    path("failures/", failures.failure_index, name="failures"),
    path("history/", history.run_index, name="history"),
    path("cleanup/", cleanup.cleanup_index, name="cleanup"),
    path("connections/", connections.connection_index, name="connections"),
    path(
        "connections/connect/<str:service>/",
        connections.connection_connect,
        name="connection-connect",
    ),
    path("connections/oauth/callback/", connections.oauth_callback, name="oauth-callback"),
    path(
        "connections/<int:pk>/organisation/",
        connections.connection_organisation,
        name="connection-organisation",
    ),
    path(
        "connections/<int:pk>/reconnect/",
        connections.connection_reconnect,
        name="connection-reconnect",
    ),
    path(
        "connections/<int:pk>/disconnect/",
        connections.connection_disconnect,
        name="connection-disconnect",
    ),
    path("connections/<int:pk>/check/", connections.connection_check, name="connection-check"),
    path("connections/<int:pk>/plan/", connections.connection_plan, name="connection-plan"),
    path("healthz", health.healthz, name="healthz"),
    path("sync/webhook/<str:organization_id>/", intake.webhook, name="sync-webhook"),
    path("sync/notify/<str:organization_id>/", intake.notify, name="sync-notify"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]
