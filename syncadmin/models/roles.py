"""Capabilities the three roles are granted (see the ``0002_roles`` data migration)."""

from django.db import models

CAPABILITIES = [
    ("view_dashboard", "Can browse the dashboard"),
    ("manage_connections", "Can connect, disconnect and re-authorise Zoho"),
    ("manage_settings", "Can change sync settings"),
    ("push_record", "Can push a record to Books now"),
    ("reimport_record", "Can re-import a record via Books' CRM import"),
    ("pause_record", "Can pause and resume a record's sync"),
    ("export_mapping", "Can export the mapping table"),
    ("approve_cleanup", "Can approve duplicate-cleanup plans"),
    ("deactivate_contact", "Can deactivate Books customers"),
]


class Capability(models.Model):
    """A table-less holder for permissions that belong to no single model."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = CAPABILITIES

    def __str__(self) -> str:
        return "capability"
