"""Merge (zoho-api.md §2.6): up to two children fold into a master; the master takes the
children's values for the fields listed in their `_fields`, the children's related
Contacts/Deals move to the master, and the children go to the recycle bin."""

from ..models import CrmRecord, SandboxUser
from . import automation
from .errors import RecordError, invalid_id
from .records import live_records, next_write_time, record_delete, save_live, stamp

MAX_CHILDREN = 2
SUCCESS_MESSAGE = "The records have been merged successfully"


def _children(master: CrmRecord, merge: dict) -> list[tuple[CrmRecord, list[str]]]:
    data = merge.get("data")
    if not isinstance(data, list) or not data:
        raise RecordError("MANDATORY_NOT_FOUND", "required field not found", api_name="data")
    if len(data) > MAX_CHILDREN:
        raise RecordError(
            "LIMIT_EXCEEDED", "Only two records can be merged with master", limit=MAX_CHILDREN
        )
    found = []
    for item in data:
        child_id = str((item or {}).get("id") or "")
        if not child_id:
            raise RecordError("MANDATORY_NOT_FOUND", "required field not found", api_name="id")
        child = live_records(master.org, master.module).filter(record_id=child_id).first()
        if child is None or child_id == master.record_id:
            raise invalid_id(child_id)
        names = [f.get("api_name") for f in item.get("_fields") or [] if isinstance(f, dict)]
        found.append((child, [n for n in names if n]))
    return found


def record_merge(master: CrmRecord, merge: dict, *, by_user: SandboxUser) -> CrmRecord:
    """Merge per one element of the `merge` array; raises RecordError. `master` must be
    read inside the caller's transaction. Guarantees the children are deleted, nothing
    still points at them, and only the master's edited columns are written."""
    children = _children(master, merge)
    with automation.batched():
        for child, names in children:
            for name in names:
                master.data[name] = child.data.get(name)
            _reparent(child, master)
        stamp(master, by_user, next_write_time(master))
        save_live(master)
        automation.record_written(
            master, "edit", sorted({n for _, ns in children for n in ns}), fire_workflows=False
        )
        for child, _ in children:
            record_delete(child, by_user=by_user)
    return master


def _reparent(child: CrmRecord, master: CrmRecord) -> None:
    if master.module != "Accounts":
        return
    related = CrmRecord.objects.filter(org=master.org, account_id=child.record_id)
    for record in related:
        record.data["Account_Name"] = {"name": master.name, "id": master.record_id}
        record.account_id = master.record_id
        record.save(update_fields=["data", "account_id"])
