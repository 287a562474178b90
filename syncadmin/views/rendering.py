"""One URL serves a page and its htmx fragment."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django_tables2 import LazyPaginator, RequestConfig, Table

PAGE_SIZE = 50


def render_screen(
    request: HttpRequest, template: str, context: dict, *, fragment: str | None = None
) -> HttpResponse:
    """Render ``template``, or only its ``fragment`` partial for an htmx swap.

    A history-restore request wants the whole page again, so it gets it.
    """
    partial = fragment and request.htmx and not request.htmx.history_restore_request
    response = render(request, f"{template}#{fragment}" if partial else template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def paginate(request: HttpRequest, table: Table, *, lazy: bool = False) -> Table:
    """Sort and page ``table`` from the query string. ``lazy`` pages without counting
    every row (a million-row count costs more than the page itself): Next/Previous only."""
    options = {"per_page": PAGE_SIZE}
    if lazy:
        options["paginator_class"] = LazyPaginator
    RequestConfig(request, paginate=options).configure(table)
    table.lazy_pages = lazy
    return table
