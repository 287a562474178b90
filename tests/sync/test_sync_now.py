"""``manage.py sync_now``: the same services, run for an operator, saying what they did."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from syncadmin.models import BooksContact, CrmRecord, MatchCluster, RunKind, SyncRun
from syncadmin.sync.profile import org_clients

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("sync_now", *args, stdout=out)
    return out.getvalue()


def test_mirror_then_push_one_record(connected_org):
    org = connected_org.books_organization_id
    [made] = org_clients(connected_org).crm.insert(
        module="Accounts", records=[{"Account_Name": "Weir Street Ltd", "VAT_Treatment": "uk"}]
    )

    mirrored = run("--org", org, "--mirror")
    pushed = run("--org", org, "--push", f"Accounts:{made.id}")

    assert "Mirror CRM: succeeded" in mirrored and "Mirror Books: succeeded" in mirrored
    assert CrmRecord.objects.filter(crm_id=made.id).exists()
    assert f"Push Accounts {made.id}: created" in pushed
    assert BooksContact.objects.filter(contact_name="Weir Street Ltd").exists()


def test_match_fills_the_review_queue_from_the_mirrors(messy_org):
    org = messy_org.books_organization_id
    run("--org", org, "--mirror")

    out = run("--org", org, "--match")

    assert "Match: succeeded" in out and "duplicate clusters" in out
    assert MatchCluster.objects.filter(organization_id=org, superseded=False).exists()
    assert not SyncRun.objects.filter(kind=RunKind.RECONCILE).exists()


def test_a_queued_reconcile_is_left_to_the_worker(connected_org, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the worker, here in this process

    out = run("--org", connected_org.books_organization_id, "--reconcile", "--queue")

    reconcile = SyncRun.objects.get(kind=RunKind.RECONCILE)
    assert f"queued for the worker as run {reconcile.pk}" in out
    assert reconcile.status == "succeeded"  # the task claimed and ran it


def test_no_action_means_reconcile(connected_org):
    out = run("--org", connected_org.books_organization_id)
    assert "Reconcile: succeeded" in out
    assert SyncRun.objects.filter(kind=RunKind.RECONCILE).count() == 1


def test_bad_arguments_are_refused_plainly(connected_org):
    with pytest.raises(CommandError, match="MODULE:ID"):
        run("--push", "Accounts:../x")
    with pytest.raises(CommandError, match="No sync settings"):
        run("--org", "999")
