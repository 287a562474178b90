"""The control API under /_sandbox/: JSON for tests and scripts, no auth (local only)."""

import secrets
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import admin_state, baseline, clock, knobs, lifecycle, tokens
from ..models import ApiCall, Knobs, OAuthClient, SandboxUser
from ..oauth import authorize
from .control_json import bad_request, json_object


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The admin page: orgs, users, limits used, webhook and sync logs, every knob."""
    form = admin_state.KnobsForm(instance=knobs.get())
    return _index_page(request, form, saved=request.GET.get("saved") == "1")


def _index_page(
    request: HttpRequest, form: forms.ModelForm, saved: bool = False, status: int = 200
) -> HttpResponse:
    context = {
        "state": admin_state.admin_state(),
        "knobs": knobs.get(),
        "form": form,
        "saved": saved,
    }
    return render(request, "sandbox/index.html", context, status=status)


@require_POST
def admin_knobs(request: HttpRequest) -> HttpResponse:
    """The admin page's knob form: save and go back, or show the errors (400)."""
    current, _ = Knobs.objects.get_or_create(pk=1)  # a fresh row: the cached one is shared
    form = admin_state.KnobsForm(request.POST, instance=current)
    if not form.is_valid():
        return _index_page(request, form, status=400)
    form.save()
    knobs.invalidate()
    return HttpResponseRedirect("/_sandbox/?saved=1")


@require_POST
def admin_user(request: HttpRequest, email: str) -> HttpResponse:
    """The admin page's Activate / Deactivate buttons (form field active=1|0)."""
    tokens.user_set_active(email, request.POST.get("active") == "1")
    return HttpResponseRedirect("/_sandbox/")


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True, "now": clock.now().isoformat()})


@require_POST
def reset(request: HttpRequest) -> JsonResponse:
    lifecycle.reset_all()
    return JsonResponse({"ok": True})


def _knobs_dict() -> dict:
    current = knobs.get()
    return {f.name: getattr(current, f.name) for f in Knobs._meta.concrete_fields if f.name != "id"}


@require_http_methods(["GET", "POST"])
def knobs_view(request: HttpRequest) -> JsonResponse:
    """GET: all knobs. POST {"name": value, …}: change some, answer all."""
    if request.method == "POST":
        try:
            values = json_object(request)
        except ValueError as exc:
            return bad_request(str(exc))
        unknown = sorted(set(values) - set(_knobs_dict()))
        if unknown:
            return bad_request(f"unknown knobs: {', '.join(unknown)}")
        try:
            knobs.update(**values)
        except ValidationError as exc:
            return bad_request(exc.message_dict)
    return JsonResponse(_knobs_dict())


def _set_active(email: str, active: bool) -> JsonResponse:
    if not tokens.user_set_active(email, active):
        return bad_request(f"no user {email}", 404)
    return JsonResponse({"email": email, "active": active})


@require_POST
def user_deactivate(request: HttpRequest, email: str) -> JsonResponse:
    return _set_active(email, False)


@require_POST
def user_activate(request: HttpRequest, email: str) -> JsonResponse:
    return _set_active(email, True)


@require_POST
def user_time_zone(request: HttpRequest, email: str) -> JsonResponse:
    """{"time_zone": "Asia/Kolkata"}: the IANA zone CRM answers this user in (§2.1)."""
    try:
        zone = str(json_object(request).get("time_zone") or "")
        ZoneInfo(zone)
    except (ValueError, ZoneInfoNotFoundError):
        return bad_request("time_zone must be an IANA zone name, e.g. Asia/Kolkata")
    if not SandboxUser.objects.filter(email__iexact=email).update(time_zone=zone):
        return bad_request(f"no user {email}", 404)
    return JsonResponse({"email": email, "time_zone": zone})


@require_POST
def clock_view(request: HttpRequest) -> JsonResponse:
    """{"advance_seconds": N} moves the clock on; {"offset_seconds": N} sets the offset."""
    try:
        body = json_object(request)
        current = knobs.get().clock_offset_seconds
        if "offset_seconds" in body:
            offset = float(body["offset_seconds"])
        else:
            offset = current + float(body["advance_seconds"])
    except (ValueError, KeyError, TypeError):
        return bad_request("send {'advance_seconds': N} or {'offset_seconds': N}")
    knobs.update(clock_offset_seconds=offset)
    return JsonResponse({"now": clock.now().isoformat(), "offset_seconds": offset})


def _parse_since(raw: str | None) -> datetime | None:
    if not raw:
        return None
    moment = datetime.fromisoformat(raw.replace(" ", "+"))  # a raw "+" arrives as a space
    if moment.tzinfo is None:
        raise ValueError("since needs a UTC offset")
    return moment


@require_GET
def stats(request: HttpRequest) -> JsonResponse:
    """ApiCall counts by service, HTTP status and code; filters: since (ISO, sandbox
    clock), service, org_id. `now` in the answer is a watermark for the next `since`."""
    try:
        since = _parse_since(request.GET.get("since"))
    except ValueError as exc:
        return bad_request(str(exc))
    query = Q()
    if since:
        query &= Q(at__gte=since)
    for name in ("service", "org_id"):
        if request.GET.get(name):
            query &= Q(**{name: request.GET[name]})
    rows = list(
        ApiCall.objects.filter(query)
        .values("service", "http_status", "code")
        .annotate(count=Count("id"), credits=Sum("credits"))
        .order_by("service", "http_status", "code")
    )
    by_service: dict[str, int] = {}
    for row in rows:
        by_service[row["service"]] = by_service.get(row["service"], 0) + row["count"]
    return JsonResponse(
        {
            "now": clock.now().isoformat(),
            "since": since.isoformat() if since else None,
            "total": sum(by_service.values()),
            "by_service": by_service,
            "calls": rows,
        }
    )


@require_GET
def calls(request: HttpRequest) -> JsonResponse:
    """Test aid (read-only): every logged API call in order, as (service, method, path,
    HTTP status); filters: since (ISO, sandbox clock), service. For comparing a product's
    announced calls (a cleanup dry run) with the calls it then made."""
    try:
        since = _parse_since(request.GET.get("since"))
    except ValueError as exc:
        return bad_request(str(exc))
    found = ApiCall.objects.order_by("pk")
    if since:
        found = found.filter(at__gte=since)
    if request.GET.get("service"):
        found = found.filter(service=request.GET["service"])
    rows = list(found.values("service", "method", "path", "http_status")[:20000])
    return JsonResponse({"now": clock.now().isoformat(), "calls": rows})


@require_POST
def clients(request: HttpRequest) -> JsonResponse:
    """Create or update an OAuth client: {"client_id"?, "client_secret"?, "name"?,
    "redirect_uris": [...]}; a missing id or secret is generated."""
    try:
        body = json_object(request)
    except ValueError as exc:
        return bad_request(str(exc))
    uris = body.get("redirect_uris", [])
    if not isinstance(uris, list) or not all(isinstance(u, str) for u in uris):
        return bad_request("redirect_uris must be a list of strings")
    client_id = body.get("client_id") or f"1000.{secrets.token_hex(16).upper()[:32]}"
    defaults = {"redirect_uris": uris, "name": body.get("name", "")}
    if body.get("client_secret"):
        defaults["client_secret"] = body["client_secret"]
    client, created = OAuthClient.objects.update_or_create(
        client_id=client_id,
        defaults=defaults,
        create_defaults={
            "client_secret": secrets.token_hex(20),
            "created_at": clock.now(),
            **defaults,
        },
    )
    data = {
        "client_id": client.client_id,
        "client_secret": client.client_secret,
        "name": client.name,
        "redirect_uris": client.redirect_uris,
    }
    return JsonResponse(data, status=201 if created else 200)


@require_POST
def issue_tokens(request: HttpRequest) -> JsonResponse:
    """Test shortcut past the consent screen, like Zoho's self client: {"email", "scopes",
    "client_id"?} → a token answer with a refresh token (access_type=offline)."""
    try:
        body = json_object(request)
        user = SandboxUser.objects.get(email__iexact=body["email"])
        client = OAuthClient.objects.get(client_id=body.get("client_id") or baseline.CLIENT_ID)
        scopes = tokens.parse_scopes(body["scopes"])
    except (ValueError, KeyError, SandboxUser.DoesNotExist, OAuthClient.DoesNotExist) as exc:
        return bad_request(f"bad request: {exc!r}")
    refresh = tokens.refresh_token_issue(client=client, user=user, scopes=scopes)
    access = tokens.access_token_issue(
        client=client, user=user, scopes=scopes, refresh_token=refresh
    )
    return JsonResponse(
        {
            "access_token": access.token,
            "refresh_token": refresh.token,
            "scope": " ".join(scopes),
            "api_domain": settings.SANDBOX_PUBLIC_URL,
            "token_type": "Bearer",
            "expires_in": int(tokens.ACCESS_TOKEN_TTL.total_seconds()),
        }
    )


@require_POST
def selfclient(request: HttpRequest) -> JsonResponse:
    """{"email", "scopes", "client_id"?, "ttl"?} → {"code", "expires_in"}: a self-client
    grant code, as `python -m syncadmin.sandbox selfclient` prints it."""
    try:
        body = json_object(request)
        code = authorize.self_client_code_issue(
            email=str(body["email"]),
            scopes=body["scopes"],
            client_id=body.get("client_id") or "",
            ttl_seconds=int(body["ttl"]) if body.get("ttl") is not None else None,
        )
    except (ValueError, KeyError, TypeError) as exc:
        return bad_request(f"bad request: {exc!r}")
    except authorize.AuthPageError as exc:
        return bad_request(f"{exc.title}: {exc.detail}")
    except authorize.AccessDenied:
        return bad_request("access_denied", 429)
    expires_in = int((code.expires_at - code.created_at).total_seconds())
    return JsonResponse({"code": code.code, "expires_in": expires_in})


urlpatterns = [
    path("", index),
    path("health", health),
    path("reset", reset),
    path("knobs", knobs_view),
    path("users/<str:email>/deactivate", user_deactivate),
    path("users/<str:email>/activate", user_activate),
    path("users/<str:email>/time_zone", user_time_zone),
    path("clock", clock_view),
    path("stats", stats),
    path("calls", calls),
    path("clients", clients),
    path("tokens", issue_tokens),
    path("selfclient", selfclient),
    path("admin/knobs", admin_knobs),
    path("admin/users/<str:email>", admin_user),
]
