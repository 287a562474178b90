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
    """Refresh the diagnostic facts and email admins about alert state changes."""
    from syncadmin.diagnostics import alerts, facts

    facts.facts_get(fresh=True)
    return len(alerts.alerts_evaluate())
