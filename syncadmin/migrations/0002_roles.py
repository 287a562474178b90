"""Create the admin, finance and sales groups with their capabilities.

The role matrix is frozen here on purpose: a later change of who may do what is a new
migration, so every database tells the same story.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_CAPABILITIES = {
    "admin": [
        "view_dashboard",
        "manage_connections",
        "manage_settings",
        "push_record",
        "reimport_record",
        "pause_record",
        "export_mapping",
    ],
    "finance": ["view_dashboard", "approve_cleanup", "deactivate_contact", "export_mapping"],
    "sales": ["view_dashboard", "push_record", "reimport_record"],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; make them exist now.
    app_config = apps.get_app_config("syncadmin")
    is_stub = not getattr(app_config, "models_module", None)
    if is_stub:
        app_config.models_module = True  # the historical app stub lacks it
    create_permissions(app_config, verbosity=0, apps=apps)
    if is_stub:
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_CAPABILITIES.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = Permission.objects.filter(content_type__app_label="syncadmin")
        wanted = perms.filter(codename__in=codenames)
        if role == "admin":
            # Admins also browse every model read-only in the Django admin.
            wanted = wanted | perms.filter(codename__startswith="view_")
        group.permissions.set(wanted)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_CAPABILITIES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("syncadmin", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
