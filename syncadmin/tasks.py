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
