"""Connections to Zoho CRM and Zoho Books.

``oauth`` runs the connect flow, ``tokens`` keeps access tokens fresh single-flight,
``clients`` hands out Zoho clients that spend from the shared API budget, ``plan`` sets
the plan that budget spends by, ``health`` checks who is connected, ``status`` records
what people see.
"""

from syncadmin.connections.clients import books_for, connection_gate, connection_limits, crm_for
from syncadmin.connections.health import connection_health_check, connections_health_check_due
from syncadmin.connections.oauth import (
    SCOPES,
    ConnectError,
    connection_choose_organisation,
    connection_complete,
    connection_disconnect,
    connection_start,
    identify_and_check,
    organisation_choices,
    redirect_uri,
    revoke_pending,
    state_read,
)
from syncadmin.connections.plan import ConnectionPlanForm, connection_plan_set
from syncadmin.connections.tokens import ConnectionTokens, access_token_get, http_client

__all__ = [
    "SCOPES",
    "ConnectError",
    "ConnectionPlanForm",
    "ConnectionTokens",
    "access_token_get",
    "books_for",
    "connection_choose_organisation",
    "connection_complete",
    "connection_disconnect",
    "connection_gate",
    "connection_health_check",
    "connection_limits",
    "connection_plan_set",
    "connection_start",
    "connections_health_check_due",
    "crm_for",
    "http_client",
    "identify_and_check",
    "organisation_choices",
    "redirect_uri",
    "revoke_pending",
    "state_read",
]
