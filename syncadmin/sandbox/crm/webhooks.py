"""Workflow-rule webhooks (zoho-api.md §2.9): rules on create/edit of Accounts/Contacts
that POST form data or a raw JSON template to a URL. Delivery is asynchronous, single-shot
(no retry) and recorded in `WebhookDelivery`; failures are what `webhook_failures` lists.

Merge fields: `${Module.Field}` where Field is an API name (`Account_Name`) or its label
(`Account Name`); `${Accounts.Account Id}` / `${Contacts.Contact Id}` / `${X.Id}` give the
record id; a lookup merges as its name. Unknown fields merge as an empty string.
"""

import random
import re
from urllib.parse import urlencode

import httpx

from .. import clock, ids, knobs
from ..models import CrmOrg, CrmRecord, WebhookDelivery, WebhookRule
from ..models.crm import Outcome
from . import outbox

_MERGE = re.compile(r"\$\{([A-Za-z_]+)\.([^}]+)\}")
_ID_LABELS = {"id", "account id", "contact id", "deal id", "record id"}


def merge_value(record: CrmRecord, module: str, label: str) -> str:
    if module != record.module:
        return ""
    if label.strip().lower() in _ID_LABELS:
        return record.record_id
    value = record.data.get(label.strip().replace(" ", "_"))
    if isinstance(value, dict):
        value = value.get("name", "")
    return "" if value is None else str(value)


def render(template: str, record: CrmRecord) -> str:
    return _MERGE.sub(lambda m: merge_value(record, m.group(1), m.group(2)), template)


def _params(items: list[dict], record: CrmRecord) -> dict[str, str]:
    return {p["name"]: render(str(p.get("value", "")), record) for p in items}


def build_request(rule: WebhookRule, record: CrmRecord) -> dict:
    """What the webhook sends: method, url (with url_parameters), headers, body."""
    url = rule.url
    query = _params(rule.url_parameters, record)
    if query:
        url += ("&" if "?" in url else "?") + urlencode(query)
    headers: dict[str, str] = {}
    body = ""
    if rule.body_type == "form_data":
        fields = {
            **_params(rule.module_parameters, record),
            **_params(rule.custom_parameters, record),
        }
        body = urlencode(fields)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    else:
        # raw bodies carry only the template; parameters travel as headers
        headers.update(_params(rule.module_parameters, record))
        headers.update(_params(rule.custom_parameters, record))
        if rule.body_type == "raw":
            body = render(rule.raw_data_content, record)
            kind = {"JSON": "application/json", "XML": "application/xml", "HTML": "text/html"}
            headers["Content-Type"] = kind.get(rule.raw_format.upper(), "text/plain")
    return {"method": rule.method, "url": url, "headers": headers, "body": body}


def fire(record: CrmRecord, event: str) -> None:
    """Queue one delivery per active rule of the record's module listening to `event`."""
    rules = WebhookRule.objects.filter(org_id=record.org_id, module=record.module, active=True)
    for rule in rules:
        if event not in rule.events:
            continue
        delivery = WebhookDelivery.objects.create(
            rule=rule,
            module=record.module,
            record_id=record.record_id,
            event=event,
            payload=build_request(rule, record),
            created_at=clock.now(),
        )
        outbox.enqueue(lambda pk=delivery.pk: deliver(pk))


def deliver(delivery_id: int) -> None:
    """Send one delivery once; record the outcome. The drop knob loses it silently."""
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None:  # the sandbox was reset meanwhile
        return
    rate = knobs.get().webhook_drop_rate
    if rate > 0 and random.random() < rate:
        _finish(delivery, Outcome.DROPPED, None, "dropped by webhook_drop_rate")
        return
    request = delivery.payload
    try:
        response = outbox.http().request(
            request["method"],
            request["url"],
            headers=request["headers"],
            content=request["body"].encode() if request["body"] else None,
        )
    except httpx.HTTPError as exc:
        _finish(delivery, Outcome.FAILED, None, f"{type(exc).__name__}: {exc}"[:500])
        return
    ok = 200 <= response.status_code < 300
    reason = "" if ok else f"the URL answered HTTP {response.status_code}"
    _finish(delivery, Outcome.DELIVERED if ok else Outcome.FAILED, response.status_code, reason)


def _finish(delivery: WebhookDelivery, outcome: str, status: int | None, error: str) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        outcome=outcome, http_status=status, error=error, sent_at=clock.now()
    )


# ---------------------------------------------------------------- rules (control API)

_RULE_FIELDS = (
    "name",
    "workflow_rule_name",
    "module",
    "events",
    "url",
    "method",
    "body_type",
    "raw_format",
    "raw_data_content",
    "url_parameters",
    "module_parameters",
    "custom_parameters",
    "active",
)


def rule_create(org: CrmOrg, spec: dict) -> WebhookRule:
    """A workflow rule + webhook action; raises ValidationError / KeyError on bad input.
    Zoho's limits apply: ≤3 module parameters, ≤2 custom parameters, ≤500-char template."""
    values = {k: spec[k] for k in _RULE_FIELDS if k in spec}
    values.setdefault("events", ["create", "edit"])
    rule = WebhookRule(org=org, webhook_id=ids.crm_id(), created_time=clock.now(), **values)
    rule.workflow_rule_name = rule.workflow_rule_name or f"{rule.name} rule"
    params = ("url_parameters", "module_parameters", "custom_parameters", "events")
    rule.full_clean(exclude=[*params, "raw_data_content", "workflow_rule_name"])
    for name in params:
        items = getattr(rule, name)
        if not isinstance(items, list) or not all(
            isinstance(i, str if name == "events" else dict) for i in items
        ):
            raise ValueError(f"{name} must be a list")
    if set(rule.events) - {"create", "edit"} or rule.module not in ("Accounts", "Contacts"):
        raise ValueError("events ⊆ [create, edit] on Accounts or Contacts")
    if len(rule.module_parameters) > 3 or len(rule.custom_parameters) > 2:
        raise ValueError("at most 3 module_parameters and 2 custom_parameters")
    if len(rule.raw_data_content) > 500:
        raise ValueError("raw_data_content is limited to 500 characters")
    rule.save()
    return rule


def rule_json(rule: WebhookRule) -> dict:
    return {"id": rule.webhook_id, **{k: getattr(rule, k) for k in _RULE_FIELDS}}


def failures(org: CrmOrg, filters: dict) -> list[WebhookDelivery]:
    query = WebhookDelivery.objects.filter(rule__org=org, outcome=Outcome.FAILED)
    if filters.get("webhook_id"):
        query = query.filter(rule__webhook_id=filters["webhook_id"])
    if filters.get("module"):
        query = query.filter(module__iexact=filters["module"])
    if filters.get("from"):
        query = query.filter(sent_at__gte=filters["from"])
    if filters.get("to"):
        query = query.filter(sent_at__lte=filters["to"])
    return list(query.select_related("rule").order_by("-sent_at", "-id"))


def failure_json(delivery: WebhookDelivery, tz: str) -> dict:
    """One element of webhook_failures (fields named in §2.9)."""
    rule = delivery.rule
    record = CrmRecord.objects.filter(record_id=delivery.record_id).only("name").first()
    return {
        "webhook": {"name": rule.name, "id": rule.webhook_id},
        "entity_details": {
            "module": {"api_name": delivery.module},
            "record": {"id": delivery.record_id, "name": record.name if record else None},
        },
        "failure_time": clock.crm_format(delivery.sent_at or delivery.created_at, tz),
        "failure_reason": delivery.error,
        "workflow_rule": {"name": rule.workflow_rule_name, "id": rule.webhook_id},
    }
