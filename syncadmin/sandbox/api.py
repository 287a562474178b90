"""Shared request plumbing for the CRM and Books views.

A view decorated with `crm_endpoint(...)` or `books_endpoint(...)` is guaranteed that, by
the time it runs:

* the latency and 5xx knobs have been applied;
* the `Authorization: Zoho-oauthtoken <token>` header named a live access token of an
  active user holding the required scope, or the caller already got Zoho's exact error
  (CRM string-code envelope, Books numeric-code envelope);
* the org is resolved (`ctx.crm_org` from the user; `ctx.books_org` from the
  `organization_id` parameter, or code 6041);
* the `forced_429` knob has been honoured, then the endpoint's `gate` has let it through;
* whatever it returns (or raises as `ApiError`) is logged as one `ApiCall` row.

Views reach the call's state as `request.zoho` (a `CallContext`); CRM views set
`ctx.credits` is the call's CRM cost, known before the gate (`crm_endpoint(cost=…)`
prices bulk writes from the body). Limit enforcement is the gate's job: a gate is a callable
`gate(ctx)` returning a context manager that yields None to proceed or an error response
to refuse; it stays entered while the view runs, so concurrency slots are released after.
"""

import json
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import wraps
from urllib.parse import parse_qs

from django.http import HttpRequest, HttpResponse, JsonResponse

from . import clock, knobs, limits
from .models import AccessToken, ApiCall, BooksOrg, CrmOrg, SandboxUser
from .models.control import Forced429, Service
from .scopes import has_scope, scope_covers  # noqa: F401  (re-exported for views)

AUTH_PREFIX = "Zoho-oauthtoken "


class ApiError(Exception):
    """Raise anywhere below a decorated view to answer with `response` at once."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__(getattr(response, "zoho_code", ""))
        self.response = response


@dataclass
class CallContext:
    service: str
    user: SandboxUser | None = None
    token: AccessToken | None = None
    scopes: frozenset[str] = frozenset()
    org_id: str = ""
    crm_org: CrmOrg | None = None
    books_org: BooksOrg | None = None
    credits: int = 0
    extra: dict = field(default_factory=dict)  # free space for gates and views
    # run once the call's ApiCall row is written (a gate's reservation ends there)
    after_log: list[Callable[[], None]] = field(default_factory=list)


Gate = Callable[[CallContext], AbstractContextManager[HttpResponse | None]]


def no_gate(ctx: CallContext) -> AbstractContextManager[HttpResponse | None]:
    return nullcontext(None)


# ---------------------------------------------------------------- response envelopes


def _tag(response: HttpResponse, code: str) -> HttpResponse:
    response.zoho_code = code  # read by the ApiCall log, saves re-parsing the body
    return response


def crm_json(payload: dict, status: int = 200, code: str = "") -> HttpResponse:
    return _tag(JsonResponse(payload, status=status), code)


def crm_no_content(status: int = 204) -> HttpResponse:
    """204 (no records) or 304 (not modified): an empty body, as Zoho sends."""
    return _tag(HttpResponse(status=status), "")


def crm_error(code: str, message: str, status: int, details: dict | None = None) -> HttpResponse:
    """CRM's top-level error: {"code": "X", "details": {}, "message": "…", "status": "error"}."""
    body = {"code": code, "details": details or {}, "message": message, "status": "error"}
    return _tag(JsonResponse(body, status=status), code)


def books_json(payload: dict | None = None, message: str = "success", status: int = 200):
    """Books success: {"code": 0, "message": …, **payload}."""
    body = {"code": 0, "message": message, **(payload or {})}
    return _tag(JsonResponse(body, status=status), "0")


def books_error(code: int, message: str, status: int = 400) -> HttpResponse:
    return _tag(JsonResponse({"code": code, "message": message}, status=status), str(code))


CRM_429_MESSAGE = (
    "Number of API requests for the 24 hour period is exceeded or the concurrency limit "
    "of the user for the app is exceeded."
)


def crm_too_many_requests() -> HttpResponse:
    return crm_error("TOO_MANY_REQUESTS", CRM_429_MESSAGE, 429)


def books_limit_error(code: int, org: BooksOrg | None = None) -> HttpResponse:
    """HTTP 429 with code 44 (per minute), 45 (daily, names the plan cap) or 1070."""
    if code == 44:
        message = (
            "For security reasons your organization has been blocked as it have exceeded "
            "the maximum number of requests per minute that can originate from an "
            "organization."
        )
    elif code == 45:
        cap = limits.books_daily_cap(org) if org else 1000
        message = (
            "The API call for this organization has exceeded the maximum call rate "
            f"limit of {cap:,}."
        )
    else:
        message = (
            "You have reached the maximum number of in process requests allowed. "
            "Kindly try again after some time."
        )
    return books_error(code, message, 429)


def books_not_found(entity: str) -> HttpResponse:
    """Code 1002 "<Entity> does not exist." with the status chosen by the knob."""
    return books_error(1002, f"{entity} does not exist.", knobs.get().books_1002_status)


def _raw_body(request: HttpRequest, service: str) -> bytes:
    """The JSON text of the body. Whatever the Content-Type (or none), as Zoho reads it;
    for Books also the legacy form field `JSONString=<json>` (§3.1: older clients)."""
    raw = request.body or b"{}"
    if service == Service.BOOKS and not raw.lstrip().startswith(b"{") and b"JSONString=" in raw:
        values = parse_qs(raw.decode("utf-8", "replace")).get("JSONString")
        if values:
            return values[0].encode()
    return raw


def parse_json_body(request: HttpRequest, service: str) -> dict:
    """The JSON object body, or ApiError (Books 1038, CRM INVALID_DATA)."""
    try:
        body = json.loads(_raw_body(request, service))
        if isinstance(body, dict):
            return body
    except ValueError:
        pass
    if service == Service.BOOKS:
        raise ApiError(books_error(1038, "JSON is not well formed"))
    raise ApiError(crm_error("INVALID_DATA", "body is not a valid JSON object", 400))


# ---------------------------------------------------------------- authentication


def authenticate(request: HttpRequest) -> AccessToken | str:
    """The live access token named by the header, or why not: "missing" (no or garbled
    header), "invalid" (unknown, expired or revoked) or "deactivated" (user inactive)."""
    header = request.headers.get("Authorization", "")
    if not header.startswith(AUTH_PREFIX) or not header[len(AUTH_PREFIX) :].strip():
        return "missing"
    token = (
        AccessToken.objects.select_related("user", "user__crm_org")
        .filter(token=header[len(AUTH_PREFIX) :].strip())
        .first()
    )
    if token is None or token.expires_at <= clock.now():
        return "invalid"
    if not token.user.active:  # before revocation: the §1.7 knobs cover revoked tokens too
        return "deactivated"
    if token.revoked_at is not None:
        return "invalid"
    return token


_BOOKS_14 = (
    "The request could not be authenticated as the authentication value you entered is "
    "invalid. Enter a valid authentication value and try again."
)
_BOOKS_57 = "You are not authorized to perform this operation"


def books_auth_error(reason: str) -> HttpResponse:
    code = 14 if reason == "missing" else 57
    if reason == "deactivated":
        code = knobs.get().deactivated_books_code
    return books_error(code, _BOOKS_14 if code == 14 else _BOOKS_57, 401)


def crm_auth_error(reason: str) -> HttpResponse:
    code = {"missing": "AUTHENTICATION_FAILURE", "invalid": "INVALID_TOKEN"}.get(reason)
    if reason == "deactivated":
        code = knobs.get().deactivated_crm_code
    if code == "AUTHENTICATION_FAILURE":
        return crm_error(code, "Authentication failed", 401)
    return crm_error("INVALID_TOKEN", "invalid oauth token", 401)


def crm_scope_error() -> HttpResponse:
    return crm_error("OAUTH_SCOPE_MISMATCH", "invalid oauth scope to access this URL", 401)


# ---------------------------------------------------------------- concurrency hook


class InFlight:
    """In-process count of running calls per key (e.g. ("books", org_id)). Exact because
    the sandbox serves from one process; this is what 1070 and CRM concurrency key off."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[object, int] = defaultdict(int)

    @contextmanager
    def slot(self, key: object, limit: int) -> Iterator[bool]:
        """Yields True and holds a slot if fewer than `limit` are running, else False."""
        with self._lock:
            acquired = self._counts[key] < limit
            if acquired:
                self._counts[key] += 1
        try:
            yield acquired
        finally:
            if acquired:
                with self._lock:
                    self._counts[key] -= 1

    def count(self, key: object) -> int:
        return self._counts.get(key, 0)


inflight = InFlight()


# ---------------------------------------------------------------- the decorators


def log_call(
    *,
    service: str,
    request: HttpRequest,
    response: HttpResponse,
    started: float,
    org_id: str = "",
    user_zuid: str = "",
    credits: int = 0,
) -> None:
    """Write the ApiCall row for one answered call (the accounts views call it directly)."""
    ApiCall.objects.create(
        at=clock.now(),
        service=service,
        org_id=org_id,
        user_zuid=user_zuid,
        method=request.method or "",
        path=request.path[:300],
        http_status=response.status_code,
        code=getattr(response, "zoho_code", ""),
        credits=credits,
        duration_ms=int((time.monotonic() - started) * 1000),
    )


def simulate_weather() -> None:
    """Apply the latency knob (sleep). Endpoints sleep inside their gate, so a slow call
    holds its concurrency slot as a slow Zoho call would (1070, TOO_MANY_REQUESTS)."""
    latency = knobs.get().latency_ms
    if latency:
        time.sleep(latency / 1000)


def _should_fail_5xx() -> bool:
    rate = knobs.get().error_5xx_rate
    return rate > 0 and random.random() < rate


def _resolve_books_org(ctx: CallContext, request: HttpRequest) -> None:
    org_id = request.GET.get("organization_id", "")
    ctx.org_id = org_id
    org = BooksOrg.objects.filter(organization_id=org_id, users=ctx.user).first()
    if org is None:
        message = f"This user is not associated with the CompanyID/CompanyName:{org_id}."
        raise ApiError(books_error(6041, message, 400))
    ctx.books_org = org


def _forced_429(ctx: CallContext) -> HttpResponse | None:
    forced = knobs.get().forced_429
    if ctx.service == Service.CRM and forced == Forced429.CRM:
        return crm_too_many_requests()
    books_codes = {
        Forced429.BOOKS_MINUTE: 44,
        Forced429.BOOKS_DAILY: 45,
        Forced429.BOOKS_CONCURRENCY: 1070,
    }
    if ctx.service == Service.BOOKS and forced in books_codes:
        return books_limit_error(books_codes[forced], ctx.books_org)
    return None


Cost = Callable[[HttpRequest], int]


def _prepare(
    ctx: CallContext, request: HttpRequest, scope: str | None, needs_org: bool, cost: Cost | None
):
    """Everything before the gate; returns an error response or None."""
    crm = ctx.service == Service.CRM
    if _should_fail_5xx():
        if crm:
            return crm_error("INTERNAL_ERROR", "Internal Server Error", 500)
        return books_error(1000, "Internal error", 500)
    token = authenticate(request)
    if isinstance(token, str):
        return crm_auth_error(token) if crm else books_auth_error(token)
    ctx.token, ctx.user, ctx.scopes = token, token.user, frozenset(token.scopes)
    if scope and not has_scope(ctx.scopes, scope):
        return crm_scope_error() if crm else books_auth_error("invalid")
    if crm:
        ctx.crm_org = token.user.crm_org
        ctx.org_id = ctx.crm_org.org_id if ctx.crm_org else ""
        ctx.credits = cost(request) if cost else 1
    elif needs_org:
        _resolve_books_org(ctx, request)
    return _forced_429(ctx)


def _endpoint(
    service: str, scope: str | None, needs_org: bool, gate: Gate | None, cost: Cost | None = None
):
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            started = time.monotonic()
            ctx = CallContext(service=service)
            request.zoho = ctx
            required = scope.format(**kwargs) if scope else None
            try:
                response = _prepare(ctx, request, required, needs_org, cost)
                if response is None:
                    with (gate or no_gate)(ctx) as refusal:
                        if refusal is None:
                            simulate_weather()
                        response = refusal or view(request, *args, **kwargs)
            except ApiError as exc:
                response = exc.response
            if response.status_code == 429 or ctx.user is None:
                ctx.credits = 0  # refused calls are not charged
            try:
                log_call(
                    service=service,
                    request=request,
                    response=response,
                    started=started,
                    org_id=ctx.org_id,
                    user_zuid=ctx.user.zuid if ctx.user else "",
                    credits=ctx.credits,
                )
            finally:
                for hook in ctx.after_log:
                    hook()
            return response

        return wrapper

    return decorator


def crm_endpoint(scope: str | None = None, gate: Gate | None = None, cost: Cost | None = None):
    """Decorate a CRM v8 view. `scope` may name URL kwargs, e.g.
    "ZohoCRM.modules.{module}.READ" (matching is case-insensitive). `cost` prices the
    call in credits from the request (default 1), before the gate sees it."""
    return _endpoint(Service.CRM, scope, needs_org=False, gate=gate, cost=cost)


def books_endpoint(scope: str | None = None, needs_org: bool = True, gate: Gate | None = None):
    """Decorate a Books v3 view; `needs_org=False` only for GET /organizations."""
    return _endpoint(Service.BOOKS, scope, needs_org=needs_org, gate=gate)
