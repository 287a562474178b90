"""CRM's deliveries: workflow webhooks and notification callbacks. No session, no CSRF:
each delivery authenticates with its organisation's secret (see ``sync.intake``)."""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from syncadmin.sync import intake


def _receive(request: HttpRequest, organization_id: str, receive: Callable) -> JsonResponse:
    """Size check, then the intake service; its refusals become their 4xx with the reason."""
    remote = request.META.get("REMOTE_ADDR")
    length = int(request.headers.get("Content-Length") or 0)
    if max(length, len(request.body)) > settings.INBOX_MAX_BYTES:
        intake.reject_oversized(organization_id, remote)
        limit = settings.INBOX_MAX_BYTES // 1024
        return JsonResponse({"error": f"The body is larger than {limit} KB."}, status=413)
    try:
        accepted = receive(organization_id=organization_id, remote_addr=remote)
    except intake.Refused as refusal:
        return JsonResponse({"error": str(refusal)}, status=refusal.status)
    status = "duplicate" if accepted.duplicate else "accepted"
    return JsonResponse({"status": status, "delivery": accepted.delivery.pk}, status=202)


@csrf_exempt
@login_not_required
@require_POST
def webhook(request: HttpRequest, organization_id: str) -> JsonResponse:
    def receive(**kwargs):
        return intake.webhook_receive(
            body=request.body, content_type=request.content_type or "",
            headers=dict(request.headers), query=request.GET.dict(), **kwargs,
        )  # fmt: skip

    return _receive(request, organization_id, receive)


@csrf_exempt
@login_not_required
@require_POST
def notify(request: HttpRequest, organization_id: str) -> JsonResponse:
    def receive(**kwargs):
        return intake.notification_receive(body=request.body, **kwargs)

    return _receive(request, organization_id, receive)
