"""Finance's review of the stored clusters: accept or reject each pair, change a survivor,
bulk-accept the certain band. Every decision is audited on the records it concerns, so it
shows on their timelines."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from syncadmin.models import MatchCluster, MatchPair, Review
from syncadmin.services import audit_record


class ReviewRefused(Exception):
    """The decision cannot be taken as asked; the message says why."""


def ref_target(ref: str, snapshot: dict) -> tuple[str, str, str]:
    """(target_type, target_id, label) of the record timeline convention for a match ref."""
    side, zoho_id = ref.split(":", 1)
    facts = snapshot.get(ref, {})
    if side == "crm":
        return "record", f"{facts.get('module', 'Accounts')}:{zoho_id}", facts.get("name", "")
    return "books_contact", zoho_id, facts.get("name", "")


def audit_refs(refs, *, snapshot: dict, actor, action: str, after=None, note="") -> None:
    """One audit row per record, so the decision appears on each record's timeline."""
    for ref in refs:
        kind, target, label = ref_target(ref, snapshot)
        audit_record(
            actor=actor, action=action, target_type=kind, target_id=target,
            target_label=label, after=after, note=note,
        )  # fmt: skip


def _settle(cluster: MatchCluster, actor) -> None:
    decisions = set(cluster.pairs.values_list("decision", flat=True))
    if Review.REJECTED in decisions:
        review = Review.REJECTED
    elif decisions == {Review.ACCEPTED}:
        review = Review.ACCEPTED
    else:
        review = Review.PENDING
    if review != cluster.review:
        cluster.review, cluster.reviewed_by, cluster.reviewed_at = review, actor, timezone.now()
        cluster.save(update_fields=["review", "reviewed_by", "reviewed_at"])


def _current(cluster: MatchCluster) -> None:
    if cluster.superseded:
        raise ReviewRefused("A newer match run replaced this cluster; review the new one.")


def pair_decide(*, pair: MatchPair, actor, decision: str) -> MatchPair:
    """Accept or reject one pair. The cluster is accepted once all its pairs are, rejected
    as soon as one is (its records are then not cleaned up together). Audited per record."""
    if decision not in (Review.ACCEPTED, Review.REJECTED):
        raise ReviewRefused("Accept or reject.")
    cluster = pair.cluster
    _current(cluster)
    with transaction.atomic():
        pair.decision, pair.decided_by, pair.decided_at = decision, actor, timezone.now()
        pair.save(update_fields=["decision", "decided_by", "decided_at"])
        _settle(cluster, actor)
    audit_refs(
        (pair.a, pair.b), snapshot=cluster.snapshot, actor=actor, action=f"match_pair_{decision}",
        after={"cluster": cluster.pk, "a": pair.a, "b": pair.b, "score": pair.score},
    )  # fmt: skip
    return pair


def cluster_decide(*, cluster: MatchCluster, actor, decision: str) -> MatchCluster:
    """Accept (or reject) every pair of the cluster still pending, then settle it."""
    if decision not in (Review.ACCEPTED, Review.REJECTED):
        raise ReviewRefused("Accept or reject.")
    _current(cluster)
    now = timezone.now()
    with transaction.atomic():
        cluster.pairs.filter(decision=Review.PENDING).update(
            decision=decision, decided_by=actor, decided_at=now
        )
        _settle(cluster, actor)
    audit_refs(
        cluster.refs, snapshot=cluster.snapshot, actor=actor, action=f"match_cluster_{decision}",
        after={"cluster": cluster.pk, "band": cluster.band},
    )  # fmt: skip
    return cluster


def cluster_set_survivor(*, cluster: MatchCluster, actor, ref: str) -> MatchCluster:
    """Make ``ref`` the survivor on its side (instead of the rules' choice). Audited."""
    _current(cluster)
    if ref not in cluster.refs:
        raise ReviewRefused("That record is not in this cluster.")
    side = ref.split(":", 1)[0]
    before = dict(cluster.survivors)
    cluster.survivors = {**cluster.survivors, side: ref}
    cluster.save(update_fields=["survivors"])
    audit_refs(
        cluster.refs, snapshot=cluster.snapshot, actor=actor, action="match_survivor_change",
        after={"cluster": cluster.pk, "before": before.get(side), "survivor": ref},
    )  # fmt: skip
    return cluster


def clusters_accept_certain(*, organization_id: str, actor) -> int:
    """Accept every pending cluster of the certain band (each pair, audited); the count."""
    pending = MatchCluster.objects.filter(
        organization_id=organization_id, superseded=False, review=Review.PENDING, band="certain"
    ).exclude(pairs__decision=Review.REJECTED)
    count = 0
    for cluster in pending:
        cluster_decide(cluster=cluster, actor=actor, decision=Review.ACCEPTED)
        count += 1
    return count
