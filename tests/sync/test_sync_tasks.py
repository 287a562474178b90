"""The sync engine's beat entries and thin tasks (run inline in tests)."""

import pytest
from django.conf import settings

from syncadmin import tasks
from syncadmin.celery import app
from syncadmin.models import RunKind, RunStatus, SyncRun

pytestmark = pytest.mark.django_db


def test_beat_entries_name_registered_tasks():
    for entry in ("sync-reconcile", "sync-channels-renew", "sync-money-to-crm"):
        assert settings.CELERY_BEAT_SCHEDULE[entry]["task"] in app.tasks


def test_reconcile_beat_runs_one_reconcile_per_organisation(
    connected_org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.reconcile_schedule.delay().get() == 1

    (run,) = SyncRun.objects.filter(kind=RunKind.RECONCILE)
    assert run.status == RunStatus.SUCCEEDED and run.organization_id == "20000001"
    # A second delivery of the same run is a no-op: the row is the lock.
    tasks.reconcile_run(run.pk)
    assert SyncRun.objects.get(pk=run.pk).finished_at == run.finished_at


def test_channel_beat_subscribes_the_channel(connected_org):
    assert tasks.channels_renew.delay().get() == 1
    connected_org.refresh_from_db()
    assert connected_org.channel_expires_at is not None and connected_org.channel_error == ""
