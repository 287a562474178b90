from django.apps import AppConfig


class SyncadminConfig(AppConfig):
    name = "syncadmin"
    verbose_name = "syncadmin"

    def ready(self) -> None:
        # Loading the Celery app here (not in syncadmin/__init__.py) binds shared tasks
        # to it in every Django process, while the sandbox package, which lives under
        # syncadmin/, can import without pulling in the product.
        from syncadmin import celery  # noqa: F401
