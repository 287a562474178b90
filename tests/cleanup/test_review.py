"""Finance's review: pair decisions settle the cluster, survivors can change, the certain
band can be accepted in bulk; every decision lands on the records' timelines."""

import pytest

from syncadmin import cleanup
from syncadmin.models import AuditEvent, Review
from tests.cleanup.support import stored_cluster

pytestmark = pytest.mark.django_db


def test_a_cluster_is_accepted_once_every_pair_is(finance_user):
    cluster = stored_cluster(books=2, crm=1)  # three pairs
    first, *rest = cluster.pairs.all()

    cleanup.pair_decide(pair=first, actor=finance_user, decision=Review.ACCEPTED)
    cluster.refresh_from_db()
    assert cluster.review == Review.PENDING

    for pair in rest:
        cleanup.pair_decide(pair=pair, actor=finance_user, decision=Review.ACCEPTED)
    cluster.refresh_from_db()
    assert cluster.review == Review.ACCEPTED
    assert cluster.reviewed_by == finance_user


def test_one_rejected_pair_rejects_the_cluster(finance_user):
    cluster = stored_cluster()
    cleanup.cluster_decide(cluster=cluster, actor=finance_user, decision=Review.ACCEPTED)

    cleanup.pair_decide(pair=cluster.pairs.first(), actor=finance_user, decision=Review.REJECTED)

    cluster.refresh_from_db()
    assert cluster.review == Review.REJECTED


def test_changing_the_survivor_keeps_the_rules_choice_for_reference(finance_user):
    cluster = stored_cluster(books=3)
    other = cluster.refs[2]

    cleanup.cluster_set_survivor(cluster=cluster, actor=finance_user, ref=other)

    cluster.refresh_from_db()
    assert cluster.survivors["books"] == other
    assert cluster.proposed_survivors["books"] == cluster.refs[0]
    with pytest.raises(cleanup.ReviewRefused):
        cleanup.cluster_set_survivor(cluster=cluster, actor=finance_user, ref="books:nope")


def test_bulk_accept_takes_only_pending_certain_clusters(finance_user):
    certain, likely = stored_cluster(band="certain"), stored_cluster(band="likely", key=2)
    rejected = stored_cluster(band="certain", key=3)
    cleanup.cluster_decide(cluster=rejected, actor=finance_user, decision=Review.REJECTED)

    count = cleanup.clusters_accept_certain(organization_id=certain.organization_id,
                                            actor=finance_user)  # fmt: skip

    assert count == 1
    for cluster, review in ((certain, "accepted"), (likely, "pending"), (rejected, "rejected")):
        cluster.refresh_from_db()
        assert cluster.review == review


def test_a_superseded_cluster_cannot_be_decided(finance_user):
    cluster = stored_cluster()
    cluster.superseded = True
    cluster.save()

    with pytest.raises(cleanup.ReviewRefused):
        cleanup.cluster_decide(cluster=cluster, actor=finance_user, decision=Review.ACCEPTED)


def test_every_decision_is_on_each_records_timeline(finance_user):
    cluster = stored_cluster(books=2, crm=1)

    cleanup.cluster_decide(cluster=cluster, actor=finance_user, decision=Review.ACCEPTED)

    books_id = cluster.refs[0].split(":")[1]
    crm_id = cluster.refs[2].split(":")[1]
    assert AuditEvent.objects.filter(
        action="match_cluster_accepted", target_type="books_contact", target_id=books_id
    ).exists()
    assert AuditEvent.objects.filter(
        action="match_cluster_accepted", target_type="record", target_id=f"Accounts:{crm_id}"
    ).exists()
