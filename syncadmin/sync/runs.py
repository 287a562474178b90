"""Sync runs and their per-record events: what the History screen shows."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from syncadmin.models import EventOutcome, RunStatus, SyncEvent, SyncRun

COUNTER_FOR_OUTCOME = {
    EventOutcome.CREATED: "created_count",
    EventOutcome.UPDATED: "updated_count",
    EventOutcome.LINKED: "updated_count",
    EventOutcome.UNCHANGED: "skipped_count",
    EventOutcome.SKIPPED: "skipped_count",
    EventOutcome.FAILED: "failed_count",
}
STALE_AFTER = timedelta(minutes=5)
_rolling: dict[tuple, SyncRun] = {}


def run_create(
    *, kind: str, trigger: str, organization_id: str = "", user=None, total: int | None = None
) -> SyncRun:
    """A queued run; a task claims it with ``run_claim``."""
    return SyncRun.objects.create(
        kind=kind, trigger=trigger, organization_id=organization_id, triggered_by=user,
        total=total,
    )  # fmt: skip


def run_claim(run_id: int) -> SyncRun | None:
    """Claim a queued run, or take over one whose worker stopped beating (crashed).

    Guarantees: of any number of concurrent claimers, one gets the run; a second delivery
    of the same task finds it running with a fresh heartbeat and gets None.
    """
    now = timezone.now()
    claimable = SyncRun.objects.filter(pk=run_id).filter(
        status=RunStatus.QUEUED
    ) | SyncRun.objects.filter(
        pk=run_id, status=RunStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER
    )
    if not claimable.update(status=RunStatus.RUNNING, started_at=now, heartbeat_at=now):
        return None
    return SyncRun.objects.get(pk=run_id)


def run_beat(run: SyncRun, *, cursor: dict | None = None) -> None:
    """Prove the run is alive and, with ``cursor``, save where it would resume."""
    values = {"heartbeat_at": timezone.now()}
    if cursor is not None:
        values["cursor"] = run.cursor = cursor
    SyncRun.objects.filter(pk=run.pk).update(**values)


def run_event(
    run: SyncRun,
    *,
    outcome: str,
    key: str = "",
    message: str = "",
    crm_record=None,
    books_contact=None,
    link=None,
) -> bool:
    """Record one record's outcome in ``run`` and count it. With ``key``, a retried task
    records the same outcome once (returns False the second time)."""
    event = SyncEvent(
        run=run, outcome=outcome, idempotency_key=key, message=message[:2000],
        crm_record=crm_record, books_contact=books_contact, link=link,
    )  # fmt: skip
    if key:  # only a keyed event can collide with an earlier one
        try:
            with transaction.atomic():
                event.save(force_insert=True)
        except IntegrityError:
            return False
    else:
        event.save(force_insert=True)
    counter = COUNTER_FOR_OUTCOME[outcome]
    updates = {"processed": F("processed") + 1, counter: F(counter) + 1}
    if run.cursor.get("bucket"):  # a rolling run has no end: its status moves with events
        updates["finished_at"] = timezone.now()
        if outcome == EventOutcome.FAILED:
            updates["status"] = RunStatus.PARTIAL
    SyncRun.objects.filter(pk=run.pk).update(**updates)
    return True


def run_finish(run: SyncRun, *, summary: str = "", status: str | None = None) -> SyncRun:
    """Close the run: failed events make it partial unless told otherwise. Never left running."""
    run.refresh_from_db()
    if status is None:
        status = RunStatus.PARTIAL if run.failed_count else RunStatus.SUCCEEDED
    run.status, run.finished_at, run.summary = status, timezone.now(), summary[:2000]
    run.save(update_fields=["status", "finished_at", "summary"])
    return run


def runs_stale_fail(*, now=None) -> int:
    """Runs whose worker died and that no task will resume: mark failed, never stuck."""
    cutoff = (now or timezone.now()) - STALE_AFTER * 6
    return SyncRun.objects.filter(status=RunStatus.RUNNING, heartbeat_at__lt=cutoff).update(
        status=RunStatus.FAILED, finished_at=timezone.now(), summary="Worker stopped; not resumed."
    )


def run_rolling(*, kind: str, trigger: str, organization_id: str) -> SyncRun:
    """The hour's run for a stream of single-record work (real-time pushes): one row per
    hour and organisation instead of one per delivery. It is never "running", so nothing
    can leave it stuck; its counters and status move with each event."""
    now = timezone.now()
    bucket = now.strftime("%Y-%m-%dT%H")
    key = (kind, trigger, organization_id, bucket)
    if key in _rolling:  # the hour's run of this process, without a query per push
        return _rolling[key]
    found = SyncRun.objects.filter(
        kind=kind, trigger=trigger, organization_id=organization_id, cursor__bucket=bucket
    ).first()
    if found:
        _rolling.clear()
        _rolling[key] = found
        return found
    created = SyncRun.objects.create(
        kind=kind, trigger=trigger, organization_id=organization_id, status=RunStatus.SUCCEEDED,
        started_at=now, heartbeat_at=now, cursor={"bucket": bucket},
        summary=f"Real-time pushes, {bucket}:00 UTC hour",
    )  # fmt: skip
    _rolling.clear()
    _rolling[key] = created
    return created
