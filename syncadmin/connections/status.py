"""A connection's status as people see it: set, audited, saved without touching tokens."""

from __future__ import annotations

from django.utils import timezone

from syncadmin import services
from syncadmin.models import Connection, ConnectionStatus
from syncadmin.zoho.errors import ZohoError

STATUS_FOR_REASON = {
    "token_invalid": ConnectionStatus.USER_INACTIVE,
    "not_authorised": ConnectionStatus.NEEDS_REAUTH,
    "client_invalid": ConnectionStatus.NEEDS_REAUTH,
    "wrong_organisation": ConnectionStatus.NEEDS_REAUTH,
}


def mark_unhealthy(connection: Connection, error: ZohoError) -> None:
    """Turn the connection red for an auth failure, with Zoho's reason and the fix."""
    status = STATUS_FOR_REASON.get(error.reason.code, ConnectionStatus.NEEDS_REAUTH)
    if status == ConnectionStatus.USER_INACTIVE:
        connection.user_active = False
    set_status(connection, status, f"{error.reason.explanation} {error.fix}")
    save_health(connection)


def set_status(connection: Connection, status: str, detail: str) -> None:
    if connection.status != status:
        services.audit_record(
            actor=None, action="connection.status", target_type="connection",
            target_id=connection.pk, target_label=str(connection),
            before={"status": connection.status}, after={"status": status}, note=detail,
        )  # fmt: skip
    connection.status, connection.status_detail = status, detail


HEALTH_FIELDS = [
    "status", "status_detail", "user_name", "user_email", "zoho_user_id", "user_active",
    "last_health_check_at", "updated_at",
]  # fmt: skip


def save_health(connection: Connection) -> None:
    """Write only what a health check learns; tokens and claims stay as others left them.
    A connection disconnected meanwhile stays disconnected."""
    connection.last_health_check_at = timezone.now()
    connection.updated_at = timezone.now()
    values = {field: getattr(connection, field) for field in HEALTH_FIELDS}
    Connection.objects.filter(pk=connection.pk).exclude(status=ConnectionStatus.PAUSED).update(
        **values
    )
