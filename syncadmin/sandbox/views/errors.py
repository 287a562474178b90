"""Zoho-shaped answers for unknown URLs and crashes, by service prefix."""

from django.http import HttpRequest, HttpResponse, JsonResponse

from ..api import books_error, crm_error


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/crm/"):
        message = "Please check if the URL trying to access is a correct one"
        return crm_error("INVALID_URL_PATTERN", message, 404)
    if request.path.startswith("/books/"):
        # code 5 is UNCERTAIN (zoho-api.md §3.9); clients must key off the 404
        return books_error(5, "Invalid URL Passed", 404)
    return JsonResponse({"error": "not found", "path": request.path}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/crm/"):
        return crm_error("INTERNAL_ERROR", "Internal Server Error", 500)
    if request.path.startswith("/books/"):
        return books_error(1000, "Internal error", 500)
    return JsonResponse({"error": "internal error"}, status=500)
