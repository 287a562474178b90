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
    WRITEBACK = "writeback", "Write-back to CRM"
    MONEY = "money", "Payment status to CRM"


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
    organization_id = models.CharField(max_length=40, blank=True, help_text="Books organisation")
    # Where a killed run picks up again (module, page token, watermark …), saved per page.
    cursor = models.JSONField(default=dict, blank=True)
    total = models.PositiveIntegerField(null=True, blank=True, help_text="Expected, if known")
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
        indexes = [
            models.Index(fields=["status"]),
            models.Index(fields=["-created_at"]),
            models.Index(fields=["kind", "status"]),
        ]

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
    # What happened to which record in this run (e.g. "push:Accounts:123"): a retried task
    # records its outcome once.
    idempotency_key = models.CharField(max_length=160, blank=True)

    class Meta:
        # crm_record is indexed as a foreign key already: a second index only slowed writes
        indexes = [models.Index(fields=["run", "outcome"])]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="one_event_per_key_per_run",
            )
        ]

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
    organization_id = models.CharField(max_length=40, blank=True, help_text="Books organisation")
    # "<org>:<module>:<crm id or contact id>:<reason>": one open failure per record and
    # reason; a repeat bumps attempts and last_seen_at instead of adding a row.
    open_key = models.CharField(max_length=200, blank=True)
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
    # Zoho's raw answer and what the fix needs (the colliding customer, a suggested name …).
    raw_answer = models.JSONField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["reason_code"]),
            models.Index(fields=["resolved_at"]),
            models.Index(fields=["next_retry_at"]),
            models.Index(fields=["-last_seen_at"]),
            # The failures page's summary (open failures by reason, with the latest) reads
            # this index alone instead of every open failure's row.
            models.Index(
                fields=["reason_code", "last_seen_at"],
                condition=models.Q(resolved_at__isnull=True),
                name="open_failure_by_reason",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["open_key"],
                condition=models.Q(resolved_at__isnull=True) & ~models.Q(open_key=""),
                name="one_open_failure_per_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reason_code} on {self.operation}"
