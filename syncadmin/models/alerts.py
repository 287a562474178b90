"""What the alerting last told admins, so each state change is notified exactly once."""

from django.db import models


class AlertState(models.Model):
    # "connection:3", "channel:20099000001", "failures:jump", "pause:20099000001" …
    key = models.CharField(max_length=120, unique=True)
    firing = models.BooleanField(default=False)
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    changed_at = models.DateTimeField()
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["firing"])]

    def __str__(self) -> str:
        return f"{self.key}: {'firing' if self.firing else 'ok'}"
