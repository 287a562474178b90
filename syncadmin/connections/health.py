"""Health checks: who is connected, and does the connection still work?

Guarantees: auth failures turn the connection red (the banner shows on every page) and
it stays red until a person re-authorises; transient failures only record what happened;
only health fields are written, so a token refreshed meanwhile is never overwritten; the
mapping table is never touched.
"""

from __future__ import annotations

from syncadmin.connections.clients import books_for, crm_for
from syncadmin.connections.status import mark_unhealthy, save_health, set_status
from syncadmin.connections.tokens import connections_revoke_pending, token_servable
from syncadmin.models import Connection, ConnectionStatus, Service
from syncadmin.zoho.errors import REASONS, AuthZohoError, ZohoError
from syncadmin.zoho.types import ZohoUser


def connection_health_check(connection: Connection) -> Connection:
    """Ask Zoho who the connecting user is and whether the connection still works.

    Auth failures turn the connection red (the banner shows on every page); transient
    failures only record what happened. Only health fields are written, so a token
    refreshed meanwhile is never overwritten. The mapping table is never touched.
    """
    if not connection.organization_id or not token_servable(connection):
        # Still waiting for its organisation, paused by a person, or red: only a person
        # re-authorising brings it back, so no token is spent on it.
        return connection
    try:
        user = _identify_user(connection)
    except AuthZohoError as exc:
        mark_unhealthy(connection, exc)
    except ZohoError as exc:
        connection.status_detail = f"Health check could not finish: {exc.reason.explanation}"
        save_health(connection)
    else:
        _record_user(connection, user)
    return connection


def _identify_user(connection: Connection) -> ZohoUser | None:
    """The connecting user, after checking the connection still reaches its organisation."""
    if connection.service == Service.CRM:
        crm = crm_for(connection, lane="interactive")
        reached = {crm.org().organization_id}
        user = crm.current_user()
    else:
        books = books_for(connection, lane="interactive")
        reached = {o.organization_id for o in books.organizations()}
        user = books.current_user()
    if connection.organization_id not in reached:
        raise AuthZohoError("wrong_organisation", zoho_message=connection.organization_id)
    return user


def _record_user(connection: Connection, user: ZohoUser | None) -> None:
    if user:
        connection.user_name, connection.user_email = user.name, user.email
        connection.zoho_user_id, connection.user_active = user.id, user.active
    if user and not user.active:
        # Zoho still answers, but the user is deactivated or de-licensed: sync must stop.
        detail = f"{user.email} is inactive in Zoho. {REASONS['token_invalid'].fix}"
        set_status(connection, ConnectionStatus.USER_INACTIVE, detail)
    else:
        set_status(connection, ConnectionStatus.CONNECTED, "")
    save_health(connection)


def connections_health_check_due() -> int:
    """Check every connected connection bound to an organisation; first retry the token
    revokes Zoho did not confirm at disconnect."""
    connections_revoke_pending()
    checked = 0
    due = (
        Connection.objects.filter(status=ConnectionStatus.CONNECTED)
        .exclude(refresh_token=None)
        .exclude(organization_id="")
    )
    for connection in due:
        connection_health_check(connection)
        checked += 1
    return checked
