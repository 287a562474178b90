"""Deliveries from CRM: workflow webhooks and notification-channel callbacks.

A delivery is authenticated (a per-organisation secret, compared in constant time), read,
and stored in the inbox **before** CRM gets its 2xx; a Celery task then pushes the records
it names. A redelivery of the same content is stored once. A delivery that fails
authentication, cannot be read, or is too large is refused with a clear 4xx, kept as a
rejected row (counted and shown, its body not kept) and never processed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from syncadmin.models import InboxDelivery, InboxSource, InboxStatus, RunTrigger, SyncSettings
from syncadmin.zoho.ids import InvalidZohoId, crm_module, zoho_id

TOKEN_HEADER = "X-Syncadmin-Token"
TOKEN_FIELDS = ("token", "syncadmin_token")
ID_KEYS = ("id", "Id", "record_id", "Record_Id", "Account_Id", "Contact_Id")
MODULE_KEYS = ("module", "Module")
MAX_IDS = 100  # a notification batches ids; more than a page of them is not Zoho's shape


_QUOTED = re.compile(r'"(module|id)"\s*:\s*"([^"]*)"', re.IGNORECASE)


class Refused(Exception):
    """The delivery is refused: ``status`` is the HTTP answer, the message says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Accepted:
    delivery: InboxDelivery
    duplicate: bool


@dataclass(frozen=True)
class Parsed:
    module: str
    operation: str
    record_ids: list[str]
    fields: dict[str, Any] = field(default_factory=dict)


def webhook_receive(
    *,
    organization_id: str,
    body: bytes,
    content_type: str,
    headers: dict[str, str],
    query: dict[str, str],
    remote_addr: str | None,
) -> Accepted:
    """Authenticate, read and store one workflow-webhook delivery (see module docstring).

    Raises ``Refused`` (after storing a rejected row) for a bad secret, an unreadable body
    or one that names no valid record."""
    settings = _settings(organization_id)
    source = InboxSource.WEBHOOK
    try:
        parsed = _read_webhook(body, content_type, headers, query, settings)
    except Refused as refusal:
        _reject(source, organization_id, refusal, remote_addr)
        raise
    return _store(source, organization_id, parsed, remote_addr)


def _read_webhook(body, content_type, headers, query, settings) -> Parsed:
    expected = settings.webhook_secret if settings else None
    header = headers.get(TOKEN_HEADER, "")
    try:
        values = _values(body, content_type)
    except Refused:
        salvaged = _salvaged(body) if header else None
        if salvaged is None:
            raise
        _authenticate(header, expected)
        return salvaged
    secret = header or next((str(values.pop(k)) for k in TOKEN_FIELDS if k in values), "")
    for key in TOKEN_FIELDS:
        values.pop(key, None)
    _authenticate(secret, expected)
    return _webhook(values, query)


def _salvaged(body: bytes) -> Parsed | None:
    """A raw JSON body that a merged value broke (CRM does not escape a quote in a name:
    ``"Account_Name":"Acme "Tools" Ltd"``) still names its record in the template's
    leading ``module`` and ``id``. Only those are taken; the push then reads the record
    from CRM rather than trust the broken values. None when they cannot be found."""
    text = body.decode("utf-8", "replace")
    found: dict[str, str] = {}
    for key, value in _QUOTED.findall(text):
        found.setdefault(key.lower(), value)
    try:
        module, record_id = crm_module(found.get("module", "")), zoho_id(found.get("id", ""))
    except InvalidZohoId:
        return None
    return Parsed(module, "upsert", [record_id])


def notification_receive(*, organization_id: str, body: bytes, remote_addr: str | None) -> Accepted:
    """Authenticate (channel id and token), read and store one notification callback."""
    settings = _settings(organization_id)
    source = InboxSource.NOTIFICATION
    try:
        values = _values(body, "application/json")
        expected = settings.channel_token if settings else None
        _authenticate(str(values.get("token") or ""), expected)
        if settings and str(values.get("channel_id") or "") != settings.channel_id:
            raise Refused(403, "Unknown notification channel.")
        parsed = _notification(values)
    except Refused as refusal:
        _reject(source, organization_id, refusal, remote_addr)
        raise
    return _store(source, organization_id, parsed, remote_addr)


def _settings(organization_id: str) -> SyncSettings | None:
    if not organization_id.isdigit():
        return None
    return SyncSettings.objects.filter(books_organization_id=organization_id).first()


def _values(body: bytes, content_type: str) -> dict[str, Any]:
    """A JSON object or a form body, whatever the content type claims (Zoho's raw
    webhooks may say text/plain)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused(400, "The body is not UTF-8 text.") from exc
    stripped = text.strip()
    if stripped.startswith("{") or "json" in content_type:
        try:
            values = json.loads(stripped or "null")
        except json.JSONDecodeError as exc:
            raise Refused(400, f"The body is not valid JSON ({exc.msg}, at {exc.pos}).") from exc
        if not isinstance(values, dict):
            raise Refused(400, "The body must be a JSON object.")
        return values
    return dict(parse_qsl(text, keep_blank_values=True))


def _authenticate(given: str, expected: str | None) -> None:
    if not expected:
        raise Refused(404, "This organisation does not take deliveries.")
    if not given:
        raise Refused(
            401, f"The delivery carries no secret ({TOKEN_HEADER} header or token field)."
        )
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise Refused(403, "The delivery's secret is wrong.")


def _webhook(values: dict[str, Any], query: dict[str, str]) -> Parsed:
    module = next((str(values.pop(k)) for k in MODULE_KEYS if k in values), "")
    module = module or query.get("module", "")
    record_id = next((str(values.pop(k)) for k in ID_KEYS if values.get(k)), "")
    try:
        module, record_id = crm_module(module), zoho_id(record_id)
    except InvalidZohoId as exc:
        raise Refused(400, f"The delivery names no valid record: {exc}") from exc
    fields = {key.strip().replace(" ", "_"): value for key, value in values.items()}
    return Parsed(module, "upsert", [record_id], fields)


def _notification(values: dict[str, Any]) -> Parsed:
    ids = values.get("ids")
    if not isinstance(ids, list) or not ids or len(ids) > MAX_IDS:
        raise Refused(400, f"A notification carries 1 to {MAX_IDS} record ids in 'ids'.")
    operation = str(values.get("operation") or "update").lower()
    try:
        module = crm_module(str(values.get("module") or ""))
        return Parsed(module, operation, [zoho_id(str(i)) for i in ids])
    except InvalidZohoId as exc:
        raise Refused(400, f"The notification names an invalid record: {exc}") from exc


def _dedupe_key(source: str, organization_id: str, parsed: Parsed) -> str:
    content = json.dumps(
        [source, organization_id, parsed.module, parsed.operation, parsed.record_ids,
         parsed.fields],
        sort_keys=True, default=str,
    )  # fmt: skip
    return hashlib.sha256(content.encode()).hexdigest()


def _store(source: str, organization_id: str, parsed: Parsed, remote_addr) -> Accepted:
    key = _dedupe_key(source, organization_id, parsed)
    try:
        with transaction.atomic():
            delivery = InboxDelivery.objects.create(
                source=source, books_organization_id=organization_id, dedupe_key=key,
                module=parsed.module, operation=parsed.operation,
                record_ids=parsed.record_ids, payload=parsed.fields, remote_addr=remote_addr,
            )  # fmt: skip
    except IntegrityError:
        return Accepted(InboxDelivery.objects.get(dedupe_key=key), duplicate=True)
    # "Last delivery" is shown to the minute: one write a minute, not one per delivery.
    if cache.add(f"syncadmin:last-delivery:{organization_id}", 1, timeout=60):
        SyncSettings.objects.filter(books_organization_id=organization_id).update(
            last_webhook_at=timezone.now()
        )
    from syncadmin import tasks

    transaction.on_commit(lambda: tasks.inbox_process.delay(delivery.pk))
    return Accepted(delivery, duplicate=False)


def _reject(source: str, organization_id: str, refusal: Refused, remote_addr) -> None:
    InboxDelivery.objects.create(
        source=source, books_organization_id=organization_id[:40],
        status=InboxStatus.REJECTED, rejection=f"{refusal.status}: {refusal}"[:255],
        remote_addr=remote_addr,
    )  # fmt: skip


def reject_oversized(organization_id: str, remote_addr: str | None) -> None:
    """Count a delivery refused for its size (its body is never read)."""
    _reject(InboxSource.WEBHOOK, organization_id, Refused(413, "body too large"), remote_addr)


def inbox_process(delivery_id: int) -> InboxDelivery | None:
    """Push every record a stored delivery names. Claims the row first: a second run of
    the same task is a no-op; a crashed run is picked up again by reconcile."""
    from syncadmin.sync.push import record_push

    claimed = InboxDelivery.objects.filter(pk=delivery_id, status=InboxStatus.PENDING).update(
        status=InboxStatus.PROCESSING, attempts=1
    )
    if not claimed:
        return None
    delivery = InboxDelivery.objects.get(pk=delivery_id)
    try:
        for crm_id in delivery.record_ids:
            _process_one(delivery, crm_id, record_push)
    except Exception as exc:  # recorded on the row, then re-raised for the worker's log
        _finish(delivery, InboxStatus.FAILED, f"{type(exc).__name__}: {exc}")
        raise
    _finish(delivery, InboxStatus.DONE, "")
    return delivery


def _process_one(delivery: InboxDelivery, crm_id: str, record_push) -> None:
    if delivery.operation == "delete":
        crm_record_gone(
            organization_id=delivery.books_organization_id, module=delivery.module, crm_id=crm_id
        )
        return
    fields = _known_fields(delivery.module, crm_id, delivery.payload)
    record_push(
        organization_id=delivery.books_organization_id, module=delivery.module, crm_id=crm_id,
        fields=fields, trigger=RunTrigger.WEBHOOK,
    )  # fmt: skip


def crm_record_gone(*, organization_id: str, module: str, crm_id: str) -> int:
    """CRM says the record was deleted: mirror it so, and turn its live links into
    orphans (a Books customer without CRM record) with a failure a person resolves.
    Nothing is deleted. Returns how many links became orphans."""
    from syncadmin.models import CrmRecord, LinkState, RecordLink
    from syncadmin.models.mapping import NOT_LIVE_STATES
    from syncadmin.sync.failures import failure_record

    CrmRecord.objects.filter(module=module, crm_id=crm_id, deleted_at__isnull=True).update(
        deleted_at=timezone.now()
    )
    links = RecordLink.objects.filter(
        books_organization_id=organization_id, crm_record__module=module,
        crm_record__crm_id=crm_id, state=LinkState.LINKED,
    ).exclude(state__in=NOT_LIVE_STATES)  # fmt: skip
    orphaned = 0
    for link in links:
        RecordLink.objects.filter(pk=link.pk).update(
            state=LinkState.ORPHANED_BOOKS, updated_at=timezone.now()
        )
        failure_record(
            organization_id=organization_id, subject=f"{module}:{crm_id}", operation="delete",
            reason_code="orphaned_link", link=link, crm_record=link.crm_record,
            books_contact=link.books_contact, details={"side": "crm", "deleted": crm_id},
        )  # fmt: skip
        orphaned += 1
    return orphaned


def _known_fields(module: str, crm_id: str, payload: dict[str, Any]) -> dict[str, Any] | None:
    """The delivery's values over what the mirror knows; None (read CRM) when the
    delivery does not even carry the record's name."""
    from syncadmin.models import CrmRecord

    name_key = "Account_Name" if module == "Accounts" else "Last_Name"
    if not payload.get(name_key):
        return None
    mirrored = CrmRecord.objects.filter(module=module, crm_id=crm_id).values("raw").first()
    return {**(mirrored["raw"] if mirrored else {}), **payload}


def _finish(delivery: InboxDelivery, status: str, error: str) -> None:
    InboxDelivery.objects.filter(pk=delivery.pk).update(
        status=status, error=error[:2000], processed_at=timezone.now()
    )
