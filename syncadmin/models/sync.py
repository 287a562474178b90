"""What the sync engine keeps between deliveries: settings, inbox, watermarks, push ledger."""

from django.conf import settings
from django.db import models

from syncadmin.encryption import EncryptedTextField
from syncadmin.models.connections import Connection


class ModuleMapping(models.TextChoices):
    ACCOUNTS = "accounts", "Accounts → Books customers (B2B)"
    CONTACTS = "contacts", "Contacts → Books customers (B2C)"
    BOTH = "both", "Accounts → customers, their contacts as contact persons"


class SyncSettings(models.Model):
    """One per Books organisation: what syncs, how it is shaped, and whether it is paused.

    Edited by admins (every change audited); read by every sync path.
    """

    books_organization_id = models.CharField(max_length=40, unique=True)
    crm_connection = models.ForeignKey(
        Connection, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    books_connection = models.ForeignKey(
        Connection, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    module_mapping = models.CharField(
        max_length=16, choices=ModuleMapping.choices, default=ModuleMapping.ACCOUNTS
    )
    # Optional scope: only CRM records whose field equals the value are pushed (e.g. a
    # "Sync_to_Books" checkbox = "true", Account_Type = "Customer").
    scope_field = models.CharField(max_length=100, blank=True)
    scope_value = models.CharField(max_length=200, blank=True)
    # CRM API name → Books key overrides, on top of the built-in mapping.
    field_mapping = models.JSONField(default=dict, blank=True)
    writeback_field = models.CharField(max_length=100, default="Books_Contact_ID")
    writeback_field_present = models.BooleanField(null=True, help_text="Last metadata check")
    writeback_checked_at = models.DateTimeField(null=True, blank=True)
    # The Books contact custom field that holds the CRM record id, unique: creates upsert
    # on it, so a retried create finds the customer it already made.
    unique_field = models.CharField(max_length=100, default="cf_crm_ref")
    # The Books organisation's country decides its mandatory tax fields (India: GST
    # treatment and place of supply; UK: VAT treatment), checked before any call.
    books_country = models.CharField(max_length=60, blank=True)
    # Books' CRM-import endpoints only work while Zoho's own integration is switched on.
    native_integration_active = models.BooleanField(default=True)
    money_to_crm = models.BooleanField(default=True, help_text="Write receivables to CRM")

    paused = models.BooleanField(default=False)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paused_reason = models.CharField(max_length=255, blank=True)

    webhook_secret = EncryptedTextField(blank=True, null=True)
    channel_id = models.CharField(max_length=40, blank=True)
    channel_token = EncryptedTextField(blank=True, null=True)
    channel_expires_at = models.DateTimeField(null=True, blank=True)
    channel_error = models.TextField(blank=True)
    last_webhook_at = models.DateTimeField(null=True, blank=True)

    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "sync settings"

    def __str__(self) -> str:
        return f"Sync settings for Books organisation {self.books_organization_id}"


class InboxSource(models.TextChoices):
    WEBHOOK = "webhook", "CRM workflow webhook"
    NOTIFICATION = "notification", "CRM notification channel"


class InboxStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    PROCESSING = "processing", "Processing"
    DONE = "done", "Processed"
    REJECTED = "rejected", "Rejected (never processed)"
    FAILED = "failed", "Failed"


class InboxDelivery(models.Model):
    """A delivery from CRM, stored before we answer 2xx, so nothing accepted is lost."""

    source = models.CharField(max_length=16, choices=InboxSource.choices)
    books_organization_id = models.CharField(max_length=40, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    # Same record, same content → same key: a redelivery is stored once.
    dedupe_key = models.CharField(max_length=128, blank=True)
    module = models.CharField(max_length=16, blank=True)
    operation = models.CharField(max_length=16, blank=True)
    record_ids = models.JSONField(default=list, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=16, choices=InboxStatus.choices, default=InboxStatus.PENDING
    )
    rejection = models.CharField(max_length=255, blank=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"], condition=~models.Q(dedupe_key=""), name="inbox_dedupe"
            )
        ]
        indexes = [models.Index(fields=["status", "received_at"])]

    def __str__(self) -> str:
        return f"{self.source} {self.module} {self.operation} ({self.status})"


class Watermark(models.Model):
    """How far a mirror has read one stream (CRM Accounts, CRM Accounts deletions, Books
    contacts …) of one organisation; inclusive, so a second holding several changes is
    read again rather than lost."""

    organization_id = models.CharField(max_length=40)
    stream = models.CharField(max_length=40)
    value = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization_id", "stream"], name="one_watermark")
        ]

    def __str__(self) -> str:
        return f"{self.stream}@{self.organization_id}: {self.value}"


class LedgerState(models.TextChoices):
    CLAIMED = "claimed", "Being pushed"
    DONE = "done", "Pushed"
    FAILED = "failed", "Failed"


class PushLedger(models.Model):
    """Claim-before-send: one row per CRM record per Books organisation. Only the holder of
    an unexpired claim talks to Books about the record, so concurrent pushes serialise."""

    books_organization_id = models.CharField(max_length=40)
    crm_module = models.CharField(max_length=16)
    crm_id = models.CharField(max_length=40)
    state = models.CharField(max_length=16, choices=LedgerState.choices)
    claim_token = models.CharField(max_length=40, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    books_contact_id = models.CharField(max_length=40, blank=True)
    payload_hash = models.CharField(max_length=64, blank=True)
    # Set when Books holds the customer but CRM's write-back field does not yet.
    writeback_due = models.BooleanField(default=False)
    # When the CRM record was created/changed (from the delivery), for latency figures.
    source_time = models.DateTimeField(null=True, blank=True)
    pushes = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["books_organization_id", "crm_module", "crm_id"], name="one_ledger_row"
            )
        ]
        indexes = [models.Index(fields=["writeback_due"])]

    def __str__(self) -> str:
        return f"{self.crm_module} {self.crm_id} → {self.books_contact_id or '?'} ({self.state})"
