"""CRM records as the API shows them (§2.1, §2.2): API field names, lookups as objects,
datetimes in the viewer's time zone, `$` system keys, unset requested fields as null."""

from .. import clock
from ..models import CrmRecord

_SYSTEM_KEYS = {
    "$approval_state": "approved",
    "$editable": True,
    "$in_merge": False,
    "$process_flow": False,
}


def record_json(record: CrmRecord, tz: str, fields: list[str] | None = None) -> dict:
    """The whole record, or `id` plus the requested `fields` (missing ones null)."""
    full = {
        **record.data,
        "Created_Time": clock.crm_format(record.created_time, tz),
        "Modified_Time": clock.crm_format(record.modified_time, tz),
    }
    full.pop("Deleted_By", None)
    if fields is None:
        return {"id": record.record_id, **_SYSTEM_KEYS, **full}
    answer = {"id": record.record_id}
    for field in fields:
        if field != "id":
            answer[field] = full.get(field)
    return answer


def write_details(record: CrmRecord, tz: str) -> dict:
    """The `details` of a SUCCESS element of an insert/update answer (§2.5)."""
    return {
        "Modified_Time": clock.crm_format(record.modified_time, tz),
        "Modified_By": record.data.get("Modified_By"),
        "Created_Time": clock.crm_format(record.created_time, tz),
        "id": record.record_id,
        "Created_By": record.data.get("Created_By"),
    }
