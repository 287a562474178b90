"""Zoho clients for a connection: its tokens, its organisation's shared API budget."""

from __future__ import annotations

from django.conf import settings

from syncadmin import budget
from syncadmin.connections.tokens import ConnectionTokens, http_client
from syncadmin.models import Connection
from syncadmin.zoho import BooksClient, CrmClient, books_client, crm_client


def connection_limits(connection: Connection) -> budget.Limits:
    """What the shared budget lets this connection's organisation spend, by the plan the
    admin set. Raises ``budget.UnknownPlan`` for a plan the service does not have."""
    return budget.limits_for(
        connection.service, connection.plan, connection.daily_limit,
        books_per_minute=settings.BOOKS_REQUESTS_PER_MINUTE,
    )  # fmt: skip


def connection_gate(connection: Connection, lane: budget.Lane) -> budget.OrgGate:
    return budget.gate(
        service=connection.service,
        org_id=connection.organization_id or f"connection-{connection.pk}",
        lane=lane,
        limits=connection_limits(connection),
    )


def crm_for(connection: Connection, *, lane: budget.Lane = "realtime") -> CrmClient:
    """A CRM client spending from the organisation's shared budget in ``lane``."""
    return crm_client(
        http=http_client(),
        api_domain=connection.api_domain,
        tokens=ConnectionTokens(connection.pk),
        gate=connection_gate(connection, lane),
    )


def books_for(
    connection: Connection, *, organization_id: str | None = None, lane: budget.Lane = "realtime"
) -> BooksClient:
    """A Books client spending from the organisation's shared budget in ``lane``."""
    org = connection.organization_id if organization_id is None else organization_id
    return books_client(
        http=http_client(),
        api_domain=connection.api_domain,
        tokens=ConnectionTokens(connection.pk),
        organization_id=org,
        gate=connection_gate(connection, lane),
    )
