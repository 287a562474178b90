"""One URL serves a page and its htmx fragment."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django_tables2 import RequestConfig, Table

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


def paginate(request: HttpRequest, table: Table) -> Table:
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    return table
