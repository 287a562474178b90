"""Control routes of the native integration, under /_sandbox/native/ (JSON, no auth).

POST run         {"books_org"?}  instant sync (all connected orgs without books_org)
POST disconnect  {"books_org"?}  wipe the hidden id map, as Zoho's disconnect does
POST connect     {"books_org"?, "sync_type"?}  the next run re-pairs by exact name
POST tick        run the orgs that are due on the sandbox clock (what the thread does)
GET  runs        ?books_org=&limit=  recent runs, newest first, with failure reasons
"""

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from .. import clock
from ..models import BooksOrg, NativeSyncRun
from ..models.books import SyncType
from ..views.control_json import bad_request, json_object
from .scheduler import tick
from .service import is_syncing, native_sync_connect, native_sync_disconnect, native_sync_run


def _orgs(body: dict) -> list[BooksOrg]:
    """The org named by `books_org` (organization_id), or every CRM-integrated org."""
    orgs = BooksOrg.objects.exclude(crm_org=None).order_by("organization_id")
    if body.get("books_org"):
        orgs = orgs.filter(organization_id=str(body["books_org"]))
    return list(orgs)


def run_dict(run: NativeSyncRun) -> dict:
    return {
        "id": run.pk,
        "books_org": run.books_org.organization_id,
        "trigger": run.trigger,
        "status": run.status,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "created": run.created_count,
        "updated": run.updated_count,
        "skipped": run.skipped_count,
        "failure_count": run.failure_count,
        "failures": run.failures,
    }


def _parsed(request: HttpRequest) -> tuple[dict, list[BooksOrg]] | JsonResponse:
    try:
        body = json_object(request)
    except ValueError as exc:
        return bad_request(str(exc))
    orgs = _orgs(body)
    if not orgs:
        return bad_request("no such CRM-integrated Books organization", 404)
    return body, orgs


@require_POST
def run(request: HttpRequest) -> JsonResponse:
    parsed = _parsed(request)
    if isinstance(parsed, JsonResponse):
        return parsed
    body, orgs = parsed
    if body.get("books_org") and not is_syncing(orgs[0]):
        return bad_request("the integration of this organization is disconnected", 409)
    now = clock.now()
    runs = [native_sync_run(org, now=now) for org in orgs if is_syncing(org)]
    return JsonResponse({"runs": [run_dict(r) for r in runs]})


@require_POST
def disconnect(request: HttpRequest) -> JsonResponse:
    parsed = _parsed(request)
    if isinstance(parsed, JsonResponse):
        return parsed
    forgotten = {org.organization_id: native_sync_disconnect(org) for org in parsed[1]}
    return JsonResponse({"disconnected": sorted(forgotten), "links_forgotten": forgotten})


@require_POST
def connect(request: HttpRequest) -> JsonResponse:
    parsed = _parsed(request)
    if isinstance(parsed, JsonResponse):
        return parsed
    body, orgs = parsed
    sync_type = body.get("sync_type")
    if sync_type and sync_type not in SyncType.values:
        return bad_request(f"sync_type must be one of {', '.join(SyncType.values)}")
    for org in orgs:
        native_sync_connect(org, sync_type=sync_type)
    return JsonResponse({"connected": [o.organization_id for o in orgs]})


@require_POST
def tick_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"runs": tick()})


@require_GET
def runs(request: HttpRequest) -> JsonResponse:
    found = NativeSyncRun.objects.select_related("books_org").order_by("-started_at", "-id")
    if request.GET.get("books_org"):
        found = found.filter(books_org__organization_id=request.GET["books_org"])
    try:
        limit = min(int(request.GET.get("limit", 20)), 200)
    except ValueError:
        return bad_request("limit must be a number")
    return JsonResponse({"runs": [run_dict(r) for r in found[:limit]]})


urlpatterns = [
    path("native/run", run),
    path("native/disconnect", disconnect),
    path("native/connect", connect),
    path("native/tick", tick_view),
    path("native/runs", runs),
]
