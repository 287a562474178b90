"""Duplicate cleanup: stored match results for review, and the plans finance approves.

A match run (a ``SyncRun`` of kind ``cleanup``) stores ``MatchCluster`` rows with their
``MatchPair`` rows; reviewers decide each pair. Accepted clusters become ``PlanItem`` rows of
a ``CleanupPlan``, each with ordered ``PlanStep`` rows whose state is persisted, so an
execution killed at any point resumes without running a step twice.
"""

from django.conf import settings
from django.db import models

from syncadmin.models.history import SyncRun


class Review(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class MatchCluster(models.Model):
    """One duplicate cluster found over the mirrors, as the review queue shows it."""

    run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="clusters")
    organization_id = models.CharField(max_length=40)
    key = models.PositiveIntegerField()
    refs = models.JSONField(default=list)  # ["books:<id>", "crm:<id>", ...]
    direction = models.CharField(max_length=8)  # books / crm / both
    band = models.CharField(max_length=10)
    survivors = models.JSONField(default=dict)  # side → ref, as the reviewer leaves it
    proposed_survivors = models.JSONField(default=dict)  # side → ref, as the rules chose
    blockers = models.JSONField(default=list)
    evidence = models.JSONField(default=list)
    # What the records looked like when matched: a plan re-checks this before it runs.
    snapshot = models.JSONField(default=dict)
    invoice_count = models.PositiveIntegerField(default=0)
    outstanding = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    review = models.CharField(max_length=10, choices=Review.choices, default=Review.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    superseded = models.BooleanField(default=False, help_text="A newer run replaced it")

    class Meta:
        indexes = [
            models.Index(fields=["organization_id", "superseded", "review"]),
            models.Index(fields=["band"]),
            models.Index(fields=["-outstanding"]),
        ]

    def __str__(self) -> str:
        return f"Cluster {self.key} of run {self.run_id} ({self.band}, {self.review})"


class MatchPair(models.Model):
    cluster = models.ForeignKey(MatchCluster, on_delete=models.CASCADE, related_name="pairs")
    a = models.CharField(max_length=60)
    b = models.CharField(max_length=60)
    score = models.FloatField()
    band = models.CharField(max_length=10)
    evidence = models.JSONField(default=list)
    decision = models.CharField(max_length=10, choices=Review.choices, default=Review.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cluster", "a", "b"], name="one_pair_per_cluster")
        ]

    def __str__(self) -> str:
        return f"{self.a} ~ {self.b} ({self.band}, {self.decision})"


class PlanKind(models.TextChoices):
    CLEANUP = "cleanup", "Duplicate cleanup"
    RECONNECT = "reconnect", "Prepare a native reconnect"


class PlanState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    EXECUTING = "executing", "Executing"
    DONE = "done", "Done"
    PARTLY_FAILED = "partly_failed", "Partly failed"


class CleanupPlan(models.Model):
    kind = models.CharField(max_length=10, choices=PlanKind.choices, default=PlanKind.CLEANUP)
    organization_id = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    state = models.CharField(max_length=16, choices=PlanState.choices, default=PlanState.DRAFT)
    delete_losers = models.BooleanField(
        default=False, help_text="Delete Books losers nothing stands against, not deactivate"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)
    # The native contact sync has no API: a person confirms it is switched off.
    native_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    native_off_at = models.DateTimeField(null=True, blank=True)
    # CRM merges cannot be undone: confirmed on their own, after approval.
    merges_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merges_confirmed_at = models.DateTimeField(null=True, blank=True)
    preview = models.JSONField(default=dict, blank=True)  # totals of the money preview
    report = models.JSONField(default=dict, blank=True)  # reconnect: verification outcome
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state"]), models.Index(fields=["-created_at"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_state_display()})"


class ItemState(models.TextChoices):
    PENDING = "pending", "Pending"
    WAITING = "waiting", "Waiting for a person"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    BACK_TO_REVIEW = "back_to_review", "Changed since approval: back to review"


class PlanItem(models.Model):
    plan = models.ForeignKey(CleanupPlan, on_delete=models.CASCADE, related_name="items")
    cluster = models.ForeignKey(
        MatchCluster, null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    position = models.PositiveIntegerField()
    label = models.CharField(max_length=255)
    state = models.CharField(max_length=16, choices=ItemState.choices, default=ItemState.PENDING)
    survivors = models.JSONField(default=dict)  # side → id (bare Zoho id)
    losers = models.JSONField(default=dict)  # side → [id, ...]
    crm_module = models.CharField(max_length=16, default="Accounts")
    snapshot = models.JSONField(default=dict)  # fingerprints at build time
    preview = models.JSONField(default=dict)  # money per Books copy
    support_pack = models.TextField(blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="one_item_per_position")
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.state})"


class StepKind(models.TextChoices):
    PAUSE = "pause", "Pause syncadmin's push for the records"
    NATIVE_OFF = "native_off", "Native contact sync switched off (checklist)"
    RELINK = "relink", "Relink to the survivors in syncadmin"
    SUPPORT_GATE = "support_gate", "Zoho support re-points the native mapping"
    REPOINT_INVOICES = "repoint_invoices", "Re-point the loser's invoices (checklist)"
    SETTLE_BLOCKERS = "settle_blockers", "Settle the blockers (checklist)"
    DEACTIVATE = "deactivate", "Mark the Books loser inactive"
    DELETE = "delete", "Delete the Books loser"
    MERGE = "merge", "Merge CRM duplicates into the survivor"
    RESUME = "resume", "Resume the sync for the records"
    ALIGN_NAME = "align_name", "Align the Books display name with CRM"


# Steps a person completes (checklists and gates); the executor waits at them.
MANUAL_STEPS = (
    StepKind.NATIVE_OFF,
    StepKind.SUPPORT_GATE,
    StepKind.REPOINT_INVOICES,
    StepKind.SETTLE_BLOCKERS,
)


class StepState(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    WAITING = "waiting", "Waiting for a person"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"
    UNDONE = "undone", "Undone"


class PlanStep(models.Model):
    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=StepKind.choices)
    params = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=StepState.choices, default=StepState.PENDING)
    irreversible = models.BooleanField(default=False)
    # Claims: a worker sets its token with a conditional UPDATE; executions counts claims (a
    # step taken over from a dead worker is claimed again; its action reads Zoho first, so
    # the Zoho write itself is never repeated — the sandbox call log is the evidence).
    claim_token = models.CharField(max_length=40, blank=True)
    executions = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["item", "position"]
        constraints = [
            models.UniqueConstraint(fields=["item", "position"], name="one_step_per_position")
        ]
        indexes = [models.Index(fields=["state"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.state})"
