"""Zoho CRM v8: records, search, bulk writes, merge, watch channels, users (§2)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

import httpx

from syncadmin.zoho.errors import ZohoError, crm_error
from syncadmin.zoho.http import Api, json_body
from syncadmin.zoho.ids import crm_module, zoho_id
from syncadmin.zoho.types import CrmRecord, DeletedRecord, Organization, RecordResult, ZohoUser

BATCH = 100  # Zoho's cap on records per write call
PER_PAGE = 200
NO_DATA = (204, 304)
ELEMENT_LISTS = ("data", "merge", "watch")  # answers with one element per input item


def check(response: httpx.Response) -> None:
    """CRM failures: a top-level ``{"code": "...", "status": "error"}`` envelope."""
    if response.status_code < 400 or response.status_code == 412:
        return  # 412 and partial failures are per-record answers, read by the caller
    body = json_body(response)
    if response.status_code == 400 and any(k in body for k in ELEMENT_LISTS):
        return  # every element failed: the caller reads and classifies each one
    raise crm_error(response.status_code, str(body.get("code", "")), str(body.get("message", "")))


class CrmClient:
    def __init__(self, api: Api) -> None:
        self.api = api

    def current_user(self) -> ZohoUser:
        body = json_body(self.api.call("GET", "/users", params={"type": "CurrentUser"}))
        user = body["users"][0]
        return ZohoUser(
            id=str(user["id"]),
            name=user.get("full_name", ""),
            email=user.get("email", ""),
            active=user.get("status", "active") == "active",
        )

    def org(self) -> Organization:
        """The CRM organisation (``GET /org``), in the same shape as a Books one."""
        org = json_body(self.api.call("GET", "/org"))["org"][0]
        return Organization(
            organization_id=str(org["id"]),
            name=org.get("company_name", ""),
            currency_code=org.get("currency", "") or "",
            is_default=True,
        )

    def records(
        self,
        *,
        module: str,
        fields: Iterable[str],
        modified_since: datetime | None = None,
        sort_by: str = "Modified_Time",
        sort_order: str = "asc",
    ) -> Iterator[CrmRecord]:
        """Every record, page by page (``page`` for the first 2 000, then ``page_token``)."""
        module = crm_module(module)
        params: dict[str, Any] = {
            "fields": ",".join(fields),
            "per_page": PER_PAGE,
            "sort_by": sort_by,
            "sort_order": sort_order,
        }
        headers = {}
        if modified_since:
            # Inclusive, on purpose: records changed within the watermark's second are read
            # again rather than lost; the caller skips those it already has.
            headers["If-Modified-Since"] = modified_since.isoformat(timespec="seconds")
        page, page_token = 1, None
        while True:
            query = {**params, **({"page_token": page_token} if page_token else {"page": page})}
            response = self.api.call("GET", f"/{module}", params=query, headers=headers)
            if response.status_code in NO_DATA:
                return
            body = json_body(response)
            for data in body.get("data", []):
                yield CrmRecord.from_api(module, data)
            info = body.get("info", {})
            if not info.get("more_records"):
                return
            page_token = info.get("next_page_token")
            page += 1

    def record(self, *, module: str, record_id: str) -> CrmRecord | None:
        """One record, or None when Zoho says it does not exist (204)."""
        module, record_id = crm_module(module), zoho_id(record_id)
        response = self.api.call("GET", f"/{module}/{record_id}")
        if response.status_code in NO_DATA:
            return None
        return CrmRecord.from_api(module, json_body(response)["data"][0])

    def search(
        self, *, module: str, criteria: str | None = None, email: str | None = None
    ) -> list[CrmRecord]:
        """Zoho's search as it is: ``equals`` means contains, fresh records may be missing."""
        module = crm_module(module)
        params: dict[str, Any] = {"per_page": PER_PAGE}
        params.update({k: v for k, v in (("criteria", criteria), ("email", email)) if v})
        found: list[CrmRecord] = []
        for page in range(1, 11):  # Zoho stops search at 2 000 records
            response = self.api.call("GET", f"/{module}/search", params={**params, "page": page})
            if response.status_code in NO_DATA:
                break
            body = json_body(response)
            found += [CrmRecord.from_api(module, d) for d in body.get("data", [])]
            if not body.get("info", {}).get("more_records"):
                break
        return found

    def search_exact(self, *, module: str, field: str, value: str) -> list[CrmRecord]:
        """Records whose ``field`` equals ``value`` exactly (case-insensitive, trimmed).

        Zoho's ``equals`` behaves like *contains*, so its answer is filtered here.
        """
        criteria = f"({field}:equals:{escape_criteria(value)})"
        wanted = value.strip().casefold()
        return [
            r
            for r in self.search(module=module, criteria=criteria)
            if str(r.fields.get(field) or "").strip().casefold() == wanted
        ]

    def insert(
        self, *, module: str, records: list[dict[str, Any]], trigger: Sequence[str] = ()
    ) -> list[RecordResult]:
        """Bulk insert in batches of 100, one result per record in input order. Workflows
        stay off unless ``trigger`` names them (see ``update``)."""
        return self._write("POST", module, records, trigger)

    def update(
        self,
        *,
        module: str,
        records: list[dict[str, Any]],
        trigger: Sequence[str] = (),
        unmodified_since: datetime | None = None,
    ) -> list[RecordResult]:
        """Bulk update in batches of 100; ``trigger=[]`` keeps our own writes from firing
        CRM workflows (and so from echoing back to us as webhooks). With
        ``unmodified_since``, records changed after it fail with ``ALREADY_MODIFIED``."""
        headers = {}
        if unmodified_since:
            headers["If-Unmodified-Since"] = unmodified_since.isoformat(timespec="seconds")
        return self._write("PUT", module, records, trigger, headers)

    def _write(
        self,
        method: str,
        module: str,
        records: list[dict[str, Any]],
        trigger: Iterable[str],
        headers: dict | None = None,
    ) -> list[RecordResult]:
        module = crm_module(module)
        for record in records:
            if "id" in record:
                zoho_id(str(record["id"]))
        results: list[RecordResult] = []
        for start in range(0, len(records), BATCH):
            batch = records[start : start + BATCH]
            body = {"data": batch, "trigger": list(trigger)}
            cost = write_cost(len(batch))
            response = self.api.call(method, f"/{module}", json=body, headers=headers, cost=cost)
            answer = json_body(response)
            results += [_record_result(element) for element in answer.get("data", [])]
        return results

    def merge(self, *, module: str, master_id: str, child_ids: list[str]) -> dict[str, Any]:
        """Merge up to two children into ``master_id``; Zoho deletes the children."""
        if not 1 <= len(child_ids) <= 2:
            raise ValueError("Zoho merges one or two child records per call")
        module, master_id = crm_module(module), zoho_id(master_id)
        child_ids = [zoho_id(child) for child in child_ids]
        payload = {"merge": [{"data": [{"id": child} for child in child_ids]}]}
        answer = json_body(
            self.api.call("POST", f"/{module}/{master_id}/actions/merge", json=payload)
        )
        element = answer["merge"][0]
        if element.get("status") == "error":
            raise crm_error(400, element.get("code", ""), element.get("message", ""))
        return element

    def watch_subscribe(
        self,
        *,
        channel_id: str,
        events: list[str],
        notify_url: str,
        token: str,
        expiry: datetime,
    ) -> list[dict[str, Any]]:
        """Create a notification channel (or add events to one with the same id); the
        ``details`` of each answer element (one per watched module event)."""
        watch = {
            "channel_id": channel_id,
            "events": events,
            "notify_url": notify_url,
            "token": token,
            "channel_expiry": expiry.isoformat(timespec="seconds"),
        }
        return self._watch("POST", {"watch": [watch]})

    def watch_extend(
        self, *, channel_id: str, events: list[str], expiry: datetime
    ) -> list[dict[str, Any]]:
        """Move a live channel's expiry (and set its events)."""
        watch = {
            "channel_id": channel_id,
            "events": events,
            "channel_expiry": expiry.isoformat(timespec="seconds"),
        }
        return self._watch("PATCH", {"watch": [watch]})

    def watch_unsubscribe(self, *, channel_ids: list[str]) -> None:
        """Stop channels; one that is already gone (``NOT_SUBSCRIBED``) is not an error."""
        response = self.api.call(
            "DELETE", "/actions/watch", params={"channel_ids": ",".join(channel_ids)}
        )
        for element in json_body(response).get("watch", []):
            if element.get("status") == "error" and element.get("code") != "NOT_SUBSCRIBED":
                raise crm_error(400, element.get("code", ""), element.get("message", ""))

    def _watch(self, method: str, payload: dict[str, Any]) -> list[dict[str, Any]]:
        answer = json_body(self.api.call(method, "/actions/watch", json=payload))
        elements = answer.get("watch", [])
        for element in elements:
            if element.get("status") == "error":
                raise crm_error(400, element.get("code", ""), element.get("message", ""))
        return [element.get("details") or {} for element in elements]

    def modules(self) -> list[dict[str, Any]]:
        """The org's modules (``GET /settings/modules``): ``api_name``, ``module_name``,
        ``id``, ``api_supported`` …"""
        return json_body(self.api.call("GET", "/settings/modules")).get("modules", [])

    def fields(self, *, module: str) -> list[dict[str, Any]]:
        """The module's fields (``GET /settings/fields``), standard and custom: each with
        ``api_name``, ``field_label``, ``data_type``, ``custom_field`` …"""
        params = {"module": crm_module(module)}
        response = self.api.call("GET", "/settings/fields", params=params)
        if response.status_code in NO_DATA:
            return []
        return json_body(response).get("fields", [])

    def deleted(
        self, *, module: str, since: datetime | None = None, type: str = "all"
    ) -> Iterator[DeletedRecord]:
        """Deleted records (``GET /{module}/deleted``), merged-away children included,
        page by page; ``type`` is ``all``, ``recycle`` or ``permanent``. With ``since``,
        only those deleted at or after it (inclusive, like ``records``)."""
        module = crm_module(module)
        if type not in ("all", "recycle", "permanent"):
            raise ValueError("type must be all, recycle or permanent")
        headers = {}
        if since:
            headers["If-Modified-Since"] = since.isoformat(timespec="seconds")
        page = 1
        while True:
            params = {"type": type, "page": page, "per_page": PER_PAGE}
            response = self.api.call("GET", f"/{module}/deleted", params=params, headers=headers)
            if response.status_code in NO_DATA:
                return
            body = json_body(response)
            for data in body.get("data", []):
                yield DeletedRecord.from_api(module, data)
            if not body.get("info", {}).get("more_records"):
                return
            page += 1

    def webhook_failures(self, *, module: str | None = None) -> Iterator[dict[str, Any]]:
        """Failed workflow-webhook deliveries, newest first, page by page."""
        params: dict[str, Any] = {"module": crm_module(module)} if module else {}
        page = 1
        while True:
            response = self.api.call(
                "GET",
                "/settings/automation/webhook_failures",
                params={**params, "page": page},
            )
            if response.status_code in NO_DATA:
                return
            body = json_body(response)
            yield from body.get("webhook_failures", [])
            if not body.get("info", {}).get("more_records"):
                return
            page += 1


def write_cost(records: int) -> int:
    """CRM credits for an insert/update/upsert of ``records`` records: 1 per 10 (§2.8)."""
    return max(1, math.ceil(records / 10))


def record_error(result: RecordResult) -> ZohoError:
    """The classified error for one failed element of a bulk write."""
    status = 412 if result.code == "ALREADY_MODIFIED" else 400
    return crm_error(status, result.code, result.message)


def _record_result(element: dict[str, Any]) -> RecordResult:
    details = element.get("details") or {}
    return RecordResult(
        ok=element.get("status") == "success",
        id=details.get("id"),
        code=element.get("code", ""),
        message=element.get("message", ""),
        details=details,
    )


def escape_criteria(value: str) -> str:
    """Zoho criteria need ``(``, ``)`` and ``,`` escaped with a backslash."""
    for char in ("\\", "(", ")", ","):
        value = value.replace(char, f"\\{char}")
    return value
