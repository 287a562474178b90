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
    WRITEBACK = "writeback", "CRM write-back field"
    MATCHED = "matched", "Matched to an existing Books customer before push"


class LinkState(models.TextChoices):
    LINKED = "linked", "Linked"
    ORPHANED_BOOKS = "orphaned_books", "Books customer without CRM record"
    ORPHANED_CRM = "orphaned_crm", "CRM record without Books customer"
    BOOKS_INACTIVE = "books_inactive", "Books customer inactive"
    CRM_MERGED = "crm_merged", "CRM record merged away"
    NATIVE_DUPLICATE = "native_duplicate", "Extra Books copy made by the native sync"
    SUPERSEDED = "superseded", "Superseded"


# States that are findings or history rather than the record's one mapping: they never
# count against the one-live-link constraints.
NOT_LIVE_STATES = (LinkState.SUPERSEDED, LinkState.NATIVE_DUPLICATE)
# Links that still speak for their records; superseded rows are kept as history.
LIVE_LINK = ~models.Q(state__in=NOT_LIVE_STATES)


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
    state = models.CharField(max_length=20, choices=LinkState.choices, default=LinkState.LINKED)
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
    # A Books customer linked to two CRM records (an account and a contact, say): found by
    # reconcile, shown as a finding; the links stay as Zoho has them until a person acts.
    crossed = models.BooleanField(default=False)
    # The CRM write-back field holds this link's Books id (or the write is still owed).
    written_back = models.BooleanField(default=False)
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
        indexes = [
            models.Index(fields=["state"]),
            models.Index(fields=["paused"]),
            models.Index(fields=["provenance"]),
            models.Index(fields=["-updated_at"]),
            models.Index(fields=["crossed"]),
        ]

    def __str__(self) -> str:
        return f"{self.crm_record_id} ↔ {self.books_contact_id} ({self.state})"
