"""The failure log: one open row per record and reason, bumped on repeats, resolved by a
later success or by a person."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from syncadmin.models import BooksContact, CrmRecord, RecordLink, SyncFailure, SyncRun
from syncadmin.sync.reasons import Kind, reason
from syncadmin.zoho.errors import ZohoError

BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 6 * 3600


def failure_key(*, organization_id: str, subject: str, reason_code: str) -> str:
    """``subject`` names the record: "Accounts:123" for CRM, "books:456" for Books."""
    return f"{organization_id}:{subject}:{reason_code}"


def next_retry(attempts: int, *, now: datetime | None = None) -> datetime:
    """Exponential backoff with full jitter, so a burst of failures does not retry in step."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1))
    return (now or timezone.now()) + timedelta(seconds=random.uniform(ceiling / 2, ceiling))


def failure_record(
    *,
    organization_id: str,
    subject: str,
    operation: str,
    reason_code: str,
    error: ZohoError | None = None,
    crm_record: CrmRecord | None = None,
    books_contact: BooksContact | None = None,
    link: RecordLink | None = None,
    run: SyncRun | None = None,
    details: dict[str, Any] | None = None,
    retry_at: datetime | None = None,
) -> SyncFailure:
    """Record that ``subject`` failed for ``reason_code``.

    Guarantees: at most one open failure per (organisation, subject, reason) — a repeat
    bumps ``attempts`` and ``last_seen_at`` and keeps the first row; transient reasons get a
    ``next_retry_at`` with backoff and jitter (or ``retry_at`` when the caller knows when
    the budget frees up); permanent ones wait for a person (no retry time).
    """
    entry = reason(reason_code)
    key = failure_key(organization_id=organization_id, subject=subject, reason_code=reason_code)
    transient = entry.kind is Kind.TRANSIENT
    fields = {
        "operation": operation,
        "organization_id": organization_id,
        "reason_code": entry.code if entry.code != "unknown" else reason_code,
        "zoho_code": error.zoho_code if error else "",
        "zoho_message": error.zoho_message if error else "",
        "explanation": entry.explanation,
        "suggested_fix": entry.fix,
        "transient": transient,
        "raw_answer": _raw(error),
        "details": details or {},
        "crm_record": crm_record,
        "books_contact": books_contact,
        "link": link,
        "run": run,
    }
    existing = SyncFailure.objects.filter(open_key=key, resolved_at__isnull=True).first()
    if existing:
        return _bump(existing, fields, transient, retry_at)
    try:
        with transaction.atomic():
            return SyncFailure.objects.create(
                open_key=key,
                next_retry_at=(retry_at or next_retry(1)) if transient else None,
                **fields,
            )
    except IntegrityError:  # another worker opened it a moment ago: bump theirs
        existing = SyncFailure.objects.get(open_key=key, resolved_at__isnull=True)
        return _bump(existing, fields, transient, retry_at)


def _bump(failure: SyncFailure, fields: dict, transient: bool, retry_at) -> SyncFailure:
    now = timezone.now()
    attempts = failure.attempts + 1
    updates = {k: v for k, v in fields.items() if v is not None}
    updates["next_retry_at"] = (retry_at or next_retry(attempts, now=now)) if transient else None
    SyncFailure.objects.filter(pk=failure.pk).update(
        attempts=F("attempts") + 1, last_seen_at=now, **updates
    )
    failure.refresh_from_db()
    return failure


def _raw(error: ZohoError | None) -> dict | None:
    if error is None:
        return None
    return {
        "http_status": error.http_status,
        "code": error.zoho_code,
        "message": error.zoho_message,
        "reason": error.reason.code,
    }


def failures_resolve(
    *,
    organization_id: str,
    subject: str,
    resolution: str,
    reason_codes: list[str] | None = None,
    except_codes: list[str] | None = None,
    operation: str = "",
    actor=None,
) -> int:
    """Close the open failures of ``subject`` (all, or those with ``reason_codes``, not
    ``except_codes``, of ``operation``); a later success calls this. Returns how many."""
    open_rows = SyncFailure.objects.filter(
        open_key__startswith=f"{organization_id}:{subject}:", resolved_at__isnull=True
    )
    if reason_codes is not None:
        open_rows = open_rows.filter(reason_code__in=reason_codes)
    if except_codes:
        open_rows = open_rows.exclude(reason_code__in=except_codes)
    if operation:
        open_rows = open_rows.filter(operation=operation)
    return open_rows.update(
        resolved_at=timezone.now(), resolution=resolution[:120], resolved_by=actor,
        next_retry_at=None,
    )  # fmt: skip


def failures_due(*, now: datetime | None = None, limit: int = 500) -> list[SyncFailure]:
    """Open transient failures whose retry time has come, oldest first."""
    return list(
        SyncFailure.objects.filter(
            resolved_at__isnull=True, next_retry_at__lte=now or timezone.now()
        ).order_by("next_retry_at")[:limit]
    )
