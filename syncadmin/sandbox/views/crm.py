"""Zoho CRM v8 (/crm/v8/…)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from .. import clock
from ..api import crm_endpoint, crm_error, crm_json, crm_no_content
from ..models import SandboxUser

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


urlpatterns = [
    path("users", users),
]
