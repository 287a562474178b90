"""Settings: what the sync engine made configurable, per Books organisation. Admin only;
every change goes through the audited service."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from syncadmin.access import require
from syncadmin.forms import OrgPauseForm, SyncSettingsForm
from syncadmin.models import SyncSettings
from syncadmin.sync.profile import sync_settings_list
from syncadmin.views.rendering import render_screen

EDITABLE = ("module_mapping", "scope_field", "scope_value", "field_mapping", "writeback_field",
            "books_country", "native_integration_active", "money_to_crm")  # fmt: skip


@require("manage_settings")
def settings_index(request: HttpRequest) -> HttpResponse:
    found = sync_settings_list()
    if len(found) == 1:
        return redirect("settings-org", pk=found[0].pk)
    return render_screen(request, "syncadmin/settings/index.html", {"organisations": found})


@require("manage_settings")
def settings_org(request: HttpRequest, pk: int) -> HttpResponse:
    settings = get_object_or_404(
        SyncSettings.objects.select_related("paused_by", "crm_connection", "books_connection"),
        pk=pk,
    )
    initial = {name: getattr(settings, name) for name in EDITABLE}
    form = SyncSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if v != initial[k]}
        if changes:
            from syncadmin.sync import controls

            controls.sync_settings_update(settings=settings, actor=request.user, **changes)
            messages.success(request, f"Saved: {', '.join(sorted(changes))}.")
        else:
            messages.info(request, "Nothing changed.")
        if not request.htmx:
            return redirect("settings-org", pk=pk)
        settings.refresh_from_db()
    context = {"settings": settings, "form": form, "pause_form": OrgPauseForm()}
    return render_screen(request, "syncadmin/settings/org.html", context, fragment="form")


@require("manage_settings")
@require_POST
def settings_pause(request: HttpRequest, pk: int) -> HttpResponse:
    from syncadmin.sync import controls

    settings = get_object_or_404(SyncSettings, pk=pk)
    if settings.paused:
        controls.org_resume(settings=settings, actor=request.user)
        messages.success(request, "Sync resumed for the organisation.")
    else:
        form = OrgPauseForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        controls.org_pause(settings=settings, actor=request.user, reason=reason)
        messages.warning(request, "Sync paused for the whole organisation.")
    return redirect("settings-org", pk=pk)
