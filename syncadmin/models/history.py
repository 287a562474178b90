"""Sync runs, per-record events inside them, and the failure log."""

from django.conf import settings
from django.db import models

from syncadmin.models.mapping import RecordLink
from syncadmin.models.mirror import BooksContact, CrmRecord


class RunKind(models.TextChoices):
    MIRROR_CRM = "mirror_crm", "Mirror CRM"
    MIRROR_BOOKS = "mirror_books", "Mirror Books"
    PUSH = "push", "Push to Books"
    REIMPORT = "reimport", "Re-import via CRM import"
    RECONCILE = "reconcile", "Reconcile"
    HEALTH = "health", "Health check"
    CLEANUP = "cleanup", "Duplicate cleanup"


class RunTrigger(models.TextChoices):
    SCHEDULE = "schedule", "Schedule"
    WEBHOOK = "webhook", "CRM webhook"
    MANUAL = "manual", "Manual"
    SYSTEM = "system", "System"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    PARTIAL = "partial", "Partly failed"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class SyncRun(models.Model):
    kind = models.CharField(max_length=16, choices=RunKind.choices)
    trigger = models.CharField(max_length=16, choices=RunTrigger.choices)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # A worker refreshes this while it runs, so a crashed run can be told from a slow one.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    processed = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    summary = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["status"]), models.Index(fields=["-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"


class EventOutcome(models.TextChoices):
    CREATED = "created", "Created"
    UPDATED = "updated", "Updated"
    LINKED = "linked", "Linked"
    UNCHANGED = "unchanged", "Unchanged"
    SKIPPED = "skipped", "Skipped"
    FAILED = "failed", "Failed"


class SyncEvent(models.Model):
    run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=16, choices=EventOutcome.choices)
    crm_record = models.ForeignKey(CrmRecord, null=True, blank=True, on_delete=models.SET_NULL)
    books_contact = models.ForeignKey(
        BooksContact, null=True, blank=True, on_delete=models.SET_NULL
    )
    link = models.ForeignKey(RecordLink, null=True, blank=True, on_delete=models.SET_NULL)
    message = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["run", "outcome"])]

    def __str__(self) -> str:
        return f"{self.outcome} in run {self.run_id}"


class SyncFailure(models.Model):
    run = models.ForeignKey(SyncRun, null=True, blank=True, on_delete=models.SET_NULL)
    link = models.ForeignKey(RecordLink, null=True, blank=True, on_delete=models.SET_NULL)
    crm_record = models.ForeignKey(CrmRecord, null=True, blank=True, on_delete=models.SET_NULL)
    books_contact = models.ForeignKey(
        BooksContact, null=True, blank=True, on_delete=models.SET_NULL
    )
    operation = models.CharField(max_length=32)
    reason_code = models.CharField(max_length=48, help_text="Stable syncadmin reason code")
    zoho_code = models.CharField(max_length=48, blank=True)
    zoho_message = models.TextField(blank=True)
    explanation = models.TextField()
    suggested_fix = models.TextField()
    transient = models.BooleanField(default=False)
    attempts = models.PositiveIntegerField(default=1)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now_add=True)
    next_retry_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(max_length=120, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["reason_code"]),
            models.Index(fields=["resolved_at"]),
            models.Index(fields=["next_retry_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.reason_code} on {self.operation}"
