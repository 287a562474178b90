"""CRM's deliveries: workflow webhooks and notification callbacks. No session, no CSRF:
each delivery authenticates with its organisation's secret (see ``sync.intake``)."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from syncadmin.sync import intake


def _too_large(request: HttpRequest) -> JsonResponse | None:
    length = int(request.headers.get("Content-Length") or 0)
    if length > settings.INBOX_MAX_BYTES or len(request.body) > settings.INBOX_MAX_BYTES:
        limit = settings.INBOX_MAX_BYTES // 1024
        return JsonResponse({"error": f"The body is larger than {limit} KB."}, status=413)
    return None


def _answer(accepted: intake.Accepted) -> JsonResponse:
    status = "duplicate" if accepted.duplicate else "accepted"
    return JsonResponse({"status": status, "delivery": accepted.delivery.pk}, status=202)


@csrf_exempt
@login_not_required
@require_POST
def webhook(request: HttpRequest, organization_id: str) -> JsonResponse:
    if refusal := _too_large(request):
        intake.reject_oversized(organization_id, request.META.get("REMOTE_ADDR"))
        return refusal
    try:
        accepted = intake.webhook_receive(
            organization_id=organization_id,
            body=request.body,
            content_type=request.content_type or "",
            headers=dict(request.headers),
            query=request.GET.dict(),
            remote_addr=request.META.get("REMOTE_ADDR"),
        )
    except intake.Refused as refusal:
        return JsonResponse({"error": str(refusal)}, status=refusal.status)
    return _answer(accepted)


@csrf_exempt
@login_not_required
@require_POST
def notify(request: HttpRequest, organization_id: str) -> JsonResponse:
    if refusal := _too_large(request):
        intake.reject_oversized(organization_id, request.META.get("REMOTE_ADDR"))
        return refusal
    try:
        accepted = intake.notification_receive(
            organization_id=organization_id,
            body=request.body,
            remote_addr=request.META.get("REMOTE_ADDR"),
        )
    except intake.Refused as refusal:
        return JsonResponse({"error": str(refusal)}, status=refusal.status)
    return _answer(accepted)
