"""Mapping browser: every link, searchable and filterable, with bulk actions by role."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from syncadmin.access import can, require
from syncadmin.filters import LinkFilter, UnlinkedFilter
from syncadmin.forms import BulkLinkForm
from syncadmin.sync import bulk, selectors
from syncadmin.tables import LinkTable, UnlinkedBooksTable, UnlinkedCrmTable
from syncadmin.views.rendering import paginate, render_screen

BULK_CAPABILITY = {"pause": "pause_record", "resume": "pause_record", "push": "push_record"}


@require("view_dashboard")
def link_index(request: HttpRequest) -> HttpResponse:
    return _render_index(request)


def _render_index(request: HttpRequest) -> HttpResponse:
    filterset = LinkFilter(request.GET, queryset=selectors.link_list())
    bulk_actions = [a for a, cap in BULK_CAPABILITY.items() if can(request.user, cap)]
    table = LinkTable(filterset.qs, exclude=() if bulk_actions else ("select",))
    table = paginate(request, table, lazy=True)
    table.failure_counts = selectors.link_failure_counts(
        r.record.pk for r in table.page.object_list
    )
    # The pages are not counted (a million-row count costs more than a page); the whole
    # mapping's size is known cheaply, so the unfiltered list says it.
    if not any(request.GET.get(name) for name in filterset.filters):
        table.total = selectors.link_total()
    context = {
        "filterset": filterset,
        "table": table,
        "bulk_actions": bulk_actions,
        "can_export": can(request.user, "export_mapping"),
        "query": request.GET.urlencode(),
    }
    return render_screen(request, "syncadmin/mapping/index.html", context, fragment="results")


@require("view_dashboard")
@require_POST
def link_bulk(request: HttpRequest) -> HttpResponse:
    form = BulkLinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    else:
        action = form.cleaned_data["action"]
        if not can(request.user, BULK_CAPABILITY[action]):
            raise PermissionDenied(f"Your role may not {action} records.")
        result = bulk.links_bulk(
            action=action,
            link_ids=form.cleaned_data["ids"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
        level = messages.WARNING if result.failed else messages.SUCCESS
        messages.add_message(
            request, level, result.message(dict(form.fields["action"].choices)[action])
        )
    if request.htmx:
        # Re-render the list the user was looking at: its filters ride along as ``next``.
        request.GET = QueryDict(request.POST.get("next", ""))
        return _render_index(request)
    return redirect(f"{reverse('mapping')}?{request.POST.get('next', '')}")


UNLINKED = {
    "crm": (
        selectors.unlinked_crm_list,
        UnlinkedCrmTable,
        "name",
        "CRM records without a Books customer",
    ),
    "books": (
        selectors.unlinked_books_list,
        UnlinkedBooksTable,
        "contact_name",
        "Books customers without a CRM record",
    ),
}


@require("view_dashboard")
def unlinked_index(request: HttpRequest, side: str) -> HttpResponse:
    if side not in UNLINKED:
        raise Http404("No such side.")
    list_fn, table_class, name_field, title = UNLINKED[side]
    filterset = UnlinkedFilter(request.GET, queryset=list_fn(), name_field=name_field)
    table = paginate(request, table_class(filterset.qs), lazy=True)
    context = {"filterset": filterset, "table": table, "side": side, "title": title}
    return render_screen(request, "syncadmin/mapping/unlinked.html", context, fragment="results")
