"""Zoho CRM: orgs, records of every module, workflow webhooks and watch channels."""

from django.db import models


class CrmEdition(models.TextChoices):
    # Credits and concurrency per edition: see syncadmin.sandbox.limits (zoho-api.md §2.8).
    FREE = "free", "Free"
    STANDARD = "standard", "Standard"
    PROFESSIONAL = "professional", "Professional"
    ENTERPRISE = "enterprise", "Enterprise"
    ULTIMATE = "ultimate", "Ultimate"


class CrmOrg(models.Model):
    org_id = models.CharField(max_length=20, unique=True)  # zgid
    name = models.CharField(max_length=200)
    edition = models.CharField(max_length=20, choices=CrmEdition, default=CrmEdition.ENTERPRISE)
    licensed_users = models.PositiveIntegerField(default=10)  # feeds the daily credit formula
    currency_code = models.CharField(max_length=3, default="USD")
    time_zone = models.CharField(max_length=50, default="UTC")

    def __str__(self) -> str:
        return self.name


class CrmModule(models.TextChoices):
    ACCOUNTS = "Accounts", "Accounts"
    CONTACTS = "Contacts", "Contacts"
    DEALS = "Deals", "Deals"
    VENDORS = "Vendors", "Vendors"
    PRODUCTS = "Products", "Products"


class CrmRecord(models.Model):
    """One CRM record. `data` holds the field API names exactly as the API returns them
    (`Account_Name`, `Owner` lookup objects, `Created_Time` strings …) except `id`; the
    columns beside it are denormalised copies for filtering, kept in step by the writer."""

    org = models.ForeignKey(CrmOrg, on_delete=models.CASCADE, related_name="records")
    module = models.CharField(max_length=20, choices=CrmModule)
    record_id = models.CharField(max_length=19, unique=True)
    data = models.JSONField(default=dict)
    name = models.CharField(max_length=255, blank=True)  # Account_Name / Full_Name / Deal_Name
    email = models.CharField(max_length=255, blank=True)  # lower-cased Email
    phone = models.CharField(max_length=50, blank=True)
    account_id = models.CharField(max_length=19, blank=True)  # Contacts/Deals → parent Account
    owner = models.ForeignKey(
        "sandbox.SandboxUser", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_time = models.DateTimeField()
    modified_time = models.DateTimeField()
    deleted_time = models.DateTimeField(null=True, blank=True)  # recycle bin; merge children
    # GET /{module}/deleted `type`: "recycle" (in the bin) or "permanent" (bin emptied)
    deleted_type = models.CharField(max_length=10, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["org", "module", "modified_time"]),
            models.Index(fields=["org", "module", "created_time"]),
            models.Index(fields=["org", "module", "name"]),
            models.Index(fields=["org", "module", "email"]),
            models.Index(fields=["org", "module", "phone"]),
            models.Index(fields=["org", "account_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.module} {self.record_id}"


class CrmField(models.Model):
    """A custom field an org added to a module (standard fields live in crm/fields.py).
    Records store values under `api_name`; writes naming a field that is neither standard
    nor listed here follow the `crm_unknown_field` knob."""

    org = models.ForeignKey(CrmOrg, on_delete=models.CASCADE, related_name="custom_fields")
    module = models.CharField(max_length=20, choices=CrmModule)
    field_id = models.CharField(max_length=19, unique=True)
    api_name = models.CharField(max_length=100)
    field_label = models.CharField(max_length=100)
    data_type = models.CharField(max_length=20)
    length = models.PositiveIntegerField(default=255)
    created_time = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "module", "api_name"], name="crm_field_api_name_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.module}.{self.api_name}"


class HttpMethod(models.TextChoices):
    POST = "POST", "POST"
    GET = "GET", "GET"
    PUT = "PUT", "PUT"
    DELETE = "DELETE", "DELETE"


class WebhookRule(models.Model):
    """A workflow rule on create/edit with its webhook action (§2.9), merged into one row."""

    org = models.ForeignKey(CrmOrg, on_delete=models.CASCADE, related_name="webhook_rules")
    webhook_id = models.CharField(max_length=19, unique=True)
    name = models.CharField(max_length=100)
    workflow_rule_name = models.CharField(max_length=100, blank=True)
    module = models.CharField(max_length=20, choices=CrmModule)
    events = models.JSONField(default=list)  # subset of ["create", "edit"]
    url = models.URLField(max_length=1000)
    method = models.CharField(max_length=6, choices=HttpMethod, default=HttpMethod.POST)
    body_type = models.CharField(
        max_length=10,
        choices=[("form_data", "form data"), ("raw", "raw"), ("none", "none")],
        default="form_data",
    )
    raw_format = models.CharField(max_length=10, default="JSON")  # JSON/XML/HTML/Text
    raw_data_content = models.TextField(blank=True)  # template with ${Module.Field} merges
    url_parameters = models.JSONField(default=list)  # [{"name", "value"}]
    module_parameters = models.JSONField(default=list)  # [{"name", "value": "${Accounts.Id}"}]
    custom_parameters = models.JSONField(default=list)  # [{"name", "value"}], e.g. a secret
    active = models.BooleanField(default=True)
    created_time = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["org", "module", "active"])]

    def __str__(self) -> str:
        return self.name


class Outcome(models.TextChoices):
    PENDING = "pending", "pending"
    DELIVERED = "delivered", "delivered"
    FAILED = "failed", "failed"  # listed by webhook_failures
    DROPPED = "dropped", "dropped"  # webhook_drop_rate: never sent, no trace in Zoho either


class WebhookDelivery(models.Model):
    """Every webhook attempt (Zoho does not retry). Failed ones are what
    `GET /crm/v8/settings/automation/webhook_failures` lists."""

    rule = models.ForeignKey(WebhookRule, on_delete=models.CASCADE, related_name="deliveries")
    module = models.CharField(max_length=20, choices=CrmModule)
    record_id = models.CharField(max_length=19)
    event = models.CharField(max_length=10)  # create / edit
    payload = models.JSONField(default=dict)  # what was (or would be) sent, for debugging
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome, default=Outcome.PENDING)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)  # failure_reason

    class Meta:
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(fields=["outcome", "created_at"]),
            models.Index(fields=["rule", "outcome", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.record_id} {self.outcome}"


class WatchChannel(models.Model):
    """A notification (watch) subscription (§2.10)."""

    org = models.ForeignKey(CrmOrg, on_delete=models.CASCADE, related_name="watch_channels")
    channel_id = models.CharField(max_length=30)  # chosen by the subscriber
    events = models.JSONField(default=list)  # ["Accounts.all", "Contacts.edit", …]
    notify_url = models.URLField(max_length=1000)
    token = models.CharField(max_length=50, blank=True)
    channel_expiry = models.DateTimeField()
    return_affected_field_values = models.BooleanField(default=False)
    notify_on_related_action = models.BooleanField(default=False)
    notification_condition = models.JSONField(default=list)
    created_by = models.ForeignKey("sandbox.SandboxUser", on_delete=models.CASCADE)
    created_time = models.DateTimeField()
    modified_time = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "channel_id"], name="watch_channel_unique")
        ]
        indexes = [models.Index(fields=["org", "channel_expiry"])]

    def __str__(self) -> str:
        return self.channel_id


class WatchNotification(models.Model):
    """One callback to a channel's notify_url (batched ids), pending until sent."""

    channel = models.ForeignKey(
        WatchChannel, on_delete=models.CASCADE, related_name="notifications"
    )
    module = models.CharField(max_length=20, choices=CrmModule)
    operation = models.CharField(max_length=10)  # insert / update / delete
    ids = models.JSONField(default=list)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome, default=Outcome.PENDING)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["outcome", "created_at"])]

    def __str__(self) -> str:
        return f"{self.channel_id} {self.operation} {self.outcome}"
