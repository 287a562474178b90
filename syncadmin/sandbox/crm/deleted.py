"""Deleted records (`GET /crm/v8/{module}/deleted`): every delete and every merged-away
child leaves its row behind with `deleted_time` (the tombstone), `Deleted_By` in its data
and `deleted_type` "recycle"; emptying the recycle bin makes them "permanent"."""

from datetime import datetime

from .. import clock
from ..models import CrmOrg, CrmRecord

TYPES = ("all", "recycle", "permanent")


def deleted_page(
    org: CrmOrg, module: str, *, kind: str, since: datetime | None, page: int, per_page: int
) -> tuple[list[CrmRecord], bool]:
    """One page of deleted records of `module`, newest deletion first; (rows, more)."""
    rows = CrmRecord.objects.filter(org=org, module=module, deleted_time__isnull=False)
    if kind == "permanent":
        rows = rows.filter(deleted_type="permanent")
    elif kind == "recycle":
        rows = rows.exclude(deleted_type="permanent")
    if since is not None:
        rows = rows.filter(deleted_time__gte=since)  # inclusive, like If-Modified-Since reads
    offset = (page - 1) * per_page
    found = list(rows.order_by("-deleted_time", "-id")[offset : offset + per_page + 1])
    return found[:per_page], len(found) > per_page


def deleted_json(record: CrmRecord, tz: str) -> dict:
    by = record.data.get("Deleted_By") or {}
    created = record.data.get("Created_By") or {}
    return {
        "id": record.record_id,
        "display_name": record.name,
        "type": "permanent" if record.deleted_type == "permanent" else "recycle",
        "deleted_time": clock.crm_format(record.deleted_time, tz),
        "deleted_by": {"name": by.get("name"), "id": by.get("id")} if by else None,
        "created_by": {"name": created.get("name"), "id": created.get("id")} if created else None,
    }


def recycle_bin_empty(org: CrmOrg, *, module: str | None = None) -> int:
    rows = CrmRecord.objects.filter(org=org, deleted_time__isnull=False).exclude(
        deleted_type="permanent"
    )
    if module:
        rows = rows.filter(module=module)
    return rows.update(deleted_type="permanent")
