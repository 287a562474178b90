"""Local mirrors of CRM records and Books contacts, refreshed by the sync engine."""

from django.db import models
from django.db.models.functions import Lower


class CrmModule(models.TextChoices):
    ACCOUNTS = "Accounts", "Account"
    CONTACTS = "Contacts", "Contact"


class CrmRecord(models.Model):
    crm_org_id = models.CharField(max_length=40, blank=True)
    module = models.CharField(max_length=16, choices=CrmModule.choices)
    crm_id = models.CharField(max_length=40)
    name = models.CharField(max_length=255)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=60, blank=True)
    billing_street = models.CharField(max_length=255, blank=True)
    billing_city = models.CharField(max_length=120, blank=True)
    billing_state = models.CharField(max_length=120, blank=True)
    billing_code = models.CharField(max_length=30, blank=True)
    billing_country = models.CharField(max_length=120, blank=True)
    currency = models.CharField(max_length=8, blank=True)
    tax_treatment = models.CharField(max_length=40, blank=True)
    place_of_supply = models.CharField(max_length=40, blank=True)
    tax_reg_no = models.CharField(max_length=40, blank=True)
    owner_id = models.CharField(max_length=40, blank=True)
    owner_name = models.CharField(max_length=200, blank=True)
    account_crm_id = models.CharField(max_length=40, blank=True, help_text="Contacts: parent")
    deal_count = models.PositiveIntegerField(default=0)
    website = models.CharField(max_length=255, blank=True)
    # The CRM write-back field's value: the Books contact id CRM believes it maps to.
    books_ref = models.CharField(max_length=40, blank=True)
    created_time = models.DateTimeField(null=True, blank=True)
    modified_time = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True, help_text="Seen gone from CRM")
    raw = models.JSONField(default=dict, blank=True)
    mirrored_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["module", "crm_id"], name="crm_record_unique_id")
        ]
        indexes = [
            models.Index(Lower("name"), name="crm_record_lower_name"),
            models.Index(fields=["email"]),
            models.Index(fields=["modified_time"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.module} {self.crm_id})"


class BooksContactStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"


class BooksContact(models.Model):
    organization_id = models.CharField(max_length=40)
    contact_id = models.CharField(max_length=40)
    contact_name = models.CharField(max_length=255)
    company_name = models.CharField(max_length=255, blank=True)
    contact_type = models.CharField(max_length=16, default="customer")
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=60, blank=True)
    status = models.CharField(
        max_length=16, choices=BooksContactStatus.choices, default=BooksContactStatus.ACTIVE
    )
    currency_code = models.CharField(max_length=8, blank=True)
    tax_treatment = models.CharField(max_length=40, blank=True)
    place_of_supply = models.CharField(max_length=40, blank=True)
    tax_reg_no = models.CharField(max_length=40, blank=True)
    zcrm_account_id = models.CharField(max_length=40, blank=True)
    zcrm_contact_id = models.CharField(max_length=40, blank=True)
    zcrm_vendor_id = models.CharField(max_length=40, blank=True)
    is_linked_with_zohocrm = models.BooleanField(default=False)
    has_transaction = models.BooleanField(default=False)
    invoice_count = models.PositiveIntegerField(default=0)
    outstanding_receivable = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    last_invoice_status = models.CharField(max_length=24, blank=True)
    last_invoice_date = models.DateField(null=True, blank=True)
    # The unique custom field syncadmin writes: the CRM record id this customer was made for.
    crm_ref = models.CharField(max_length=40, blank=True)
    source = models.CharField(max_length=24, blank=True)
    created_time = models.DateTimeField(null=True, blank=True)
    last_modified_time = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True, help_text="Seen gone from Books")
    raw = models.JSONField(default=dict, blank=True)
    mirrored_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization_id", "contact_id"], name="books_contact_unique_id"
            )
        ]
        indexes = [
            models.Index(Lower("contact_name"), name="books_contact_lower_name"),
            models.Index(fields=["email"]),
            models.Index(fields=["zcrm_account_id"]),
            models.Index(fields=["zcrm_contact_id"]),
            models.Index(fields=["crm_ref"]),
        ]

    def __str__(self) -> str:
        return f"{self.contact_name} ({self.contact_id})"
