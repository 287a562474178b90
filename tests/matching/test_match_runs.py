"""Matching over the mirrors as a run: clusters stored for the review queue, reviews
carried over, a re-run only when the mirrors changed, resuming after a dead worker."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from syncadmin.models import MatchCluster, MatchPair, Review, RunKind, RunStatus, SyncRun
from syncadmin.sync import match_runs
from tests.factories import BooksContactFactory, CrmRecordFactory

pytestmark = pytest.mark.django_db
ORG = "20099000001"


@pytest.fixture
def mirrors():
    """One CRM account; its Books copy linked, a second copy (name drift) with invoices,
    and an unrelated customer."""
    acme = CrmRecordFactory(crm_id="5901", name="Acme Traders Ltd", deal_count=2)
    BooksContactFactory(contact_id="4601", contact_name="Acme Traders Ltd",
                        zcrm_account_id=acme.crm_id)  # fmt: skip
    BooksContactFactory(contact_id="4602", contact_name="Acme Traders Limited",
                        has_transaction=True, invoice_count=3,
                        outstanding_receivable=Decimal("120.50"))  # fmt: skip
    BooksContactFactory(contact_id="4603", contact_name="Initech Systems")
    return acme


def _run(django_capture_on_commit_callbacks, **kw) -> SyncRun:
    with django_capture_on_commit_callbacks(execute=True):  # the task runs inline
        run = match_runs.match_run_start(organization_id=ORG, **kw)
    run.refresh_from_db()
    return run


def test_a_match_run_stores_clusters_and_pairs_for_review(
    mirrors, django_capture_on_commit_callbacks
):
    run = _run(django_capture_on_commit_callbacks)
    assert (run.kind, run.status, run.total, run.processed) == (
        RunKind.CLEANUP, RunStatus.SUCCEEDED, 1, 1)  # fmt: skip
    (cluster,) = MatchCluster.objects.filter(run=run)
    assert sorted(cluster.refs) == ["books:4601", "books:4602", "crm:5901"]
    assert (cluster.direction, cluster.band, cluster.review) == ("books", "certain", "pending")
    # the copy with transactions is proposed to survive; money is summed for the queue
    assert cluster.proposed_survivors["books"] == "books:4602"
    assert (cluster.invoice_count, cluster.outstanding) == (3, Decimal("120.50"))
    assert cluster.snapshot["books:4602"]["name"] == "Acme Traders Limited"
    pairs = {(p.a, p.b): p for p in MatchPair.objects.filter(cluster=cluster)}
    assert "same normalised name" in pairs[("books:4601", "books:4602")].evidence


def test_a_rerun_carries_reviews_over_and_supersedes_the_old_clusters(
    mirrors, django_capture_on_commit_callbacks
):
    first = _run(django_capture_on_commit_callbacks)
    old = MatchCluster.objects.get(run=first)
    old.review, old.survivors = Review.ACCEPTED, {"books": "books:4601"}
    old.save()
    old.pairs.update(decision=Review.REJECTED)

    second = _run(django_capture_on_commit_callbacks)
    new = MatchCluster.objects.get(run=second)
    assert (new.review, new.survivors["books"]) == (Review.ACCEPTED, "books:4601")
    assert set(new.pairs.values_list("decision", flat=True)) == {Review.REJECTED}
    old.refresh_from_db()
    assert old.superseded and not new.superseded


def test_the_incremental_rerun_waits_for_a_mirror_change(
    mirrors, django_capture_on_commit_callbacks
):
    first = _run(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert match_runs.match_run_if_changed(organization_id=ORG) is None
    SyncRun.objects.filter(pk=first.pk).update(started_at=timezone.now() - timedelta(hours=1))
    BooksContactFactory(contact_id="4604", contact_name="ACME TRADERS LTD.")  # mirrored now
    with django_capture_on_commit_callbacks(execute=True):
        again = match_runs.match_run_if_changed(organization_id=ORG)
    (cluster,) = MatchCluster.objects.filter(run=again)
    assert "books:4604" in cluster.refs


def test_a_second_delivery_is_a_no_op_and_a_dead_worker_resumes_after_the_cursor(mirrors):
    run = SyncRun.objects.create(kind=RunKind.CLEANUP, trigger="manual", organization_id=ORG)
    match_runs.match_run_execute(run_id=run.pk)
    match_runs.match_run_execute(run_id=run.pk)  # delivered twice: claimed once
    assert MatchCluster.objects.filter(run=run).count() == 1

    # a worker died after storing the first batch: the takeover stores the rest only
    stale = timezone.now() - timedelta(hours=1)
    SyncRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, heartbeat_at=stale, cursor={"stored": 1}
    )
    assert match_runs.match_runs_stale() == [run.pk]
    match_runs.match_run_execute(run_id=run.pk)
    assert MatchCluster.objects.filter(run=run).count() == 1
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED


def test_the_beat_reruns_matching_where_mirrors_changed(
    settings, mirrors, django_capture_on_commit_callbacks
):
    from syncadmin import tasks
    from syncadmin.celery import app

    assert settings.CELERY_BEAT_SCHEDULE["matching-rerun"]["task"] in app.tasks
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.match_schedule.delay().get() == 1  # never matched: one run
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.match_schedule.delay().get() == 0  # nothing changed since
    assert MatchCluster.objects.filter(superseded=False).count() == 1
