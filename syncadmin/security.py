"""Who is asking: the client address behind our trusted proxies (login throttling)."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The address that reached our first trusted proxy.

    With ``TRUSTED_PROXY_COUNT`` proxies in front, each appends the address it saw to
    X-Forwarded-For, so the entry that many places from the right is the client's; anything
    further left was written by the client and proves nothing.
    """
    peer = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_COUNT
    if not hops:
        return peer
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    return forwarded[-hops] if len(forwarded) >= hops else peer
