"""One URL serves a page and its htmx fragment."""

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django_tables2 import LazyPaginator, RequestConfig, Table

# Rows per page: a screenful, and half the cells (each one's cost) of 50 rows.
PAGE_SIZE = 25


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


# The largest page anyone may ask for (?per_page=): bigger asks get this many rows.
MAX_PAGE_SIZE = 200


def bounded_query(query: QueryDict) -> QueryDict:
    """``query`` with ``per_page`` held to 1 … MAX_PAGE_SIZE, so no request can make one
    page render (and count, and hold in memory) an unbounded number of rows."""
    wanted = query.get("per_page")
    if wanted is None:
        return query
    try:
        size = min(max(int(wanted), 1), MAX_PAGE_SIZE)
    except ValueError:
        size = PAGE_SIZE
    bounded = query.copy()
    bounded["per_page"] = str(size)
    return bounded


def paginate(request: HttpRequest, table: Table, *, lazy: bool = False) -> Table:
    """Sort and page ``table`` from the query string. ``lazy`` pages without counting
    every row (a million-row count costs more than the page itself): Next/Previous only."""
    request.GET = bounded_query(request.GET)
    options = {"per_page": PAGE_SIZE}
    if lazy:
        options["paginator_class"] = LazyPaginator
    RequestConfig(request, paginate=options).configure(table)
    table.lazy_pages = lazy
    return table
