"""Zoho CRM v8 (/crm/v8/…) and the CRM part of the control API (/_sandbox/crm/…).

Views are thin: they parse the request, call one service or selector of
`syncadmin.sandbox.crm` and shape Zoho's answer (zoho-api.md §2)."""

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import baseline, clock, knobs
from ..api import (
    ApiError,
    crm_endpoint,
    crm_error,
    crm_json,
    crm_no_content,
    crm_scope_error,
    has_scope,
    parse_json_body,
)
from ..crm import automation, credits, deleted, fields, merge, query, watch, webhooks
from ..crm.errors import AlreadyModified, RecordError, invalid_id
from ..crm.modules import ModuleSpec, module_spec
from ..crm.records import (
    live_records,
    record_create,
    record_delete,
    record_update,
    screen_fields,
)
from ..crm.serialize import record_json, write_details
from ..models import CrmOrg, CrmRecord, OAuthClient, SandboxUser, WatchNotification, WebhookDelivery
from .control_json import bad_request, json_object

_USER_TYPES = {
    "AllUsers": {},
    "ActiveUsers": {"active": True},
    "DeactiveUsers": {"active": False},
    "AdminUsers": {"crm_profile": "Administrator"},
}


def _user(user: SandboxUser, viewer_tz: str) -> dict:
    return {
        "id": user.crm_user_id,
        "zuid": user.zuid,
        "first_name": user.first_name or None,
        "last_name": user.last_name,
        "full_name": user.full_name,
        "email": user.email,
        "status": "active" if user.active else "disabled",
        "confirm": True,
        "role": {"name": user.crm_role, "id": None},
        "profile": {"name": user.crm_profile, "id": None},
        "time_zone": user.time_zone,
        "locale": "en_US",
        "country_locale": user.dc_location.upper(),
        "Modified_Time": clock.crm_format(clock.now(), viewer_tz),
    }


@crm_endpoint(scope="ZohoCRM.users.READ")
def users(request: HttpRequest) -> HttpResponse:
    ctx = request.zoho
    kind = request.GET.get("type", "AllUsers")
    if kind == "CurrentUser":
        found = [ctx.user]
    elif kind in _USER_TYPES:
        found = list(
            SandboxUser.objects.filter(crm_org=ctx.crm_org, **_USER_TYPES[kind]).order_by("id")
        )
    else:
        return crm_error("INVALID_DATA", "invalid data", 400, {"param_name": "type"})
    if not found:
        return crm_no_content()
    info = {"per_page": 200, "count": len(found), "page": 1, "more_records": False}
    return crm_json({"users": [_user(u, ctx.user.time_zone) for u in found], "info": info})


# ---------------------------------------------------------------- helpers

MAX_WRITE_RECORDS = 100
SEARCH_SCOPE = "ZohoSearch.securesearch.READ"


def _endpoint(scope: str | None, heavy: bool = False, write: bool = False):
    """crm_endpoint with the credits/concurrency gate and the credits header; `write`
    prices the call from its records (1 credit per 10) before the gate."""
    gate = credits.heavy_gate if heavy else credits.gate
    cost = credits.write_request_cost if write else None

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        return crm_endpoint(scope=scope, gate=gate, cost=cost)(credits.with_credits_header(view))

    return decorator


def _spec(module: str) -> ModuleSpec:
    spec = module_spec(module)
    if spec is None:
        raise ApiError(
            crm_error("INVALID_MODULE", "the module name given seems to be invalid", 400)
        )
    return spec


def _query_error(exc: query.QueryError) -> HttpResponse:
    return crm_error(exc.code, exc.message, 400, exc.details)


def _tz(request: HttpRequest) -> str:
    return request.zoho.user.time_zone


def _header_time(request: HttpRequest, name: str) -> datetime | None:
    raw = request.headers.get(name)
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ApiError(crm_error("INVALID_DATA", "invalid data", 400, {"header_name": name}))
    return moment


def _dispatch(routes: dict[str, Callable[..., HttpResponse]]) -> Callable[..., HttpResponse]:
    def view(request: HttpRequest, **kwargs) -> HttpResponse:
        handler = routes.get(request.method or "")
        if handler is None:
            return crm_error(
                "INVALID_REQUEST_METHOD", "The http request method type is not a valid one", 405
            )
        return handler(request, **kwargs)

    return view


def _page_answer(page: query.Page, tz: str, fields: list[str] | None) -> HttpResponse:
    if not page.records:
        return crm_no_content()
    return crm_json({"data": [record_json(r, tz, fields) for r in page.records], "info": page.info})


# ---------------------------------------------------------------- reads


@_endpoint("ZohoCRM.modules.{module}.READ")
def record_list(request: HttpRequest, module: str) -> HttpResponse:
    """GET /{module} (§2.3): 200, 204 (no records) or 304 (If-Modified-Since, none)."""
    spec = _spec(module)
    ctx = request.zoho
    since = _header_time(request, "If-Modified-Since")
    try:
        fields = query.parse_fields(request.GET.get("fields"), required=True)
        page = query.record_list(
            ctx.crm_org,
            spec,
            request.GET.dict(),
            user_id=ctx.user.zuid,
            tz=_tz(request),
            modified_since=since,
        )
    except query.QueryError as exc:
        return _query_error(exc)
    if since is not None and not page.records:
        return crm_no_content(304)
    return _page_answer(page, _tz(request), fields)


@_endpoint("ZohoCRM.modules.{module}.READ")
def record_get(request: HttpRequest, module: str, record_id: str) -> HttpResponse:
    spec = _spec(module)
    try:
        fields = query.parse_fields(request.GET.get("fields"), required=False)
    except query.QueryError as exc:
        return _query_error(exc)
    record = live_records(request.zoho.crm_org, spec.api_name).filter(record_id=record_id).first()
    if record is None:
        if knobs.get().crm_missing_id == "no_content":
            return crm_no_content()
        return crm_error("INVALID_DATA", "the id given seems to be invalid", 400, {"id": record_id})
    return crm_json({"data": [record_json(record, _tz(request), fields)]})


@_endpoint("ZohoCRM.modules.{module}.READ", heavy=True)
def record_search(request: HttpRequest, module: str) -> HttpResponse:
    """GET /{module}/search (§2.4); also needs ZohoSearch.securesearch.READ."""
    spec = _spec(module)
    if not has_scope(request.zoho.scopes, SEARCH_SCOPE):
        return crm_scope_error()
    try:
        fields = query.parse_fields(request.GET.get("fields"), required=False)
        page = query.record_search(request.zoho.crm_org, spec, request.GET.dict())
    except query.QueryError as exc:
        return _query_error(exc)
    return _page_answer(page, _tz(request), fields)


@_endpoint("ZohoCRM.settings.modules.READ")
def settings_modules(request: HttpRequest) -> HttpResponse:
    """GET /settings/modules: the org's modules; `api_supported` marks those served here."""
    return crm_json({"modules": fields.module_list()})


def _required_param(name: str) -> HttpResponse:
    return crm_error(
        "REQUIRED_PARAM_MISSING",
        "One of the expected parameters is missing",
        400,
        {"param_name": name},
    )


@_endpoint("ZohoCRM.settings.fields.READ")
def settings_fields(request: HttpRequest) -> HttpResponse:
    """GET /settings/fields?module=X: standard then custom fields (`custom_field`)."""
    if not request.GET.get("module"):
        return _required_param("module")
    spec = _spec(request.GET["module"])
    return crm_json({"fields": fields.field_list(request.zoho.crm_org, spec.api_name)})


@_endpoint("ZohoCRM.modules.{module}.READ")
def record_deleted(request: HttpRequest, module: str) -> HttpResponse:
    """GET /{module}/deleted?type=all|recycle|permanent (+ If-Modified-Since): deleted
    records (merged-away children too), newest first; 204 when there are none."""
    spec = _spec(module)
    kind = request.GET.get("type", "all")
    if kind not in deleted.TYPES:
        return crm_error("INVALID_DATA", "invalid data", 400, {"param_name": "type"})
    try:
        page, per_page = query.page_params(request.GET)
    except query.QueryError as exc:
        return _query_error(exc)
    since = _header_time(request, "If-Modified-Since")
    rows, more = deleted.deleted_page(
        request.zoho.crm_org, spec.api_name, kind=kind, since=since, page=page, per_page=per_page
    )
    if not rows:
        return crm_no_content()
    info = {"per_page": per_page, "count": len(rows), "page": page, "more_records": more}
    return crm_json({"data": [deleted.deleted_json(r, _tz(request)) for r in rows], "info": info})


# ---------------------------------------------------------------- writes


def _write_body(request: HttpRequest) -> tuple[list, bool]:
    """(records, fire_workflows) from {"data": [...], "trigger": [...]}."""
    body = parse_json_body(request, "crm")
    data = body.get("data")
    if not isinstance(data, list) or not data:
        raise ApiError(
            crm_error("MANDATORY_NOT_FOUND", "required field not found", 400, {"api_name": "data"})
        )
    if len(data) > MAX_WRITE_RECORDS:
        raise ApiError(crm_error("LIMIT_EXCEEDED", "Limit exceeded", 400, {"limit": 100}))
    trigger = body.get("trigger")
    fire = trigger is None or (isinstance(trigger, list) and "workflow" in trigger)
    return data, fire


def _success(record: CrmRecord, tz: str, message: str) -> dict:
    return {
        "code": "SUCCESS",
        "details": write_details(record, tz),
        "message": message,
        "status": "success",
    }


def _write_status(elements: list[dict], all_ok: int) -> int:
    ok = sum(e["status"] == "success" for e in elements)
    if ok == len(elements):
        return all_ok
    if ok == 0:
        if all(e["code"] == "ALREADY_MODIFIED" for e in elements):
            return 412
        return 400
    return knobs.get().crm_partial_status


@_endpoint("ZohoCRM.modules.{module}.CREATE", write=True)
def record_insert(request: HttpRequest, module: str) -> HttpResponse:
    """POST /{module}: 201 "record added" per element; mixed → 207, all failed → 400."""
    spec = _spec(module)
    ctx = request.zoho
    data, fire = _write_body(request)
    known = fields.known_fields(ctx.crm_org, spec.api_name)
    elements = []
    with automation.batched():
        for index, item in enumerate(data):
            try:
                with transaction.atomic():
                    clean = screen_fields(known, item)
                    record = record_create(
                        ctx.crm_org, spec.api_name, clean, by_user=ctx.user, fire_workflows=fire
                    )
                elements.append(_success(record, _tz(request), "record added"))
            except RecordError as exc:
                elements.append(exc.element(index))
    return crm_json({"data": elements}, _write_status(elements, 201))


def _live_record(request: HttpRequest, spec: ModuleSpec, record_id: str) -> CrmRecord:
    """The live record, read fresh; call inside the write's transaction so the row cannot
    change (or be deleted) between this read and the write. Raises INVALID_DATA."""
    found = live_records(request.zoho.crm_org, spec.api_name).filter(record_id=record_id)
    record = found.select_related("org").first()
    if record is None:
        raise invalid_id(record_id)
    return record


def _update_one(
    request: HttpRequest,
    spec: ModuleSpec,
    item: object,
    record_id: str,
    fire: bool,
    index: int,
    known: frozenset[str],
) -> dict:
    ctx = request.zoho
    if not record_id:
        return RecordError(
            "MANDATORY_NOT_FOUND", "required field not found", api_name="id"
        ).element(index)
    unmodified_since = _header_time(request, "If-Unmodified-Since")
    try:
        with transaction.atomic():
            record = record_update(
                _live_record(request, spec, record_id),
                screen_fields(known, item if isinstance(item, dict) else {}),
                by_user=ctx.user,
                fire_workflows=fire,
                unmodified_since=unmodified_since,
            )
    except AlreadyModified as exc:
        element = exc.element(index)
        element["details"]["Modified_Time"] = clock.crm_format(
            exc.record.modified_time, _tz(request)
        )
        return element
    except RecordError as exc:
        return exc.element(index)
    return _success(record, _tz(request), "record updated")


@_endpoint("ZohoCRM.modules.{module}.UPDATE", write=True)
def record_bulk_update(request: HttpRequest, module: str) -> HttpResponse:
    """PUT /{module} (§2.5): ≤100 records, each with `id`; one element per record in
    input order; 200 all ok, 207 (knob) mixed, 400 all failed, 412 all ALREADY_MODIFIED."""
    spec = _spec(module)
    data, fire = _write_body(request)
    known = fields.known_fields(request.zoho.crm_org, spec.api_name)
    with automation.batched():
        elements = [
            _update_one(
                request,
                spec,
                item,
                str((item or {}).get("id") or "") if isinstance(item, dict) else "",
                fire,
                i,
                known,
            )
            for i, item in enumerate(data)
        ]
    return crm_json({"data": elements}, _write_status(elements, 200))


@_endpoint("ZohoCRM.modules.{module}.UPDATE", write=True)
def record_update_one(request: HttpRequest, module: str, record_id: str) -> HttpResponse:
    spec = _spec(module)
    data, fire = _write_body(request)
    known = fields.known_fields(request.zoho.crm_org, spec.api_name)
    element = _update_one(request, spec, data[0], record_id, fire, 0, known)
    return crm_json({"data": [element]}, _write_status([element], 200))


def _delete(request: HttpRequest, spec: ModuleSpec, record_ids: list[str]) -> HttpResponse:
    ctx = request.zoho
    elements = []
    with automation.batched():
        for record_id in record_ids:
            try:
                with transaction.atomic():
                    record_delete(_live_record(request, spec, record_id), by_user=ctx.user)
            except RecordError as exc:
                elements.append(exc.element())
                continue
            elements.append(
                {
                    "code": "SUCCESS",
                    "details": {"id": record_id},
                    "message": "record deleted",
                    "status": "success",
                }
            )
    return crm_json({"data": elements}, _write_status(elements, 200))


@_endpoint("ZohoCRM.modules.{module}.DELETE")
def record_bulk_delete(request: HttpRequest, module: str) -> HttpResponse:
    """DELETE /{module}?ids=a,b (≤100): records go to the recycle bin."""
    spec = _spec(module)
    record_ids = [i for i in request.GET.get("ids", "").split(",") if i]
    if not record_ids:
        return crm_error(
            "REQUIRED_PARAM_MISSING",
            "One of the expected parameters is missing",
            400,
            {"param_name": "ids"},
        )
    if len(record_ids) > MAX_WRITE_RECORDS:
        return crm_error("LIMIT_EXCEEDED", "Limit exceeded", 400, {"limit": 100})
    return _delete(request, spec, record_ids)


@_endpoint("ZohoCRM.modules.{module}.DELETE")
def record_delete_one(request: HttpRequest, module: str, record_id: str) -> HttpResponse:
    return _delete(request, _spec(module), [record_id])


@_endpoint("ZohoCRM.modules.{module}.WRITE")
def record_merge(request: HttpRequest, module: str, record_id: str) -> HttpResponse:
    """POST /{module}/{master}/actions/merge (§2.6): 201, children deleted."""
    spec = _spec(module)
    ctx = request.zoho
    body = parse_json_body(request, "crm")
    items = body.get("merge")
    if not isinstance(items, list) or not items:
        return crm_error(
            "MANDATORY_NOT_FOUND", "required field not found", 400, {"api_name": "merge"}
        )
    try:
        with transaction.atomic():
            merge.record_merge(
                _live_record(request, spec, record_id),
                items[0] if isinstance(items[0], dict) else {},
                by_user=ctx.user,
            )
    except RecordError as exc:
        return crm_json({"merge": [exc.element()]}, 400, exc.code)
    success = {
        "code": "SUCCESS",
        "details": {"id": record_id},
        "message": merge.SUCCESS_MESSAGE,
        "status": "success",
    }
    return crm_json({"merge": [success]}, 201)


# ---------------------------------------------------------------- automation


@_endpoint("ZohoCRM.settings.automation_actions.READ")
def webhook_failures(request: HttpRequest) -> HttpResponse:
    """GET /settings/automation/webhook_failures?webhook_id=&module=&from=&to= (§2.9)."""
    filters = request.GET.dict()
    for name in ("from", "to"):
        if filters.get(name):
            try:
                filters[name] = datetime.fromisoformat(filters[name].replace(" ", "+"))
            except ValueError:
                return crm_error("INVALID_DATA", "invalid data", 400, {"param_name": name})
    rows = webhooks.failures(request.zoho.crm_org, filters)
    per_page = 200
    try:
        page = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        page = 1
    shown = rows[(page - 1) * per_page : page * per_page]
    if not shown:
        return crm_no_content()
    info = {
        "per_page": per_page,
        "count": len(shown),
        "page": page,
        "more_records": len(rows) > page * per_page,
    }
    return crm_json(
        {"webhook_failures": [webhooks.failure_json(d, _tz(request)) for d in shown], "info": info}
    )


def _watch_items(request: HttpRequest) -> list:
    body = parse_json_body(request, "crm")
    items = body.get("watch")
    if not isinstance(items, list) or not items:
        raise ApiError(
            crm_error("MANDATORY_NOT_FOUND", "required field not found", 400, {"api_name": "watch"})
        )
    return items


def _watch_answer(
    request: HttpRequest, action: Callable[[dict], object], message: str, ok_status: int
) -> HttpResponse:
    elements = []
    for item in _watch_items(request):
        try:
            channel = action(item if isinstance(item, dict) else {})
            details = {"events": watch.event_details(channel, _tz(request))}
            elements.append(
                {"code": "SUCCESS", "details": details, "message": message, "status": "success"}
            )
        except RecordError as exc:
            elements.append(exc.element())
    return crm_json({"watch": elements}, _write_status(elements, ok_status))


@_endpoint("ZohoCRM.notifications.CREATE")
def watch_subscribe(request: HttpRequest) -> HttpResponse:
    ctx = request.zoho
    return _watch_answer(
        request,
        lambda spec: watch.channel_subscribe(ctx.crm_org, ctx.user, spec),
        "Successfully subscribed for actions-watch of the given module",
        201,
    )


@_endpoint("ZohoCRM.notifications.UPDATE")
def watch_update(request: HttpRequest) -> HttpResponse:
    partial = request.method == "PATCH"
    org = request.zoho.crm_org
    return _watch_answer(
        request,
        lambda spec: watch.channel_update(org, spec, partial=partial),
        "Successfully updated the subscribe details",
        200,
    )


@_endpoint("ZohoCRM.notifications.READ")
def watch_list(request: HttpRequest) -> HttpResponse:
    channels = watch.live_channels(request.zoho.crm_org).order_by("created_time")
    if request.GET.get("channel_id"):
        channels = channels.filter(channel_id=request.GET["channel_id"])
    found = list(channels.select_related("org"))
    module = request.GET.get("module")
    if module:
        found = [
            c for c in found if any(e.lower().startswith(module.lower() + ".") for e in c.events)
        ]
    if not found:
        return crm_no_content()
    info = {"per_page": 200, "count": len(found), "page": 1, "more_records": False}
    return crm_json({"watch": [watch.channel_json(c, _tz(request)) for c in found], "info": info})


@_endpoint("ZohoCRM.notifications.DELETE")
def watch_delete(request: HttpRequest) -> HttpResponse:
    channel_ids = [c for c in request.GET.get("channel_ids", "").split(",") if c]
    if not channel_ids:
        return crm_error(
            "REQUIRED_PARAM_MISSING",
            "One of the expected parameters is missing",
            400,
            {"param_name": "channel_ids"},
        )
    elements = []
    for channel_id in channel_ids:
        deleted, _ = (
            watch.live_channels(request.zoho.crm_org).filter(channel_id=channel_id).delete()
        )
        if deleted:
            elements.append(
                {
                    "code": "SUCCESS",
                    "details": {"channel_id": channel_id},
                    "message": "Successfully un-subscribed from actions-watch",
                    "status": "success",
                }
            )
        else:
            elements.append(
                {
                    "code": "NOT_SUBSCRIBED",
                    "details": {"channel_id": channel_id},
                    "message": "Not subscribed for actions-watch of the given module",
                    "status": "error",
                }
            )
    return crm_json({"watch": elements}, _write_status(elements, 200))


urlpatterns = [
    path("users", users),
    path("settings/modules", _dispatch({"GET": settings_modules})),
    path("settings/fields", _dispatch({"GET": settings_fields})),
    path("settings/automation/webhook_failures", webhook_failures),
    path(
        "actions/watch",
        _dispatch(
            {
                "GET": watch_list,
                "POST": watch_subscribe,
                "PUT": watch_update,
                "PATCH": watch_update,
                "DELETE": watch_delete,
            }
        ),
    ),
    path(
        "<str:module>",
        _dispatch(
            {
                "GET": record_list,
                "POST": record_insert,
                "PUT": record_bulk_update,
                "DELETE": record_bulk_delete,
            }
        ),
    ),
    path("<str:module>/search", _dispatch({"GET": record_search})),
    path("<str:module>/deleted", _dispatch({"GET": record_deleted})),
    path(
        "<str:module>/<str:record_id>",
        _dispatch({"GET": record_get, "PUT": record_update_one, "DELETE": record_delete_one}),
    ),
    path("<str:module>/<str:record_id>/actions/merge", _dispatch({"POST": record_merge})),
]


# ---------------------------------------------------------------- control API (/_sandbox/crm/)


def _crm_org(body: dict) -> CrmOrg:
    return CrmOrg.objects.get(org_id=body.get("org_id") or baseline.CRM_ORG_ID)


@require_POST
def control_record_write(request: HttpRequest, module: str) -> JsonResponse:
    """Create ({"data": {...}}) or edit ({"id": …, "data": {...}}) a record as a person in
    the CRM UI would ({"as": email}, default the admin): workflows always run."""
    try:
        body = json_object(request)
        spec = module_spec(module)
        if spec is None:
            raise ValueError(f"unknown module {module}")
        user = SandboxUser.objects.get(email__iexact=body.get("as") or baseline.ADMIN_EMAIL)
        org = user.crm_org
        with transaction.atomic():
            if body.get("id"):
                record = live_records(org, spec.api_name).get(record_id=body["id"])
                record = record_update(record, body.get("data") or {}, by_user=user)
            else:
                record = record_create(org, spec.api_name, body.get("data") or {}, by_user=user)
    except (ValueError, SandboxUser.DoesNotExist, CrmRecord.DoesNotExist) as exc:
        return bad_request(str(exc))
    except RecordError as exc:
        return bad_request(exc.element())
    return JsonResponse(
        {"id": record.record_id, "record": record_json(record, user.time_zone)},
        status=201 if not body.get("id") else 200,
    )


@require_http_methods(["GET", "POST"])
def control_webhooks(request: HttpRequest) -> JsonResponse:
    """POST: create a workflow rule + webhook (see `crm.webhooks.rule_create`); GET: list."""
    if request.method == "GET":
        rules = webhooks.WebhookRule.objects.order_by("id")
        return JsonResponse({"webhooks": [webhooks.rule_json(r) for r in rules]})
    try:
        body = json_object(request)
        rule = webhooks.rule_create(_crm_org(body), body)
    except Exception as exc:  # ValidationError, ValueError, TypeError, KeyError alike
        return bad_request(str(exc))
    return JsonResponse(webhooks.rule_json(rule), status=201)


@require_http_methods(["GET", "DELETE"])
def control_webhook(request: HttpRequest, webhook_id: str) -> JsonResponse:
    """GET: one rule; DELETE: remove the rule and its webhook (its delivery log goes with
    it), e.g. before a demo installs it again with a new secret."""
    rule = webhooks.WebhookRule.objects.filter(webhook_id=webhook_id).first()
    if rule is None:
        return JsonResponse({"error": f"no webhook {webhook_id}"}, status=404)
    if request.method == "DELETE":
        rule.delete()
        return JsonResponse({"deleted": webhook_id})
    return JsonResponse(webhooks.rule_json(rule))


@require_GET
def control_deliveries(request: HttpRequest) -> JsonResponse:
    """Every webhook delivery and watch callback, newest first (for tests and the admin)."""
    hooks = WebhookDelivery.objects.select_related("rule").order_by("-id")[:500]
    notes = WatchNotification.objects.select_related("channel").order_by("-id")[:500]
    return JsonResponse(
        {
            "webhooks": [
                {
                    "webhook_id": d.rule.webhook_id,
                    "record_id": d.record_id,
                    "event": d.event,
                    "outcome": d.outcome,
                    "http_status": d.http_status,
                    "error": d.error,
                }
                for d in hooks
            ],
            "watch": [
                {
                    "channel_id": n.channel.channel_id,
                    "operation": n.operation,
                    "ids": n.ids,
                    "outcome": n.outcome,
                    "http_status": n.http_status,
                }
                for n in notes
            ],
        }
    )


@require_POST
def control_busy(request: HttpRequest) -> JsonResponse:
    """{"count": N, "seconds": S, "client_id"?, "org_id"?}: hold N concurrency slots of
    that app for S seconds, as other in-flight calls would."""
    try:
        body = json_object(request)
        org = _crm_org(body)
        client = OAuthClient.objects.get(client_id=body.get("client_id") or baseline.CLIENT_ID)
        held = credits.occupy(org.org_id, client.pk, int(body["count"]), float(body["seconds"]))
    except (ValueError, KeyError, TypeError, CrmOrg.DoesNotExist, OAuthClient.DoesNotExist) as exc:
        return bad_request(str(exc))
    return JsonResponse({"held": held})


@require_http_methods(["GET", "POST", "DELETE"])
def control_fields(request: HttpRequest, module: str) -> JsonResponse:
    """Custom fields of a module. GET: {"fields": [...]} (standard and custom);
    POST {"api_name", "field_label", "data_type", "length"?, "org_id"?}: add one (201);
    DELETE ?api_name=X (or {"api_name"}): remove one (404 if it is not a custom field)."""
    spec = module_spec(module)
    if spec is None:
        return bad_request(f"unknown module {module}")
    org = CrmOrg.objects.get(org_id=request.GET.get("org_id") or baseline.CRM_ORG_ID)
    if request.method == "GET":
        return JsonResponse({"fields": fields.field_list(org, spec.api_name)})
    try:
        body = json_object(request) if request.body else {}
        if request.method == "DELETE":
            api_name = request.GET.get("api_name") or body.get("api_name") or ""
            if not fields.field_remove(org, spec.api_name, api_name):
                return JsonResponse({"error": f"no custom field {api_name}"}, status=404)
            return JsonResponse({"deleted": api_name})
        row = fields.field_add(
            org,
            spec.api_name,
            api_name=str(body.get("api_name") or ""),
            field_label=str(body.get("field_label") or ""),
            data_type=str(body.get("data_type") or "text"),
            length=int(body.get("length") or 0),
        )
    except (ValueError, TypeError) as exc:
        return bad_request(str(exc))
    answer = next(f for f in fields.field_list(org, spec.api_name) if f["id"] == row.field_id)
    return JsonResponse(answer, status=201)


@require_POST
def control_recycle_bin_empty(request: HttpRequest) -> JsonResponse:
    """Empty the recycle bin ({"module"?}): its records become `type: permanent` in
    GET /{module}/deleted, as after Zoho purges the bin."""
    try:
        body = json_object(request) if request.body else {}
    except ValueError as exc:
        return bad_request(str(exc))
    emptied = deleted.recycle_bin_empty(_crm_org(body), module=body.get("module"))
    return JsonResponse({"emptied": emptied})


control_urlpatterns = [
    path("fields/<str:module>", control_fields),
    path("recycle_bin/empty", control_recycle_bin_empty),
    path("records/<str:module>", control_record_write),
    path("webhooks", control_webhooks),
    path("webhooks/<str:webhook_id>", control_webhook),
    path("deliveries", control_deliveries),
    path("busy", control_busy),
]
