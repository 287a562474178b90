"""Celery tasks: thin wrappers that reload a row and call one service."""

from celery import shared_task

from syncadmin import services


@shared_task(name="syncadmin.tasks.heartbeat")
def heartbeat() -> None:
    """Prove the worker and beat are alive; the overview shows the last beat."""
    services.worker_heartbeat_record()
