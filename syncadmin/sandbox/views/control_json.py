"""JSON in and out for the sandbox's own control routes (`/_sandbox/...`).

These are the sandbox's test-and-script API, not Zoho's, so they answer plain
`{"error": ...}` bodies rather than a Zoho envelope.
"""

import json

from django.http import HttpRequest, JsonResponse


def json_object(request: HttpRequest) -> dict:
    """The request's JSON object body (empty body: `{}`); ValueError for anything else."""
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ValueError("body must be a JSON object")
    return body


def bad_request(message: object, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)
