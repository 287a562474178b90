"""Control routes for seeding, under /_sandbox/ (JSON, no auth).

POST seed   {"scenario": "messy", "size": N, "seed": S, "org"?: "in"|"uk"|id,
             "truth"?: path, "deactivate_sync_user"?: bool}
            → 201 summary (record counts, pattern counts, native runs, truth_path)
GET  seed/truth?scenario=&size=&seed=   → the ground truth at its default path
"""

from django.http import FileResponse, HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from ..views.control_json import bad_request, json_object
from .scenario import SCENARIOS, default_truth_path, seed


@require_POST
def seed_view(request: HttpRequest) -> JsonResponse:
    try:
        body = json_object(request)
        summary = seed(
            scenario=str(body.get("scenario", "messy")),
            size=int(body["size"]),
            seed=int(body.get("seed", 1)),
            org=str(body.get("org", "in")),
            truth_path=body.get("truth"),
            deactivate_sync_user=bool(body.get("deactivate_sync_user", False)),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        return bad_request(f"bad request: {exc}")
    return JsonResponse(summary, status=201)


@require_GET
def truth_view(request: HttpRequest) -> FileResponse | JsonResponse:
    params = request.GET
    try:
        scenario = params.get("scenario", "messy")
        found = default_truth_path(scenario, int(params["size"]), int(params["seed"]))
    except (KeyError, ValueError):
        return bad_request("give ?size=&seed=[&scenario=]")
    if scenario not in SCENARIOS or not found.is_file():
        return bad_request(f"no ground truth at {found}", 404)
    return FileResponse(found.open("rb"), content_type="application/json")


urlpatterns = [
    path("seed", seed_view),
    path("seed/truth", truth_view),
]
