"""django-tables2 tables for the list screens (all rendered by components/_table.html)."""

import django_tables2 as tables

from syncadmin.models import RecordLink, SyncFailure, SyncRun


class LinkTable(tables.Table):
    crm_record = tables.Column(verbose_name="CRM record", order_by=("crm_record__name",))
    crm_module = tables.Column(verbose_name="Module")
    books_contact = tables.Column(
        verbose_name="Books customer", order_by=("books_contact__contact_name",)
    )
    provenance = tables.Column(verbose_name="How linked")
    state = tables.Column()
    paused = tables.BooleanColumn()
    updated_at = tables.DateTimeColumn(verbose_name="Changed", format="Y-m-d H:i")

    class Meta:
        model = RecordLink
        fields = ("crm_record", "crm_module", "books_contact", "provenance", "state", "paused")
        sequence = (*fields, "updated_at")
        empty_text = "No links mirrored yet. Connect CRM and Books, then run a mirror."


class FailureTable(tables.Table):
    last_seen_at = tables.DateTimeColumn(verbose_name="Last seen", format="Y-m-d H:i")
    operation = tables.Column()
    reason_code = tables.Column(verbose_name="Reason")
    explanation = tables.Column(orderable=False)
    suggested_fix = tables.Column(verbose_name="Fix", orderable=False)
    attempts = tables.Column()
    resolved_at = tables.DateTimeColumn(verbose_name="Resolved", format="Y-m-d H:i")

    class Meta:
        model = SyncFailure
        fields = ("last_seen_at", "operation", "reason_code", "explanation", "suggested_fix")
        sequence = (*fields, "attempts", "resolved_at")
        empty_text = "No failures. Every attempted sync went through."


class RunTable(tables.Table):
    created_at = tables.DateTimeColumn(verbose_name="Queued", format="Y-m-d H:i:s")
    kind = tables.Column()
    trigger = tables.Column()
    triggered_by = tables.Column(verbose_name="By", default="system")
    status = tables.Column()
    processed = tables.Column()
    failed_count = tables.Column(verbose_name="Failed")
    finished_at = tables.DateTimeColumn(verbose_name="Finished", format="Y-m-d H:i:s")

    class Meta:
        model = SyncRun
        fields = ("created_at", "kind", "trigger", "triggered_by", "status", "processed")
        sequence = (*fields, "failed_count", "finished_at")
        empty_text = "No sync runs yet."
