"""Write-side operations. Each one says what it guarantees."""

from __future__ import annotations

import socket
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from syncadmin.models import AuditEvent, WorkerHeartbeat


def audit_record(
    *,
    actor: AbstractBaseUser | None,
    action: str,
    target_type: str,
    target_id: str | int,
    target_label: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEvent:
    """Append one audit row. Rows are never updated or deleted by the product."""
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=actor.get_username() if actor else "system",
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        target_label=target_label,
        before=before,
        after=after,
        note=note,
    )


def worker_heartbeat_record() -> None:
    """Keep exactly one heartbeat row carrying the latest beat time."""
    WorkerHeartbeat.objects.update_or_create(
        pk=1, defaults={"beat_at": timezone.now(), "hostname": socket.gethostname()}
    )
