"""Liveness of the background worker, as the dashboard sees it."""

from django.db import models


class WorkerHeartbeat(models.Model):
    """One row, updated by the beat-scheduled heartbeat task."""

    beat_at = models.DateTimeField()
    hostname = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.hostname} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
