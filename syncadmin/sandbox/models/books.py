"""Zoho Books: organisations, contacts, contact persons, invoices and the native CRM sync."""

from django.db import models
from django.db.models.functions import Lower


class BooksCountry(models.TextChoices):
    US = "us", "United States"
    UK = "uk", "United Kingdom"
    IN = "in", "India"


# Edition-specific tax keys a contact carries in `BooksContact.data` (zoho-api.md §3.3).
TAX_FIELDS_BY_COUNTRY = {
    "us": ("is_taxable", "tax_id", "tax_authority_id", "tax_exemption_id"),
    "uk": ("vat_treatment", "vat_reg_no", "country_code", "tax_treatment"),
    "in": ("gst_treatment", "gst_no", "place_of_contact"),
}


class BooksPlan(models.TextChoices):
    # Daily caps per plan: see syncadmin.sandbox.limits (zoho-api.md §3.10).
    FREE = "free", "Free"
    STANDARD = "standard", "Standard"
    PROFESSIONAL = "professional", "Professional"
    PREMIUM = "premium", "Premium"
    ELITE = "elite", "Elite"
    ULTIMATE = "ultimate", "Ultimate"


class SyncType(models.TextChoices):
    NONE = "none", "Not integrated"
    ACCOUNTS_AND_CONTACTS = "accounts_and_contacts", "Accounts and their Contacts"
    ACCOUNTS_ONLY = "accounts_only", "Accounts only"
    CONTACTS_ONLY = "contacts_only", "Contacts only"
    VENDORS_ONLY = "vendors_only", "Vendors only"
    PRODUCTS_ONLY = "products_only", "Products only"


class BooksOrg(models.Model):
    organization_id = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2, choices=BooksCountry)
    plan = models.CharField(max_length=20, choices=BooksPlan, default=BooksPlan.STANDARD)
    daily_cap_override = models.PositiveIntegerField(null=True, blank=True)  # "ask support"
    currency_code = models.CharField(max_length=3)  # base currency
    # [{"currency_id", "currency_code", "is_base_currency"}]; contacts may use any of them
    currencies = models.JSONField(default=list)
    time_zone = models.CharField(max_length=50, default="UTC")
    is_default_org = models.BooleanField(default=False)
    users = models.ManyToManyField("sandbox.SandboxUser", related_name="books_orgs")  # else 6041
    sync_type = models.CharField(max_length=30, choices=SyncType, default=SyncType.NONE)
    sync_include_unassociated_contacts = models.BooleanField(default=False)
    crm_org = models.ForeignKey(
        "sandbox.CrmOrg",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="books_orgs",
    )
    native_sync_connected = models.BooleanField(default=False)
    native_sync_last_run_at = models.DateTimeField(null=True, blank=True)
    created_time = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class ContactType(models.TextChoices):
    CUSTOMER = "customer", "customer"
    VENDOR = "vendor", "vendor"


class ContactStatus(models.TextChoices):
    ACTIVE = "active", "active"
    INACTIVE = "inactive", "inactive"


class BooksContact(models.Model):
    """A Books contact. Columns are the keys the API filters and sorts on; everything else
    of the contact object (addresses, gst/vat treatment, custom_fields, payment terms,
    notes …) lives in `data` under Zoho's key names."""

    org = models.ForeignKey(BooksOrg, on_delete=models.CASCADE, related_name="contacts")
    contact_id = models.CharField(max_length=20, unique=True)
    contact_name = models.CharField(max_length=200)  # display name, unique → 3062
    company_name = models.CharField(max_length=200, blank=True)
    contact_type = models.CharField(max_length=10, choices=ContactType)
    customer_sub_type = models.CharField(max_length=12, default="business")
    status = models.CharField(max_length=10, choices=ContactStatus, default=ContactStatus.ACTIVE)
    # mirrors of the primary contact person
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.CharField(max_length=255, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    mobile = models.CharField(max_length=50, blank=True)
    currency_code = models.CharField(max_length=3)
    # CRM link keys (§3.8); "" when unlinked, as Zoho answers
    zcrm_account_id = models.CharField(max_length=19, blank=True)
    zcrm_contact_id = models.CharField(max_length=19, blank=True)
    zcrm_vendor_id = models.CharField(max_length=19, blank=True)
    crm_owner_id = models.CharField(max_length=19, blank=True)
    is_linked_with_zohocrm = models.BooleanField(default=False)
    is_crm_customer = models.BooleanField(default=False)
    source = models.CharField(max_length=20, default="api")  # api / user / crm …
    has_transaction = models.BooleanField(default=False)  # set when an invoice is created
    data = models.JSONField(default=dict)
    created_time = models.DateTimeField()
    last_modified_time = models.DateTimeField()

    class Meta:
        constraints = [
            # Exact names never repeat, whatever the knobs. The case-insensitive rule
            # (knob `books_name_match`) and the cross-type one are checked in code inside
            # the write transaction, which IMMEDIATE serialises against other writers.
            models.UniqueConstraint(
                fields=["org", "contact_type", "contact_name"], name="books_contact_name_exact"
            )
        ]
        indexes = [
            models.Index("org", Lower("contact_name"), name="books_contact_name_key"),
            models.Index(fields=["org", "contact_type", "status", "contact_name"]),
            models.Index(fields=["org", "contact_name"]),
            models.Index(fields=["org", "last_modified_time"]),
            models.Index(fields=["org", "created_time"]),
            models.Index(fields=["org", "email"]),
            models.Index(fields=["org", "zcrm_account_id"]),
            models.Index(fields=["org", "zcrm_contact_id"]),
            models.Index(fields=["org", "zcrm_vendor_id"]),
            models.Index(fields=["org", "is_linked_with_zohocrm"]),
        ]

    def __str__(self) -> str:
        return self.contact_name


class BooksUniqueValue(models.Model):
    """The value a contact holds in a custom field flagged unique (`cf_crm_ref`): the
    database refuses a second contact of the org with the same value, whoever writes."""

    org = models.ForeignKey(BooksOrg, on_delete=models.CASCADE, related_name="unique_values")
    contact = models.ForeignKey(
        BooksContact, on_delete=models.CASCADE, related_name="unique_values"
    )
    api_name = models.CharField(max_length=100)
    value = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "api_name", "value"], name="books_unique_value"),
            models.UniqueConstraint(
                fields=["contact", "api_name"], name="books_unique_value_per_contact"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.api_name}={self.value}"


class BooksContactPerson(models.Model):
    contact = models.ForeignKey(
        BooksContact, on_delete=models.CASCADE, related_name="contact_persons"
    )
    contact_person_id = models.CharField(max_length=20, unique=True)
    salutation = models.CharField(max_length=20, blank=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.CharField(max_length=255, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    mobile = models.CharField(max_length=50, blank=True)
    designation = models.CharField(max_length=100, blank=True)
    department = models.CharField(max_length=100, blank=True)
    is_primary_contact = models.BooleanField(default=False)
    zcrm_contact_id = models.CharField(max_length=19, blank=True)
    created_time = models.DateTimeField()
    last_modified_time = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["email"]),
            models.Index(fields=["zcrm_contact_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email


class BooksInvoice(models.Model):
    org = models.ForeignKey(BooksOrg, on_delete=models.CASCADE, related_name="invoices")
    invoice_id = models.CharField(max_length=20, unique=True)
    # PROTECT: Zoho refuses to delete a contact with transactions, and so does the database
    customer = models.ForeignKey(BooksContact, on_delete=models.PROTECT, related_name="invoices")
    invoice_number = models.CharField(max_length=50)
    status = models.CharField(max_length=20, default="draft")  # draft/sent/paid/void/…
    date = models.DateField()
    due_date = models.DateField(null=True, blank=True)
    currency_code = models.CharField(max_length=3)
    total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    balance = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    line_items = models.JSONField(default=list)
    zcrm_potential_id = models.CharField(max_length=19, blank=True)  # CRM Deal
    created_time = models.DateTimeField()
    last_modified_time = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "invoice_number"], name="books_invoice_number_unique"
            )
        ]
        indexes = [
            models.Index(fields=["org", "customer", "date"]),
            models.Index(fields=["org", "last_modified_time"]),
            models.Index(fields=["org", "status"]),
        ]

    def __str__(self) -> str:
        return self.invoice_number


class NativeSyncLink(models.Model):
    """The native integration's hidden id map (CRM record ↔ Books contact). Ids are plain
    strings so that a link can outlive either side, as stale links do in real orgs."""

    books_org = models.ForeignKey(BooksOrg, on_delete=models.CASCADE, related_name="sync_links")
    crm_module = models.CharField(max_length=20)
    crm_record_id = models.CharField(max_length=19)
    books_contact_id = models.CharField(max_length=20)
    created_at = models.DateTimeField()
    last_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["books_org", "crm_module", "crm_record_id"],
                name="native_sync_link_unique",
            )
        ]
        indexes = [models.Index(fields=["books_org", "books_contact_id"])]

    def __str__(self) -> str:
        return f"{self.crm_module} {self.crm_record_id} → {self.books_contact_id}"


class NativeSyncRun(models.Model):
    books_org = models.ForeignKey(BooksOrg, on_delete=models.CASCADE, related_name="sync_runs")
    trigger = models.CharField(
        max_length=10,
        choices=[("schedule", "schedule"), ("manual", "manual")],
        default="schedule",
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10,
        choices=[("running", "running"), ("done", "done"), ("failed", "failed")],
        default="running",
    )
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    failure_count = models.PositiveIntegerField(default=0)  # the bare number Zoho shows
    failures = models.JSONField(default=list)  # [{"crm_module", "crm_record_id", "reason"}]

    class Meta:
        indexes = [models.Index(fields=["books_org", "started_at"])]

    def __str__(self) -> str:
        return f"native sync {self.started_at:%Y-%m-%d %H:%M} {self.status}"
