"""Zoho Accounts OAuth server (/oauth/…, zoho-api.md §1): the consent page, the token
endpoint, revocation and the DC lookup. Every call is logged as service "accounts"."""

import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..api import log_call, simulate_weather
from ..models.accounts import DataCentre
from ..models.control import Service
from ..oauth import authorize, grants


def _logged(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Apply the latency knob and write one ApiCall row (service "accounts") per call, so
    benchmarks can count token-endpoint calls with /_sandbox/stats?service=accounts."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        started = time.monotonic()
        request.accounts_zuid = ""
        simulate_weather()
        response = view(request, *args, **kwargs)
        log_call(
            service=Service.ACCOUNTS,
            request=request,
            response=response,
            started=started,
            user_zuid=request.accounts_zuid,
        )
        return response

    return wrapper


def _param(request: HttpRequest, name: str) -> str:
    """Token-endpoint parameters come as a form body (the SDK) or a query string (most
    docs); Zoho accepts both (§1.3)."""
    return request.POST.get(name) or request.GET.get(name, "")


def _answer(body: dict, status: int = 200, code: str = "") -> JsonResponse:
    response = JsonResponse(body, status=status)
    response.zoho_code = code  # read by the ApiCall log
    return response


def _oauth_error(exc: grants.OAuthError) -> JsonResponse:
    return _answer(exc.body, exc.status, exc.error)


def _error_page(request: HttpRequest, exc: authorize.AuthPageError) -> HttpResponse:
    context = {"title": exc.title, "detail": exc.detail}
    response = render(request, "sandbox/oauth_error.html", context, status=400)
    response.zoho_code = exc.title
    return response


@_logged
@require_http_methods(["GET", "POST"])
def auth(request: HttpRequest) -> HttpResponse:
    """GET shows the consent page; the page POSTs the same parameters back with the
    chosen `user` and `decision` (approve/deny), answered by a 302 to redirect_uri."""
    params = request.GET if request.method == "GET" else request.POST
    try:
        auth_request = authorize.auth_request_parse(params)
        if request.method == "GET":
            return _consent_page(request, auth_request)
        return _decide(request, auth_request)
    except authorize.AuthPageError as exc:
        return _error_page(request, exc)


def _consent_page(request: HttpRequest, auth_request: authorize.AuthRequest) -> HttpResponse:
    context = {
        "auth": auth_request,
        "params": auth_request.as_params(),
        "users": authorize.signable_users(),
    }
    return render(request, "sandbox/consent.html", context)


def _decide(request: HttpRequest, auth_request: authorize.AuthRequest) -> HttpResponse:
    denied = {"error": "access_denied"}  # UNCERTAIN (§1.2): standard OAuth, not captured
    if request.POST.get("decision") != "approve":
        return HttpResponseRedirect(authorize.callback_url(auth_request, denied))
    try:
        code = authorize.consent_approve(auth=auth_request, email=request.POST.get("user", ""))
    except authorize.AccessDenied:
        return HttpResponseRedirect(authorize.callback_url(auth_request, denied))
    request.accounts_zuid = code.user.zuid
    params = authorize.approved_params(code)
    return HttpResponseRedirect(authorize.callback_url(auth_request, params))


@_logged
@require_POST
def token(request: HttpRequest) -> HttpResponse:
    """authorization_code and refresh_token grants; errors are HTTP 200 bodies (§1.3)."""
    grant_type = _param(request, "grant_type")
    client = {
        "client_id": _param(request, "client_id"),
        "client_secret": _param(request, "client_secret"),
    }
    try:
        if grant_type == "authorization_code":
            minted = grants.token_for_code(
                **client, code=_param(request, "code"), redirect_uri=_param(request, "redirect_uri")
            )
        elif grant_type == "refresh_token":
            minted = grants.token_for_refresh(
                **client, refresh_token=_param(request, "refresh_token")
            )
        else:
            raise grants.OAuthError("unsupported_grant_type")  # UNCERTAIN: standard OAuth
    except grants.OAuthError as exc:
        return _oauth_error(exc)
    request.accounts_zuid = minted.user_zuid
    return _answer(minted.body)


@_logged
@require_POST
def revoke(request: HttpRequest) -> HttpResponse:
    """§1.5: `?token=<refresh_token>` → {"status": "success"}."""
    try:
        request.accounts_zuid = grants.token_revoke(token=_param(request, "token"))
    except grants.OAuthError as exc:
        return _oauth_error(exc)
    return _answer({"status": "success"})


@_logged
@require_GET
def serverinfo(request: HttpRequest) -> HttpResponse:
    """§1.1 DC lookup: every data centre's accounts server is this sandbox."""
    locations = {dc.value: settings.SANDBOX_PUBLIC_URL for dc in DataCentre}
    return _answer({"result": "success", "locations": locations})


urlpatterns = [
    path("v2/auth", auth),
    path("v2/token", token),
    path("v2/token/revoke", revoke),
    path("serverinfo", serverinfo),
]
