"""Writes to CRM records. Every writer of `CrmRecord` (API views, the UI-like control
endpoint, the seeder) keeps the denormalised columns in step through `denormalise()`."""

from datetime import datetime, timedelta

from .. import clock, ids, knobs
from ..models import CrmOrg, CrmRecord, SandboxUser
from . import automation
from .errors import AlreadyModified, RecordError, invalid_id
from .modules import MODULES, SYSTEM_FIELDS, ModuleSpec


def _lookup_id(value: object) -> str:
    if isinstance(value, dict):
        return str(value.get("id") or "")
    return str(value or "")


def full_name(data: dict) -> str:
    return " ".join(p for p in (data.get("First_Name"), data.get("Last_Name")) if p)


def denormalise(module: str, data: dict) -> dict:
    """The filter columns of a record of `module` holding `data` (API names):
    `name` (Account_Name / Full_Name / Deal_Name), `email` (lower-cased Email), `phone`
    (first phone field set) and `account_id` (Contacts/Deals → parent Account). Pure."""
    spec = MODULES[module]
    if module == "Contacts":
        name = data.get("Full_Name") or full_name(data)
    else:
        name = data.get(spec.name_field) or ""
    phone = next((data[f] for f in spec.phone_fields if data.get(f)), "")
    account = data.get("Account_Name") if module in ("Contacts", "Deals") else None
    return {
        "name": str(name)[:255],
        "email": str(data.get("Email") or "").strip().lower()[:255],
        "phone": str(phone)[:50],
        "account_id": _lookup_id(account)[:19],
    }


def user_lookup(user: SandboxUser) -> dict:
    """The `Owner` / `Created_By` object of §2.1."""
    return {"name": user.full_name, "id": user.crm_user_id, "email": user.email}


# The columns an edit may change; never `deleted_time`, so an edit cannot undo a delete.
EDIT_COLUMNS = ("data", "owner", "modified_time", "name", "email", "phone", "account_id")


def live_records(org: CrmOrg, module: str):
    return CrmRecord.objects.filter(org=org, module=module, deleted_time__isnull=True)


def save_live(record: CrmRecord, columns: tuple[str, ...] = EDIT_COLUMNS) -> None:
    """Write `columns` of `record` only if the row is still live; a record deleted in the
    meantime raises INVALID_DATA ("the id given seems to be invalid") instead of coming
    back. Callers read `record` inside the same transaction (IMMEDIATE serialises writers),
    so the other columns are those of the row as it is now."""
    values = {column: getattr(record, column) for column in columns}
    live = CrmRecord.objects.filter(pk=record.pk, deleted_time__isnull=True)
    if not live.update(**values):
        raise invalid_id(record.record_id)


def _resolve_lookup(org: CrmOrg, field: str, value: object) -> dict | None:
    """A lookup as Zoho stores it ({"name", "id"}) from {"id": …} or a bare id."""
    if value in (None, "", {}):
        return None
    target_id = _lookup_id(value)
    target_module = {"Account_Name": "Accounts", "Parent_Account": "Accounts"}.get(field)
    query = CrmRecord.objects.filter(org=org, record_id=target_id, deleted_time__isnull=True)
    if target_module:
        query = query.filter(module=target_module)
    target = query.only("name").first()
    if target is None:
        raise RecordError(
            "INVALID_DATA", "invalid data", api_name=field, expected_data_type="lookup"
        )
    return {"name": target.name, "id": target_id}


def _resolve_owner(org: CrmOrg, value: object) -> SandboxUser:
    user = SandboxUser.objects.filter(crm_org=org, crm_user_id=_lookup_id(value)).first()
    if user is None:
        raise RecordError(
            "INVALID_DATA", "invalid data", api_name="Owner", expected_data_type="lookup"
        )
    return user


def _clean(org: CrmOrg, spec: ModuleSpec, data: dict) -> dict:
    """Validated incoming fields (system fields dropped, lookups resolved)."""
    if not isinstance(data, dict):
        raise RecordError("INVALID_DATA", "invalid data")
    clean = {k: v for k, v in data.items() if k not in SYSTEM_FIELDS and not k.startswith("$")}
    clean.pop("Owner", None)
    for field in spec.email_fields:
        value = clean.get(field)
        if value and (not isinstance(value, str) or "@" not in value or " " in value.strip()):
            raise RecordError(
                "INVALID_DATA", "invalid data", api_name=field, expected_data_type="email"
            )
    for field in spec.lookups:
        if field in clean:
            clean[field] = _resolve_lookup(org, field, clean[field])
    return clean


def screen_fields(known: frozenset[str], data: object) -> object:
    """API writes only: a field the module does not have (not in `known`, from
    `fields.known_fields`) is dropped, or fails INVALID_DATA, as the `crm_unknown_field`
    knob says (Zoho's behaviour is not documented: UNCERTAIN)."""
    if not isinstance(data, dict):
        return data
    unknown = [k for k in data if k not in known and not k.startswith("$")]
    if not unknown:
        return data
    if knobs.get().crm_unknown_field == "invalid_data":
        raise RecordError(
            "INVALID_DATA", "invalid data", api_name=unknown[0], expected_data_type="field"
        )
    return {k: v for k, v in data.items() if k not in unknown}


def stamp(record: CrmRecord, user: SandboxUser, moment: datetime) -> None:
    record.modified_time = moment
    record.data["Modified_By"] = {"name": user.full_name, "id": user.crm_user_id}
    if record.module == "Contacts":
        record.data["Full_Name"] = full_name(record.data)
    for column, value in denormalise(record.module, record.data).items():
        setattr(record, column, value)


def next_write_time(record: CrmRecord | None = None) -> datetime:
    """Now, but never at or before the record's last write (Modified_Time must move)."""
    moment = clock.now()
    if record is not None and moment <= record.modified_time:
        moment = record.modified_time + timedelta(microseconds=1)
    return moment


def record_create(
    org: CrmOrg, module: str, data: dict, *, by_user: SandboxUser, fire_workflows: bool = True
) -> CrmRecord:
    """Insert one record; raises RecordError (mandatory field, bad email, dead lookup).
    Fires workflow webhooks (unless `fire_workflows` is False) and watch callbacks."""
    spec = MODULES[module]
    clean = _clean(org, spec, data)
    for field in spec.mandatory:
        if clean.get(field) in (None, ""):
            raise RecordError("MANDATORY_NOT_FOUND", "required field not found", api_name=field)
    owner = _resolve_owner(org, data["Owner"]) if data.get("Owner") else by_user
    moment = clock.now()
    record = CrmRecord(
        org=org, module=module, record_id=ids.crm_id(), owner=owner, created_time=moment
    )
    record.data = {**clean, "Owner": user_lookup(owner)}
    record.data["Created_By"] = {"name": by_user.full_name, "id": by_user.crm_user_id}
    stamp(record, by_user, moment)
    record.save()
    automation.record_written(record, "create", sorted(clean), fire_workflows=fire_workflows)
    return record


def record_update(
    record: CrmRecord,
    data: dict,
    *,
    by_user: SandboxUser,
    fire_workflows: bool = True,
    unmodified_since: datetime | None = None,
) -> CrmRecord:
    """Apply `data` to `record`, which the caller read inside the current transaction;
    only the edited columns are written and Modified_Time always moves on. Raises
    RecordError (INVALID_DATA if the record was deleted), or `AlreadyModified` when it
    changed after `unmodified_since` (§2.5, 412; compared as instants, whole seconds as
    Modified_Time is shown)."""
    if unmodified_since and record.modified_time.replace(microsecond=0) > unmodified_since:
        raise AlreadyModified(record)
    spec = MODULES[record.module]
    clean = _clean(record.org, spec, data)
    for field in spec.mandatory:
        if field in clean and clean[field] in (None, ""):
            raise RecordError("MANDATORY_NOT_FOUND", "required field not found", api_name=field)
    if data.get("Owner"):
        record.owner = _resolve_owner(record.org, data["Owner"])
        record.data["Owner"] = user_lookup(record.owner)
    record.data.update(clean)
    stamp(record, by_user, next_write_time(record))
    save_live(record)
    automation.record_written(record, "edit", sorted(clean), fire_workflows=fire_workflows)
    return record


def record_delete(record: CrmRecord, *, by_user: SandboxUser) -> CrmRecord:
    """Move a record to the recycle bin (`deleted_time`); it vanishes from every read.
    `record` must be read inside the caller's transaction; raises INVALID_DATA if it was
    already deleted."""
    record.deleted_time = record.modified_time = next_write_time(record)
    record.data["Deleted_By"] = {"name": by_user.full_name, "id": by_user.crm_user_id}
    record.deleted_type = "recycle"
    save_live(record, ("deleted_time", "deleted_type", "modified_time", "data"))
    automation.record_written(record, "delete", [], fire_workflows=False)
    return record
