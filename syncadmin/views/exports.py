"""Streaming exports: the mapping as CSV (current filter) or a full JSON backup, and the
failures of one reason as CSV. Rows stream from a server-side cursor: constant memory."""

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone

from syncadmin.access import require
from syncadmin.filters import FailureFilter, LinkFilter
from syncadmin.sync import selectors


class _Echo:
    """csv.writer target that hands each line back instead of buffering it."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(header: Iterable[str], rows: Iterator[tuple]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow(["" if v is None else _plain(v) for v in row])


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _stamp() -> str:
    return timezone.now().strftime("%Y%m%d-%H%M")


def _download(lines: Iterator[str], *, filename: str, content_type: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require("export_mapping")
def mapping_csv(request: HttpRequest) -> StreamingHttpResponse:
    filterset = LinkFilter(request.GET, queryset=selectors.link_list())
    rows = selectors.link_export_rows(filterset.qs)
    header = [f.replace("__", "_") for f in selectors.EXPORT_FIELDS]
    return _download(
        _csv_lines(header, rows), filename=f"mapping-{_stamp()}.csv", content_type="text/csv"
    )


@require("export_mapping")
def mapping_backup(request: HttpRequest) -> StreamingHttpResponse:
    rows = selectors.link_export_rows(selectors.link_list())
    return _download(
        _json_lines(rows), filename=f"mapping-backup-{_stamp()}.json",
        content_type="application/json",
    )  # fmt: skip


def _json_lines(rows: Iterator[tuple]) -> Iterator[str]:
    keys = [f.replace("__", "_") for f in selectors.EXPORT_FIELDS]
    head = {"format": "syncadmin.mapping", "version": 1, "exported_at": timezone.now().isoformat()}
    yield json.dumps(head)[:-1] + ', "links": ['
    first = True
    for row in rows:
        item = json.dumps(dict(zip(keys, row, strict=True)), default=_plain)
        yield item if first else "," + item
        first = False
    yield "]}\n"


@require("view_dashboard")
def failures_csv(request: HttpRequest) -> StreamingHttpResponse:
    filterset = FailureFilter(request.GET, queryset=selectors.failure_list())
    rows = selectors.failure_export_rows(filterset.qs)
    header = [f.replace("__", "_") for f in selectors.FAILURE_EXPORT_FIELDS]
    reason = request.GET.get("reason_code", "all") or "all"
    return _download(
        _csv_lines(header, rows), filename=f"failures-{reason}-{_stamp()}.csv",
        content_type="text/csv",
    )  # fmt: skip
