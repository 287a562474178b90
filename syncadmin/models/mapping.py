"""The mapping table: which CRM record is which Books customer, and why."""

from django.conf import settings
from django.db import models

from syncadmin.models.mirror import BooksContact, CrmModule, CrmRecord


class LinkProvenance(models.TextChoices):
    NATIVE_NAME_MATCH = "native_name_match", "Native first-sync name match"
    NATIVE_ID_MAP = "native_id_map", "Native sync id map"
    PUSHED = "pushed", "Pushed by syncadmin"
    IMPORTED = "imported", "Imported via CRM-import endpoint"
    MANUAL = "manual", "Linked by hand"
    AFTER_MERGE = "after_merge", "Re-linked after a merge"


class LinkState(models.TextChoices):
    LINKED = "linked", "Linked"
    ORPHANED_BOOKS = "orphaned_books", "Books customer without CRM record"
    ORPHANED_CRM = "orphaned_crm", "CRM record without Books customer"
    SUPERSEDED = "superseded", "Superseded"


# Links that still speak for their records; superseded rows are kept as history.
LIVE_LINK = ~models.Q(state=LinkState.SUPERSEDED)


class RecordLink(models.Model):
    books_organization_id = models.CharField(max_length=40)
    crm_module = models.CharField(max_length=16, choices=CrmModule.choices)
    crm_record = models.ForeignKey(
        CrmRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="links"
    )
    books_contact = models.ForeignKey(
        BooksContact, null=True, blank=True, on_delete=models.PROTECT, related_name="links"
    )
    provenance = models.CharField(max_length=24, choices=LinkProvenance.choices)
    state = models.CharField(max_length=16, choices=LinkState.choices, default=LinkState.LINKED)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="supersedes"
    )

    paused = models.BooleanField(default=False)
    paused_reason = models.CharField(max_length=255, blank=True)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paused_until = models.DateTimeField(null=True, blank=True)

    last_pushed_at = models.DateTimeField(null=True, blank=True)
    last_pulled_at = models.DateTimeField(null=True, blank=True)
    pushed_payload_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # The heart of "no duplicates": one live Books customer per CRM record per
            # Books organisation, enforced by the database, not by hope.
            models.UniqueConstraint(
                fields=["books_organization_id", "crm_record"],
                condition=LIVE_LINK,
                name="one_live_link_per_crm_record",
            ),
            models.UniqueConstraint(
                fields=["books_contact", "crm_module"],
                condition=LIVE_LINK,
                name="one_live_link_per_books_contact",
            ),
            models.CheckConstraint(
                condition=models.Q(crm_record__isnull=False)
                | models.Q(books_contact__isnull=False),
                name="link_has_a_side",
            ),
        ]
        indexes = [models.Index(fields=["state"]), models.Index(fields=["paused"])]

    def __str__(self) -> str:
        return f"{self.crm_record_id} ↔ {self.books_contact_id} ({self.state})"
