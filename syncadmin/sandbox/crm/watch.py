"""The notification (watch) API (zoho-api.md §2.10): channels with an expiry (default 1 h,
max 1 week), batched callbacks to `notify_url`, at most once (no retry). Expired channels
stop silently."""

import random
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import httpx
from django.conf import settings

from .. import clock, knobs
from ..models import CrmOrg, SandboxUser, WatchChannel, WatchNotification
from ..models.crm import Outcome
from . import outbox
from .errors import RecordError
from .modules import module_spec

DEFAULT_EXPIRY = timedelta(hours=1)
MAX_EXPIRY = timedelta(weeks=1)
OPERATIONS = {"create": "insert", "edit": "update", "delete": "delete"}
_EVENT_OPS = ("create", "edit", "delete", "all")


def resource_uri(module: str) -> str:
    return f"{settings.SANDBOX_PUBLIC_URL}/crm/v8/{module}"


def parse_events(events: object) -> list[str]:
    if not isinstance(events, list) or not events:
        raise RecordError("MANDATORY_NOT_FOUND", "required field not found", api_name="events")
    clean = []
    for event in events:
        module, _, op = str(event).partition(".")
        spec = module_spec(module)
        if spec is None or op not in _EVENT_OPS:
            raise RecordError("INVALID_DATA", "invalid data", api_name="events")
        clean.append(f"{spec.api_name}.{op}")
    return clean


def parse_expiry(raw: object) -> datetime:
    """Omitted or more than a week away: one hour from now (§2.10)."""
    now = clock.now()
    if not raw:
        return now + DEFAULT_EXPIRY
    try:
        moment = datetime.fromisoformat(str(raw))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or moment <= now:
        raise RecordError("INVALID_DATA", "invalid data", api_name="channel_expiry")
    return moment if moment - now <= MAX_EXPIRY else now + DEFAULT_EXPIRY


# `notification_condition` (v6+, §2.10), in the shape of Zoho's v8 docs and samples:
#   [{"type": "field_selection", "module": {"api_name": "Deals", "id": "…"},
#     "field_selection": {"group_operator": "or", "group": [{"field": {"api_name": "Stage"}}]}}]
# or `"field_selection": {"field": {"api_name": "Stage"}}` for one field. UNCERTAIN: how
# `group_operator` "and" combines (a Zoho sample uses it for two fields); here any overlap
# between the changed fields and the listed ones notifies, whatever the operator. Fields are
# named by `api_name`; the sandbox has no field ids, so an id-only field is refused
# (UNCERTAIN whether Zoho also matches by id alone). The condition applies to edits only.
MAX_CONDITION_FIELDS = 10


def _bad_condition() -> RecordError:
    return RecordError("INVALID_DATA", "invalid data", api_name="notification_condition")


def _selection_fields(selection: object) -> list[str]:
    """The field api_names of a `field_selection` tree (a field, or a group of them)."""
    if not isinstance(selection, dict):
        raise _bad_condition()
    if "field" in selection and selection["field"] is not None:
        field = selection["field"]
        name = field.get("api_name") if isinstance(field, dict) else None
        if not isinstance(name, str) or not name:
            raise _bad_condition()
        return [name]
    group = selection.get("group")
    if not isinstance(group, list) or not group:
        raise _bad_condition()
    if selection.get("group_operator") not in ("and", "or", "AND", "OR"):
        raise _bad_condition()
    return [name for item in group for name in _selection_fields(item)]


def parse_condition(raw: object, events: list[str]) -> list[dict]:
    """Validate a `notification_condition`: field selections on watched modules, at most
    ten fields per module; otherwise INVALID_DATA. Stored as given (modules normalised)."""
    if raw is None or raw == []:
        return []
    if not isinstance(raw, list):
        raise _bad_condition()
    watched = {event.split(".")[0] for event in events}
    clean, counts = [], {}
    for item in raw:
        if not isinstance(item, dict) or item.get("type") != "field_selection":
            raise _bad_condition()
        module = item.get("module")
        spec = module_spec(str(module.get("api_name") or "")) if isinstance(module, dict) else None
        if spec is None or spec.api_name not in watched:
            raise _bad_condition()
        fields = counts.setdefault(spec.api_name, set())
        fields.update(_selection_fields(item.get("field_selection")))
        if len(fields) > MAX_CONDITION_FIELDS:
            raise _bad_condition()
        clean.append({**item, "module": {**module, "api_name": spec.api_name}})
    return clean


def condition_fields(channel: WatchChannel) -> dict[str, set[str]]:
    """{module: the field api_names whose edits notify}; modules absent notify on any edit."""
    fields: dict[str, set[str]] = {}
    try:
        for item in channel.notification_condition or []:
            names = _selection_fields(item["field_selection"])
            fields.setdefault(item["module"]["api_name"], set()).update(names)
    except (RecordError, KeyError, TypeError):
        return {}  # stored unvalidated by an older sandbox: notify as before
    return fields


def _apply(channel: WatchChannel, spec: dict, *, partial: bool) -> None:
    if "events" in spec or not partial:
        channel.events = parse_events(spec.get("events"))
    if "notify_url" in spec or not partial:
        url = spec.get("notify_url")
        if not url or not str(url).startswith(("http://", "https://")):
            code = "MANDATORY_NOT_FOUND" if not url else "INVALID_DATA"
            raise RecordError(code, "invalid data", api_name="notify_url")
        channel.notify_url = url
    if "token" in spec:
        if len(str(spec["token"] or "")) > 50:
            raise RecordError("INVALID_DATA", "invalid data", api_name="token")
        channel.token = str(spec["token"] or "")
    if "channel_expiry" in spec or not partial:
        channel.channel_expiry = parse_expiry(spec.get("channel_expiry"))
    for flag in ("return_affected_field_values", "notify_on_related_action"):
        if flag in spec:
            setattr(channel, flag, bool(spec[flag]))
    if "notification_condition" in spec or not partial:
        channel.notification_condition = parse_condition(
            spec.get("notification_condition"), channel.events
        )


def _channel_id(spec: dict) -> str:
    channel_id = str(spec.get("channel_id") or "")
    if not channel_id:
        raise RecordError("MANDATORY_NOT_FOUND", "required field not found", api_name="channel_id")
    return channel_id


def channel_subscribe(org: CrmOrg, user: SandboxUser, spec: dict) -> WatchChannel:
    """POST: create the channel, or add to an existing one with the same id."""
    channel_id = _channel_id(spec)
    channel = WatchChannel.objects.filter(org=org, channel_id=channel_id).first()
    now = clock.now()
    if channel is None:
        channel = WatchChannel(org=org, channel_id=channel_id, created_by=user, created_time=now)
        _apply(channel, spec, partial=False)
    else:
        previous = list(channel.events)
        _apply(channel, spec, partial=False)
        channel.events = sorted(set(previous) | set(channel.events))
    channel.modified_time = now
    channel.save()
    return channel


def channel_update(org: CrmOrg, spec: dict, *, partial: bool) -> WatchChannel:
    """PUT replaces the details, PATCH changes the given ones (or with `_delete_events`
    removes the listed events). NOT_SUBSCRIBED for an unknown or expired channel."""
    channel_id = _channel_id(spec)
    channel = live_channels(org).filter(channel_id=channel_id).first()
    if channel is None:
        raise RecordError(
            "NOT_SUBSCRIBED",
            "Not subscribed for actions-watch of the given module",
            channel_id=channel_id,
        )
    if partial and spec.get("_delete_events"):
        gone = set(parse_events(spec.get("events")))
        channel.events = [e for e in channel.events if e not in gone]
    else:
        _apply(channel, spec, partial=partial)
    channel.modified_time = clock.now()
    channel.save()
    return channel


def live_channels(org: CrmOrg):
    return WatchChannel.objects.filter(org=org, channel_expiry__gt=clock.now())


def event_details(channel: WatchChannel, tz: str) -> list[dict]:
    return [
        {
            "channel_expiry": clock.crm_format(channel.channel_expiry, tz),
            "resource_uri": resource_uri(event.split(".")[0]),
            "resource_id": channel.org.org_id,
            "resource_name": event.split(".")[0],
            "channel_id": channel.channel_id,
        }
        for event in channel.events
    ]


def channel_json(channel: WatchChannel, tz: str) -> dict:
    return {
        "channel_id": channel.channel_id,
        "events": [
            {
                "resource_name": d["resource_name"],
                "resource_uri": d["resource_uri"],
                "resource_id": d["resource_id"],
                "events": [
                    e.split(".")[1]
                    for e in channel.events
                    if e.startswith(d["resource_name"] + ".")
                ],
            }
            for d in {d["resource_name"]: d for d in event_details(channel, tz)}.values()
        ],
        "notify_url": channel.notify_url,
        "token": channel.token or None,
        "channel_expiry": clock.crm_format(channel.channel_expiry, tz),
        "return_affected_field_values": channel.return_affected_field_values,
        "notify_on_related_action": channel.notify_on_related_action,
        "notification_condition": channel.notification_condition or None,
    }


# ---------------------------------------------------------------- callbacks


def _listens(channel: WatchChannel, module: str, event: str) -> bool:
    return f"{module}.{event}" in channel.events or f"{module}.all" in channel.events


def notify(events: list[tuple]) -> None:
    """Queue one callback per (live channel, module, operation) for `events`, a list of
    (record, event, changed fields) in write order."""
    if not events:
        return
    org_id = events[0][0].org_id
    channels = list(WatchChannel.objects.filter(org_id=org_id, channel_expiry__gt=clock.now()))
    groups: dict[tuple[str, str], list[tuple]] = {}
    for item in events:
        groups.setdefault((item[0].module, item[1]), []).append(item)
    for channel in channels:
        conditions = condition_fields(channel)
        for (module, event), items in groups.items():
            if not _listens(channel, module, event):
                continue
            if event == "edit" and module in conditions:
                items = [i for i in items if conditions[module] & set(i[2])]
            if items:
                _queue(channel, module, event, items)


def _queue(channel: WatchChannel, module: str, event: str, items: list[tuple]) -> None:
    record_ids = list(dict.fromkeys(record.record_id for record, _, _ in items))
    payload = {
        "server_time": int(clock.now().timestamp() * 1000),
        "query_params": dict(parse_qsl(urlsplit(channel.notify_url).query)),
        "module": module,
        "resource_uri": resource_uri(module),
        "ids": record_ids,
        "operation": OPERATIONS[event],
        "channel_id": channel.channel_id,
        "token": channel.token or None,
    }
    if channel.return_affected_field_values and event == "edit":
        payload["affected_fields"] = [{r.record_id: list(changed)} for r, _, changed in items]
        payload["affected_values"] = [
            {"record_id": r.record_id, "values": {f: r.data.get(f) for f in changed}}
            for r, _, changed in items
        ]
    note = WatchNotification.objects.create(
        channel=channel,
        module=module,
        operation=payload["operation"],
        ids=record_ids,
        payload=payload,
        created_at=clock.now(),
    )
    outbox.enqueue(lambda pk=note.pk: deliver(pk))


def deliver(notification_id: int) -> None:
    note = WatchNotification.objects.select_related("channel").filter(pk=notification_id).first()
    if note is None:
        return
    rate = knobs.get().webhook_drop_rate
    if rate > 0 and random.random() < rate:
        _finish(note, Outcome.DROPPED, None, "dropped by webhook_drop_rate")
        return
    try:
        response = outbox.http().post(note.channel.notify_url, json=note.payload)
    except httpx.HTTPError as exc:
        _finish(note, Outcome.FAILED, None, f"{type(exc).__name__}: {exc}"[:500])
        return
    ok = 200 <= response.status_code < 300
    _finish(note, Outcome.DELIVERED if ok else Outcome.FAILED, response.status_code, "")


def _finish(note: WatchNotification, outcome: str, status: int | None, error: str) -> None:
    WatchNotification.objects.filter(pk=note.pk).update(
        outcome=outcome, http_status=status, error=error, sent_at=clock.now()
    )
