from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "syncadmin.sandbox"
    label = "sandbox"
    verbose_name = "Zoho sandbox"
    default_auto_field = "django.db.models.BigAutoField"
