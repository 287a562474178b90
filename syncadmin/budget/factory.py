"""The product's budget: one backend per process, chosen by ``settings.REDIS_URL``."""

from __future__ import annotations

import threading

from syncadmin.budget.gate import Backend, Lane, OrgGate
from syncadmin.budget.limits import Limits, Service, Usage, default_limits
from syncadmin.budget.memory_store import MemoryBackend
from syncadmin.budget.redis_store import RedisBackend

_backend: Backend | None = None
_backend_lock = threading.Lock()


def backend() -> Backend:
    """The process's backend: Redis at ``settings.REDIS_URL``, else in-process memory."""
    global _backend
    with _backend_lock:
        if _backend is None:
            from django.conf import settings

            url = getattr(settings, "REDIS_URL", None)
            if url:
                import redis

                _backend = RedisBackend(redis.Redis.from_url(url))
            else:
                _backend = MemoryBackend()
        return _backend


def gate(
    *,
    service: Service,
    org_id: str,
    lane: Lane = "realtime",
    limits: Limits | None = None,
    timeout: float = 30.0,
) -> OrgGate:
    """The budget gate to pass to ``zoho.books_client`` / ``zoho.crm_client``."""
    from django.conf import settings

    return OrgGate(
        backend(),
        service=service,
        org_id=org_id,
        limits=limits or default_limits(service),
        lane=lane,
        timeout=timeout,
        prefix=settings.BUDGET_KEY_PREFIX,
    )


def usage(service: Service, org_id: str, limits: Limits | None = None) -> Usage:
    """The organisation's budget right now, for the dashboard."""
    return gate(service=service, org_id=org_id, limits=limits).usage()
