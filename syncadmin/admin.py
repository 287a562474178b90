"""Django admin for every model. Secrets are never shown; audit rows are read-only."""

from django.contrib import admin

from syncadmin import models


@admin.register(models.Connection)
class ConnectionAdmin(admin.ModelAdmin):
    """Only the plan and a raised daily limit are set here; everything else belongs to the
    connect flow, and no secret (client secret, tokens) is ever part of the page."""

    list_display = ("service", "organization_name", "data_centre", "status", "user_email")
    list_filter = ("service", "status", "data_centre")
    fields = (
        "service", "organization_name", "organization_id", "data_centre", "status",
        "status_detail", "user_name", "user_email", "zoho_user_id", "user_active",
        "accounts_server", "api_domain", "client_id", "scopes", "access_token_expires_at",
        "last_health_check_at", "connected_at", "connected_by", "disconnected_at",
        "plan", "daily_limit",
    )  # fmt: skip
    readonly_fields = tuple(f for f in fields if f not in ("plan", "daily_limit"))

    def has_add_permission(self, request):
        return False  # connections are made by signing in at Zoho

    def has_delete_permission(self, request, obj=None):
        return False  # disconnecting revokes the tokens; deleting would not


@admin.register(models.CrmRecord)
class CrmRecordAdmin(admin.ModelAdmin):
    list_display = ("name", "module", "crm_id", "email", "modified_time", "deleted_at")
    list_filter = ("module",)
    search_fields = ("name", "email", "crm_id")


@admin.register(models.BooksContact)
class BooksContactAdmin(admin.ModelAdmin):
    list_display = ("contact_name", "contact_id", "organization_id", "status", "email")
    list_filter = ("status", "organization_id")
    search_fields = ("contact_name", "email", "contact_id", "zcrm_account_id")


@admin.register(models.RecordLink)
class RecordLinkAdmin(admin.ModelAdmin):
    list_display = ("crm_record", "books_contact", "provenance", "state", "paused")
    list_filter = ("state", "provenance", "paused")
    raw_id_fields = ("crm_record", "books_contact", "superseded_by", "paused_by")


@admin.register(models.SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "trigger", "status", "created_at", "processed", "failed_count")
    list_filter = ("kind", "status", "trigger")


@admin.register(models.SyncEvent)
class SyncEventAdmin(admin.ModelAdmin):
    list_display = ("run", "at", "outcome", "crm_record", "books_contact")
    list_filter = ("outcome",)
    raw_id_fields = ("run", "crm_record", "books_contact", "link")


@admin.register(models.SyncFailure)
class SyncFailureAdmin(admin.ModelAdmin):
    list_display = ("reason_code", "operation", "attempts", "last_seen_at", "resolved_at")
    list_filter = ("reason_code", "transient")
    raw_id_fields = ("run", "link", "crm_record", "books_contact", "resolved_by")


@admin.register(models.WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("beat_at", "hostname")


@admin.register(models.AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_label", "action", "target_type", "target_id", "target_label")
    list_filter = ("action", "target_type")
    search_fields = ("target_id", "target_label", "actor_label")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
