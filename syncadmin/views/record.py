"""Record page: one CRM ↔ Books pair side by side, its timeline, and the actions by role."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from syncadmin.access import can, require
from syncadmin.forms import PauseForm, RelinkForm, UnlinkForm
from syncadmin.models import BooksContact, CrmRecord, RecordLink
from syncadmin.sync import selectors
from syncadmin.sync.profile import sync_settings_list
from syncadmin.views.rendering import render_screen


def _context(request, *, link: RecordLink | None, crm: CrmRecord | None, books=None, **forms):
    books = books if books is not None else (link.books_contact if link else None)
    user = request.user
    return {
        "link": link,
        "crm": crm,
        "books": books,
        "fields": selectors.record_field_rows(crm, books),
        "timeline": selectors.record_timeline(crm_record=crm, books_contact=books),
        # Only an unlinked CRM record's "Push now" asks which organisation.
        "organisations": [] if link else [s.books_organization_id for s in sync_settings_list()],
        "can_push": can(user, "push_record"),
        "can_reimport": can(user, "reimport_record"),
        "can_pause": can(user, "pause_record"),
        "can_relink": can(user, "manage_settings"),
        "pause_form": forms.get("pause_form") or PauseForm(),
        "unlink_form": forms.get("unlink_form") or UnlinkForm(),
        "relink_form": forms.get("relink_form") or RelinkForm(),
    }


def _render(request, link, **forms) -> HttpResponse:
    context = _context(request, link=link, crm=link.crm_record, **forms)
    return render_screen(request, "syncadmin/record/detail.html", context, fragment="record")


def _link(pk: int) -> RecordLink:
    try:
        return selectors.link_get(pk)
    except RecordLink.DoesNotExist as exc:
        raise Http404("No such link.") from exc


@require("view_dashboard")
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render(request, _link(pk))


@require("view_dashboard")
def record_crm(request: HttpRequest, pk: int) -> HttpResponse:
    crm = get_object_or_404(CrmRecord, pk=pk)
    link = selectors.live_link_for_crm(crm)
    if link is not None:
        return redirect("record", pk=link.pk)
    context = _context(request, link=None, crm=crm)
    return render_screen(request, "syncadmin/record/detail.html", context, fragment="record")


def _after(request, link: RecordLink, **forms) -> HttpResponse:
    if request.htmx:
        return _render(request, selectors.link_get(link.pk), **forms)
    return redirect("record", pk=link.pk)


def _control(request, call, **kwargs):
    """Call one control; a refusal (paused, integration off, taken customer …) becomes a
    message on the page instead of an error."""
    from syncadmin.sync.controls import ControlRefused

    try:
        return call(**kwargs)
    except ControlRefused as exc:
        messages.error(request, str(exc))
        return REFUSED


REFUSED = object()


def _say(request, outcome, verb: str) -> None:
    if outcome is REFUSED:
        return
    if getattr(outcome, "reason_code", ""):
        messages.warning(
            request, f"{verb} did not go through: {outcome.message or outcome.reason_code}."
        )
    else:
        messages.success(request, f"{verb}: {getattr(outcome, 'outcome', 'done')}.")


@require("push_record")
@require_POST
def record_push(request: HttpRequest, pk: int) -> HttpResponse:
    from syncadmin.sync import controls

    link = _link(pk)
    if link.crm_record is None:
        messages.error(request, "This link has no CRM record to push.")
    else:
        outcome = _control(
            request,
            controls.record_push_now,
            crm_record=link.crm_record,
            organization_id=link.books_organization_id,
            actor=request.user,
        )
        _say(request, outcome, "Push now")
    return _after(request, link)


@require("push_record")
@require_POST
def record_crm_push(request: HttpRequest, pk: int) -> HttpResponse:
    """Push an unlinked CRM record; on success its page becomes the pair's page."""
    from syncadmin.sync import controls

    crm = get_object_or_404(CrmRecord, pk=pk)
    organisations = [s.books_organization_id for s in sync_settings_list()]
    org = request.POST.get("organization_id") or (organisations[0] if organisations else "")
    if org not in organisations:
        messages.error(request, "Choose the Books organisation to push to.")
        return redirect("record-crm", pk=pk)
    outcome = _control(
        request, controls.record_push_now, crm_record=crm, organization_id=org, actor=request.user
    )
    _say(request, outcome, "Push now")
    link = getattr(outcome, "link", None) or selectors.live_link_for_crm(crm)
    if link is not None:
        if request.htmx:
            response = _render(request, selectors.link_get(link.pk))
            response["HX-Push-Url"] = reverse("record", args=[link.pk])
            return response
        return redirect("record", pk=link.pk)
    if request.htmx:
        context = _context(request, link=None, crm=crm)
        return render_screen(request, "syncadmin/record/detail.html", context, fragment="record")
    return redirect("record-crm", pk=pk)


@require("reimport_record")
@require_POST
def record_reimport(request: HttpRequest, pk: int) -> HttpResponse:
    from syncadmin.sync import controls

    link = _link(pk)
    if link.crm_record is not None:
        outcome = _control(
            request,
            controls.record_reimport,
            crm_record=link.crm_record,
            organization_id=link.books_organization_id,
            actor=request.user,
        )
        _say(request, outcome, "Re-import")
    return _after(request, link)


@require("pause_record")
@require_POST
def record_pause(request: HttpRequest, pk: int) -> HttpResponse:
    from syncadmin.sync import controls

    link = _link(pk)
    form = PauseForm(request.POST)
    if not form.is_valid():
        if not request.htmx:
            return render(
                request,
                "syncadmin/record/detail.html",
                _context(request, link=link, crm=link.crm_record, pause_form=form),
                status=400,
            )
        return _after(request, link, pause_form=form)
    paused = _control(
        request,
        controls.record_pause,
        link=link,
        actor=request.user,
        reason=form.cleaned_data["reason"],
        until=form.cleaned_data["until"],
    )
    if paused is not REFUSED:
        messages.success(request, "Paused: this pair will not sync until resumed.")
    return _after(request, link)


@require("pause_record")
@require_POST
def record_resume(request: HttpRequest, pk: int) -> HttpResponse:
    from syncadmin.sync import controls

    link = _link(pk)
    controls.record_resume(link=link, actor=request.user)
    messages.success(request, "Resumed.")
    return _after(request, link)


@require("manage_settings")
@require_POST
def record_relink(request: HttpRequest, pk: int) -> HttpResponse:
    from syncadmin.sync import controls

    link = _link(pk)
    form = RelinkForm(request.POST)
    contact = None
    if form.is_valid():
        contact = BooksContact.objects.filter(
            pk=form.cleaned_data["books_contact"], organization_id=link.books_organization_id
        ).first()
    if contact is None:
        messages.error(request, "Pick a Books customer of this organisation to link to.")
        return _after(request, link)
    new = _control(
        request, controls.link_relink, link=link, books_contact=contact, actor=request.user
    )
    if new is not REFUSED:
        messages.success(request, f"Relinked to {contact.contact_name}.")
    return _after(request, new if isinstance(new, RecordLink) else link)


@require("manage_settings")
@require_POST
def record_unlink(request: HttpRequest, pk: int) -> HttpResponse:
    from syncadmin.sync import controls

    link = _link(pk)
    form = UnlinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Tick the box to confirm the unlink.")
        return _after(request, link, unlink_form=form)
    controls.link_unlink(link=link, actor=request.user, note=form.cleaned_data["note"])
    messages.success(request, "Unlinked. The pair no longer syncs; the history is kept.")
    return _after(request, link)


@require("manage_settings")
def record_books_search(request: HttpRequest, pk: int) -> HttpResponse:
    """Search-as-you-type for the relink picker (also a plain page without JavaScript)."""
    link = _link(pk)
    found = selectors.books_contact_search(
        organization_id=link.books_organization_id, value=request.GET.get("q", "")
    )
    context = {"link": link, "found": found, "q": request.GET.get("q", "")}
    return render_screen(request, "syncadmin/record/books_search.html", context, fragment="options")
