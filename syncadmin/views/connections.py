from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from syncadmin import connections, selectors
from syncadmin.access import can, require
from syncadmin.forms import ConnectForm, OrganisationForm
from syncadmin.models import Connection, Service
from syncadmin.views.rendering import render_screen
from syncadmin.zoho.errors import ZohoError

NONCES = "oauth_nonces"


@require("view_dashboard")
def connection_index(request: HttpRequest) -> HttpResponse:
    return _render_index(request)


def _render_index(
    request: HttpRequest,
    *,
    plan_form: connections.ConnectionPlanForm | None = None,
    fragment: str = "table",
) -> HttpResponse:
    """The screen, or one fragment of it; ``plan_form`` (bound) replaces its row's form."""
    can_manage = can(request.user, "manage_connections")
    rows = [
        (c, _plan_form(c, plan_form) if can_manage else None) for c in selectors.connection_list()
    ]
    context = {
        "connections": [c for c, _ in rows],
        "rows": rows,
        "can_manage": can_manage,
        "services": Service.choices,
    }
    if plan_form is not None:  # the plan-form fragment renders this one form
        context |= {"c": plan_form.connection, "plan_form": plan_form}
    return render_screen(request, "syncadmin/connections/index.html", context, fragment=fragment)


def _plan_form(connection: Connection, bound: connections.ConnectionPlanForm | None):
    if bound is not None and bound.connection.pk == connection.pk:
        return bound
    return connections.ConnectionPlanForm(connection=connection)


@require("manage_connections")
def connection_connect(request: HttpRequest, service: str) -> HttpResponse:
    if service not in Service.values:
        return redirect("connections")
    form = ConnectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return _start(request, service, form.cleaned_data["data_centre"], connection=None)
    label = Service(service).label
    return render(request, "syncadmin/connections/connect.html", {"form": form, "label": label})


@require("manage_connections")
@require_POST
def connection_reconnect(request: HttpRequest, pk: int) -> HttpResponse:
    connection = get_object_or_404(Connection, pk=pk)
    return _start(request, connection.service, connection.data_centre, connection=connection)


def _start(request, service, data_centre, *, connection) -> HttpResponse:
    try:
        start = connections.connection_start(
            service=service,
            data_centre=data_centre,
            redirect_to=connections.redirect_uri(request.build_absolute_uri),
            connection=connection,
        )
    except connections.ConnectError as exc:
        messages.error(request, str(exc))
        return redirect("connections")
    request.session[NONCES] = [*request.session.get(NONCES, [])[-4:], start.nonce]
    return redirect(start.url)


@require("manage_connections")
def oauth_callback(request: HttpRequest) -> HttpResponse:
    nonces = request.session.get(NONCES, [])
    try:
        payload = connections.state_read(state=request.GET.get("state", ""), session_nonces=nonces)
        request.session[NONCES] = nonces
        if request.GET.get("error"):
            raise connections.ConnectError(
                "Consent was denied in Zoho; nothing was stored. Connect again to retry."
            )
        connection = connections.connection_complete(
            payload=payload,
            code=request.GET.get("code", ""),
            accounts_server=request.GET.get("accounts-server", ""),
            location=request.GET.get("location", ""),
            redirect_to=connections.redirect_uri(request.build_absolute_uri),
            user=request.user,
        )
    except (connections.ConnectError, ZohoError) as exc:
        messages.error(request, str(exc) if isinstance(exc, connections.ConnectError) else exc.fix)
        return redirect("connections")
    if not connection.organization_id:
        return redirect("connection-organisation", pk=connection.pk)
    messages.success(request, f"Connected {connection}: {connection.get_status_display()}.")
    return redirect("connections")


@require("manage_connections")
def connection_organisation(request: HttpRequest, pk: int) -> HttpResponse:
    connection = get_object_or_404(Connection, pk=pk)
    if connection.organization_id:
        # Rebinding would point its mapping at another organisation's data.
        messages.error(request, f"{connection} is already bound to its organisation.")
        return redirect("connections")
    try:
        choices = connections.organisation_choices(connection)
    except ZohoError as exc:
        messages.error(request, exc.fix)
        return redirect("connections")
    form = OrganisationForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        connection = connections.connection_choose_organisation(
            connection=connection,
            organization_id=form.cleaned_data["organization_id"],
            user=request.user,
        )
        messages.success(request, f"Connected {connection}.")
        return redirect("connections")
    context = {"form": form, "connection": connection}
    return render(request, "syncadmin/connections/organisation.html", context)


@require("manage_connections")
@require_POST
def connection_disconnect(request: HttpRequest, pk: int) -> HttpResponse:
    connection = get_object_or_404(Connection, pk=pk)
    connection = connections.connection_disconnect(connection=connection, user=request.user)
    if connections.revoke_pending(connection):
        messages.warning(request, f"{connection}: {connection.status_detail}")
    else:
        messages.success(request, f"Disconnected {connection}. The mapping is kept.")
    return _after_action(request)


@require("manage_connections")
@require_POST
def connection_check(request: HttpRequest, pk: int) -> HttpResponse:
    connection = connections.connection_health_check(get_object_or_404(Connection, pk=pk))
    messages.info(request, f"{connection}: {connection.get_status_display()}.")
    return _after_action(request)


@require("manage_connections")
@require_POST
def connection_plan(request: HttpRequest, pk: int) -> HttpResponse:
    connection = get_object_or_404(Connection, pk=pk)
    form = connections.ConnectionPlanForm(request.POST, connection=connection)
    if form.is_valid():
        connections.connection_plan_set(
            connection=connection, actor=request.user, **form.cleaned_data
        )
        if not request.htmx:
            messages.success(request, f"{connection}: {form.current_limits()}.")
            return redirect("connections")
        form = connections.ConnectionPlanForm(connection=connection)
        form.saved = True
    return _render_index(request, plan_form=form, fragment="plan-form")


def _after_action(request: HttpRequest) -> HttpResponse:
    if request.htmx:
        return _render_index(request)
    return redirect("connections")
