"""Admins see (and clear) login lockouts in the Django admin: django-axes' models."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = [
    "view_accessattempt",
    "delete_accessattempt",
    "view_accessfailurelog",
    "view_accesslog",
]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("axes")
    is_stub = not getattr(app_config, "models_module", None)
    if is_stub:
        app_config.models_module = True  # the historical app stub lacks it
    create_permissions(app_config, verbosity=0, apps=apps)
    if is_stub:
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = Permission.objects.filter(content_type__app_label="axes", codename__in=CODENAMES)
    for group in Group.objects.filter(name="admin"):
        group.permissions.add(*wanted)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = Permission.objects.filter(content_type__app_label="axes", codename__in=CODENAMES)
    for group in Group.objects.filter(name="admin"):
        group.permissions.remove(*wanted)


class Migration(migrations.Migration):
    dependencies = [
        ("syncadmin", "0007_alerts"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
