"""Duplicate matching over the mirrors, as a run: one Books organisation's mirrored
customers against the mirrored CRM accounts, clusters stored for the review queue.

A match run is a ``SyncRun`` of kind ``cleanup`` (History shows it with its progress);
its clusters are ``MatchCluster`` rows with their ``MatchPair`` rows (models/cleanup.py).
Matching itself is the pure ``syncadmin.matching`` package; this module only reads the
mirrors into plain records and writes the results.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from syncadmin.matching import Cluster, MatchResult, Record, Side, match_records
from syncadmin.models import (
    BooksContact,
    CrmModule,
    CrmRecord,
    MatchCluster,
    MatchPair,
    Review,
    RunKind,
    RunStatus,
    RunTrigger,
    SyncRun,
)
from syncadmin.sync.runs import STALE_AFTER, run_beat, run_claim, run_create, run_finish

BATCH = 500  # clusters stored per transaction; the cursor moves after each batch
REGIONS = {"india": "IN", "united kingdom": "GB", "uk": "GB", "united states": "US"}


# ------------------------------------------------------------------ selectors


def _iso(moment) -> str:
    return moment.isoformat() if moment else ""


def mirror_records(*, organization_id: str) -> list[Record]:
    """The organisation's live Books customers and the live CRM accounts as records
    (each account carrying its contacts' e-mails and phones)."""
    contacts = CrmRecord.objects.filter(module=CrmModule.CONTACTS, deleted_at__isnull=True)
    emails, phones = defaultdict(set), defaultdict(set)
    for account, email, phone in contacts.values_list("account_crm_id", "email", "phone"):
        if email:
            emails[account].add(email)
        if phone:
            phones[account].add(phone)
    records = [
        Record(
            side=Side.CRM,
            id=a.crm_id,
            name=a.name,
            emails=tuple(sorted(emails[a.crm_id] | ({a.email} if a.email else set()))),
            phones=tuple(sorted(phones[a.crm_id] | ({a.phone} if a.phone else set()))),
            website=a.website,
            tax_id=a.tax_reg_no,
            currency=a.currency,
            deals=a.deal_count,
            created=_iso(a.created_time),
            modified=_iso(a.modified_time),
            region=REGIONS.get(a.billing_country.strip().lower(), ""),
        )
        for a in CrmRecord.objects.filter(module=CrmModule.ACCOUNTS, deleted_at__isnull=True)
    ]
    books = BooksContact.objects.filter(organization_id=organization_id, deleted_at__isnull=True)
    records += [
        Record(
            side=Side.BOOKS,
            id=c.contact_id,
            name=c.contact_name,
            company_name=c.company_name,
            emails=(c.email,) if c.email else (),
            phones=(c.phone,) if c.phone else (),
            tax_id=c.tax_reg_no,
            currency=c.currency_code,
            status=c.status,
            contact_type=c.contact_type,
            crm_link=c.zcrm_account_id or c.crm_ref,
            has_transactions=c.has_transaction or c.invoice_count > 0,
            created=_iso(c.created_time),
            modified=_iso(c.last_modified_time),
        )
        for c in books
    ]
    return records


def mirrors_changed_since(*, organization_id: str, moment) -> bool:
    """Did any mirrored record of the organisation change after `moment`?"""
    books = BooksContact.objects.filter(organization_id=organization_id, mirrored_at__gt=moment)
    return books.exists() or CrmRecord.objects.filter(mirrored_at__gt=moment).exists()


# ------------------------------------------------------------------ services


def match_run_start(
    *, organization_id: str, trigger: str = RunTrigger.MANUAL, user=None
) -> SyncRun:
    """Queue a match run for the organisation (the task runs after commit). A run already
    queued or running for it is returned instead of a second one."""
    active = SyncRun.objects.filter(
        kind=RunKind.CLEANUP,
        organization_id=organization_id,
        status__in=[RunStatus.QUEUED, RunStatus.RUNNING],
    ).first()
    if active is not None:
        return active
    run = run_create(
        kind=RunKind.CLEANUP, trigger=trigger, organization_id=organization_id, user=user
    )
    from syncadmin import tasks

    tasks.match_run.delay_on_commit(run.pk)
    return run


def match_run_now(*, organization_id: str, user=None) -> SyncRun:
    """Match in this process (an operator at a terminal, the demo's set-up) and return
    the finished run; its clusters are in the review queue when this returns."""
    run = run_create(
        kind=RunKind.CLEANUP, trigger=RunTrigger.MANUAL, organization_id=organization_id,
        user=user,
    )  # fmt: skip
    match_run_execute(run_id=run.pk)
    run.refresh_from_db()
    return run


def match_run_if_changed(*, organization_id: str) -> SyncRun | None:
    """The incremental re-run: queue a match run only when a mirrored record changed since
    the last match run started (or there was none)."""
    last = (
        SyncRun.objects.filter(kind=RunKind.CLEANUP, organization_id=organization_id)
        .exclude(started_at=None)
        .order_by("-started_at")
        .first()
    )
    if last and not mirrors_changed_since(organization_id=organization_id, moment=last.started_at):
        return None
    return match_run_start(organization_id=organization_id, trigger=RunTrigger.SCHEDULE)


def match_all_if_changed() -> list[int]:
    """`match_run_if_changed` for every organisation with mirrored Books customers."""
    orgs = BooksContact.objects.values_list("organization_id", flat=True).distinct()
    runs = [match_run_if_changed(organization_id=org) for org in orgs.order_by()]
    return [run.pk for run in runs if run is not None]


def match_run_execute(*, run_id: int) -> None:
    """Match and store, resuming after the last stored batch when the run was taken over
    from a dead worker (matching is deterministic, so the clusters are the same ones).

    Guarantees: a second delivery is a no-op (the run row is claimed); reviewed decisions
    on an identical cluster (and its pairs) from an earlier run are carried over; once
    stored, the organisation's earlier clusters are marked superseded; the run ends
    succeeded or failed, never stuck running."""
    run = run_claim(run_id)
    if run is None:
        return
    try:
        result = match_records(mirror_records(organization_id=run.organization_id))
        SyncRun.objects.filter(pk=run.pk).update(total=len(result.clusters))
        _store_all(run, result)
        superseded = (
            MatchCluster.objects.filter(organization_id=run.organization_id, superseded=False)
            .exclude(run=run)
            .update(superseded=True)
        )
    except Exception as exc:
        run_finish(run, summary=f"Matching failed: {exc!r}", status=RunStatus.FAILED)
        raise
    stats = result.stats
    run_finish(
        run,
        summary=(
            f"{len(result.clusters)} duplicate clusters among {stats.records} records "
            f"({stats.candidates} candidate pairs scored); {superseded} older clusters superseded."
        ),
        status=RunStatus.SUCCEEDED,
    )


def _store_all(run: SyncRun, result: MatchResult) -> None:
    stored = int(run.cursor.get("stored", 0))
    reviews = _earlier_reviews(run)
    pairs_of = _pairs_by_cluster(result)
    money = _money_by_contact(run.organization_id)
    for start in range(stored, len(result.clusters), BATCH):
        batch = result.clusters[start : start + BATCH]
        with transaction.atomic():
            for cluster in batch:
                _store(run, result, cluster, pairs_of[cluster.key], reviews, money)
            SyncRun.objects.filter(pk=run.pk).update(processed=start + len(batch))
            run_beat(run, cursor={"stored": start + len(batch)})


def _pairs_by_cluster(result: MatchResult) -> dict[int, list]:
    cluster_of = {ref: c.key for c in result.clusters for ref in c.refs}
    found = defaultdict(list)
    for pair in result.pairs:
        key = cluster_of.get(pair.a)
        if key is not None and cluster_of.get(pair.b) == key:
            found[key].append(pair)
    return found


def _earlier_reviews(run: SyncRun) -> dict[frozenset, MatchCluster]:
    """The organisation's reviewed, current clusters, by their members."""
    reviewed = MatchCluster.objects.filter(
        organization_id=run.organization_id, superseded=False
    ).exclude(Q(review=Review.PENDING) | Q(run=run))
    return {frozenset(c.refs): c for c in reviewed.prefetch_related("pairs")}


def _money_by_contact(organization_id: str) -> dict[str, tuple[int, Decimal]]:
    rows = BooksContact.objects.filter(organization_id=organization_id).exclude(
        invoice_count=0, outstanding_receivable=0
    )
    fields = ("contact_id", "invoice_count", "outstanding_receivable")
    return {cid: (count, owed) for cid, count, owed in rows.values_list(*fields)}


def _money(money: dict, cluster: Cluster) -> tuple[int, Decimal]:
    found = [money.get(ref[6:], (0, Decimal(0))) for ref in cluster.refs if ref[:6] == "books:"]
    return sum(c for c, _ in found), sum((o for _, o in found), Decimal(0))


def _snapshot(result: MatchResult, cluster: Cluster) -> dict:
    keep = ("name", "currency", "status", "contact_type", "crm_link", "has_transactions",
            "deals", "modified")  # fmt: skip
    return {ref: {k: getattr(result.records[ref], k) for k in keep} for ref in cluster.refs}


def _store(run, result, cluster: Cluster, pairs: list, reviews: dict, money: dict) -> None:
    earlier = reviews.get(frozenset(cluster.refs))
    invoices, outstanding = _money(money, cluster)
    row = MatchCluster.objects.create(
        run=run,
        organization_id=run.organization_id,
        key=cluster.key,
        refs=list(cluster.refs),
        direction=cluster.direction,
        band=cluster.band.value,
        survivors=earlier.survivors if earlier else dict(cluster.survivors),
        proposed_survivors=dict(cluster.survivors),
        blockers=list(cluster.blockers),
        evidence=list(cluster.evidence),
        snapshot=_snapshot(result, cluster),
        invoice_count=invoices,
        outstanding=outstanding,
        review=earlier.review if earlier else Review.PENDING,
        reviewed_by=earlier.reviewed_by if earlier else None,
        reviewed_at=earlier.reviewed_at if earlier else None,
    )
    decided = {(p.a, p.b): p for p in earlier.pairs.all()} if earlier else {}
    MatchPair.objects.bulk_create(
        MatchPair(
            cluster=row,
            a=p.a,
            b=p.b,
            score=p.score,
            band=p.band.value,
            evidence=list(p.evidence),
            decision=decided[(p.a, p.b)].decision if (p.a, p.b) in decided else Review.PENDING,
            decided_by=decided[(p.a, p.b)].decided_by if (p.a, p.b) in decided else None,
            decided_at=decided[(p.a, p.b)].decided_at if (p.a, p.b) in decided else None,
        )
        for p in pairs
    )


def match_runs_stale() -> list[int]:
    """Match runs whose worker stopped beating: ids to deliver again (they resume)."""

    cutoff = timezone.now() - STALE_AFTER
    return list(
        SyncRun.objects.filter(
            kind=RunKind.CLEANUP, status=RunStatus.RUNNING, heartbeat_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
