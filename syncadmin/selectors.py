"""Cross-cutting reads. Screen reads live in their area (``syncadmin/sync/selectors.py``,
``syncadmin/diagnostics/``); views never chain the ORM themselves."""

from __future__ import annotations

from django.db.models import QuerySet

from syncadmin.models import Connection, ConnectionStatus

PROBLEM_STATUSES = (ConnectionStatus.NEEDS_REAUTH, ConnectionStatus.USER_INACTIVE)


def connection_list() -> QuerySet[Connection]:
    return Connection.objects.order_by("service", "organization_name")


def connection_problem_list() -> list[Connection]:
    """Connections whose state must be shown on every page until someone fixes it."""
    return list(Connection.objects.filter(status__in=PROBLEM_STATUSES).order_by("service"))
