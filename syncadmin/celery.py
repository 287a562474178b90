"""The Celery app, configured from Django settings (``CELERY_*``)."""

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "syncadmin.settings")

app = Celery("syncadmin", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["syncadmin"])


@worker_init.connect
def _token_keys_self_test(**kwargs) -> None:
    """A worker with token keys that cannot read the stored Zoho tokens does not start."""
    from syncadmin.connections.tokens import token_keys_self_test

    token_keys_self_test()
