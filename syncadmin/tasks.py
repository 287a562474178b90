"""Celery tasks: thin wrappers that reload a row and call one service."""

from celery import shared_task

from syncadmin import connections, services


@shared_task(name="syncadmin.tasks.heartbeat")
def heartbeat() -> None:
    """Prove the worker and beat are alive; the overview shows the last beat."""
    services.worker_heartbeat_record()


@shared_task(name="syncadmin.tasks.connections_health_check")
def connections_health_check() -> int:
    """Record who is connected and whether each connection still works."""
    return connections.connections_health_check_due()


@shared_task(name="syncadmin.tasks.inbox_process")
def inbox_process(delivery_id: int) -> None:
    """Push the records one stored CRM delivery names (claims the row; a rerun no-ops)."""
    from syncadmin.sync import intake

    intake.inbox_process(delivery_id)


@shared_task(name="syncadmin.tasks.writeback_flush")
def writeback_flush(organization_id: str) -> int:
    """Send the organisation's owed write-backs to CRM, 100 per call."""
    from syncadmin.sync import writeback

    return writeback.writeback_flush(organization_id=organization_id)


@shared_task(name="syncadmin.tasks.record_push")
def record_push(organization_id: str, module: str, crm_id: str, trigger: str = "system") -> str:
    """Push one CRM record (reading it from CRM first)."""
    from syncadmin.sync.push import record_push as push

    return push(
        organization_id=organization_id, module=module, crm_id=crm_id, trigger=trigger
    ).outcome


@shared_task(name="syncadmin.tasks.alerts_evaluate")
def alerts_evaluate() -> int:
    """Email admins about alert state changes (a handful of small queries)."""
    from syncadmin.diagnostics import alerts

    return len(alerts.alerts_evaluate())


@shared_task(name="syncadmin.tasks.diagnostics_refresh")
def diagnostics_refresh() -> None:
    """Re-read the mirrors for the checklist (full scans: seconds on a million links)."""
    from syncadmin.diagnostics import facts

    facts.facts_get(fresh=True)


@shared_task(name="syncadmin.tasks.mirror_run")
def mirror_run(run_id: int) -> None:
    """Run or resume one mirror run from its cursor (claims the run; a rerun no-ops)."""
    from syncadmin.sync import mirror

    mirror.mirror_execute(run_id=run_id)


@shared_task(name="syncadmin.tasks.failures_retry")
def failures_retry() -> int:
    """Beat, every minute: retry the failures whose backoff has passed."""
    from syncadmin.sync import reconcile

    return reconcile.failures_retry_due()


@shared_task(name="syncadmin.tasks.reconcile_schedule")
def reconcile_schedule() -> int:
    """Beat: queue a reconcile per organisation, and resume mirror runs whose worker died."""
    from syncadmin.sync import mirror, reconcile

    for run_id in mirror.mirror_stale_ids():
        mirror_run.delay_on_commit(run_id)
    run_ids = reconcile.reconcile_all()
    for run_id in run_ids:
        reconcile_run.delay_on_commit(run_id)
    return len(run_ids)


@shared_task(name="syncadmin.tasks.reconcile_run")
def reconcile_run(run_id: int) -> None:
    """One organisation's reconcile (claims the run; a rerun no-ops)."""
    from syncadmin.sync import reconcile

    reconcile.reconcile_execute(run_id=run_id)


@shared_task(name="syncadmin.tasks.channels_renew")
def channels_renew() -> int:
    """Beat: subscribe or extend CRM notification channels with under a day left."""
    from syncadmin.sync import channel

    return len(channel.channels_renew_due())


@shared_task(name="syncadmin.tasks.money_schedule")
def money_schedule() -> int:
    """Beat: queue a money write-back per organisation that wants it."""
    from syncadmin.sync import money

    run_ids = money.money_all()
    for run_id in run_ids:
        money_run.delay_on_commit(run_id)
    return len(run_ids)


@shared_task(name="syncadmin.tasks.money_run")
def money_run(run_id: int) -> None:
    """Write one organisation's Books money to CRM (claims the run; a rerun no-ops)."""
    from syncadmin.sync import money

    money.money_execute(run_id=run_id)


@shared_task(name="syncadmin.tasks.match_run")
def match_run(run_id: int) -> None:
    """Match one organisation's mirrors and store the clusters (claims the run; resumes
    after the last stored batch; a rerun no-ops)."""
    from syncadmin.sync import match_runs

    match_runs.match_run_execute(run_id=run_id)


@shared_task(name="syncadmin.tasks.match_schedule")
def match_schedule() -> int:
    """Beat: re-match each organisation whose mirrors changed since its last match run,
    and re-deliver match runs whose worker died (they resume)."""
    from syncadmin.sync import match_runs

    for run_id in match_runs.match_runs_stale():
        match_run.delay_on_commit(run_id)
    return len(match_runs.match_all_if_changed())


@shared_task(
    name="syncadmin.tasks.cleanup_plan_run",
    bind=True,
    max_retries=8,
)
def cleanup_plan_run(self, plan_id: int) -> None:
    """Run or resume an executing cleanup plan (claims the plan; a second delivery while
    the first is alive no-ops). Transient Zoho errors retry with backoff and jitter."""
    import random

    from syncadmin.cleanup import execute
    from syncadmin.zoho.errors import TransientZohoError

    try:
        execute.plan_execute(plan_id=plan_id)
    except TransientZohoError as exc:
        delay = min(600, 30 * 2**self.request.retries) * (0.5 + random.random())
        raise self.retry(exc=exc, countdown=delay) from exc


@shared_task(name="syncadmin.tasks.cleanup_resume_stale")
def cleanup_resume_stale() -> int:
    """Beat: deliver again the executing cleanup plans whose worker died (they resume)."""
    from syncadmin.cleanup import execute

    ids = execute.plans_stale()
    for plan_id in ids:
        cleanup_plan_run.delay_on_commit(plan_id)
    return len(ids)
