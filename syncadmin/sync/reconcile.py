"""Reconcile: the scheduled safety net under the webhooks.

Zoho does not retry a workflow webhook it failed to deliver, and a notification channel can
lapse, so every interval reconcile reads the CRM delta since the mirror's watermark and
pushes what Books has not seen: unlinked in-scope records and linked ones whose Books
payload no longer matches what was pushed (drift). It also re-derives the links (orphans,
crossings, native duplicates), retries failures whose time has come and ends timed pauses.
A paused record or organisation is never pushed from here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import F, Q
from django.utils import timezone

from syncadmin.models import (
    CrmRecord,
    LinkState,
    ModuleMapping,
    RecordLink,
    RunKind,
    RunStatus,
    RunTrigger,
    SyncFailure,
    SyncRun,
    SyncSettings,
)
from syncadmin.models.mapping import NOT_LIVE_STATES
from syncadmin.sync import runs
from syncadmin.sync.controls import pauses_expire
from syncadmin.sync.failures import failures_due
from syncadmin.sync.mirror import mirror_pull, watermark_get, watermark_set
from syncadmin.sync.profile import sync_settings_ensure
from syncadmin.sync.push import PUSHABLE_MODULES, record_push
from syncadmin.sync.shape import books_payload, in_scope
from syncadmin.zoho.ids import InvalidZohoId, crm_module, zoho_id

LANE = "reconcile"


@dataclass
class ReconcileReport:
    pushed: Counter = field(default_factory=Counter)
    retried: Counter = field(default_factory=Counter)
    skipped_paused: int = 0
    resumed: int = 0
    drift: int = 0
    books_edits: int = 0

    def __str__(self) -> str:
        pushed = ", ".join(f"{n} {k}" for k, n in sorted(self.pushed.items())) or "nothing"
        retried = ", ".join(f"{n} {k}" for k, n in sorted(self.retried.items())) or "none"
        return (
            f"Pushed: {pushed}. Drifted pairs: {self.drift}. Customers edited in Books "
            f"since their last push: {self.books_edits}. Retries: {retried}. "
            f"Paused, left alone: {self.skipped_paused}. Timed pauses ended: {self.resumed}."
        )


def modules_pushed(settings: SyncSettings) -> tuple[str, ...]:
    """Which CRM module becomes Books customers under the organisation's mapping."""
    if settings.module_mapping == ModuleMapping.CONTACTS:
        return ("Contacts",)
    return ("Accounts",)  # "both": contacts travel as the account's contact persons


def reconcile_start(
    *, organization_id: str, trigger: str = RunTrigger.SCHEDULE, user=None
) -> SyncRun:
    """A queued reconcile run for a task to claim."""
    return runs.run_create(
        kind=RunKind.RECONCILE, trigger=trigger, organization_id=organization_id, user=user
    )


def reconcile_execute(*, run_id: int) -> SyncRun | None:
    """Claim and run one reconcile.

    Guarantees: a run another worker holds is left alone (None); every in-scope record
    changed in CRM since the last mirror that is unlinked or drifted is pushed once, on the
    reconcile lane (so interactive and real-time work go first); paused records and a
    paused organisation are not pushed or retried; the run always ends with a summary.
    """
    run = runs.run_claim(run_id)
    if run is None:
        return None
    report = ReconcileReport()
    try:
        _reconcile(run, report)
    except Exception as exc:  # never left running; the task's retry policy decides on more
        runs.run_finish(run, summary=f"{report} Stopped: {exc}", status=RunStatus.FAILED)
        raise
    return runs.run_finish(run, summary=str(report))


def reconcile_now(
    *, organization_id: str, trigger: str = RunTrigger.MANUAL, user=None
) -> SyncRun | None:
    """One reconcile in this process (``sync_now``, tests)."""
    run = reconcile_start(organization_id=organization_id, trigger=trigger, user=user)
    return reconcile_execute(run_id=run.pk)


def _reconcile(run: SyncRun, report: ReconcileReport) -> None:
    org = run.organization_id
    settings = sync_settings_ensure(books_organization_id=org)
    started = timezone.now()
    report.resumed = pauses_expire()
    modules = modules_pushed(settings)
    # Reconcile keeps its own watermark, moved only by a reconcile that may push: what
    # changed while the organisation was paused is still ahead of it when it resumes.
    since = {m: watermark_get(org, f"reconcile:{m}") for m in modules}
    touched = watermark_get(org, "reconcile:at")
    mirror_pull(organization_id=org, trigger=RunTrigger.SYSTEM, lane=LANE)
    runs.run_beat(run)
    settings.refresh_from_db()
    if settings.paused:
        report.skipped_paused = -1  # the whole organisation
        return
    paused = _paused_record_ids(org)
    for module in modules:
        watermark_set(org, f"reconcile:{module}", watermark_get(org, f"crm:{module}"))
    watermark_set(org, "reconcile:at", started)
    report.books_edits = _books_edits(org)
    for record in _candidates(settings, modules, since, touched, report):
        if record.pk in paused:
            report.skipped_paused += 1
            continue
        outcome = record_push(
            organization_id=org, module=record.module, crm_id=record.crm_id,
            fields=record.raw or None, trigger=RunTrigger.SCHEDULE, run=run, lane=LANE,
        )  # fmt: skip
        report.pushed[outcome.outcome] += 1
        runs.run_beat(run)
    _retry_due(run, settings, paused, report)


def _paused_record_ids(org: str) -> set[int]:
    """CRM records whose live link is paused (a pause whose time has passed does not count;
    ``pauses_expire`` has just lifted those)."""
    return set(
        RecordLink.objects.filter(books_organization_id=org, paused=True)
        .exclude(state__in=NOT_LIVE_STATES)
        .exclude(crm_record__isnull=True)
        .values_list("crm_record_id", flat=True)
    )


def _candidates(
    settings: SyncSettings,
    modules,
    since: dict[str, datetime | None],
    touched: datetime | None,
    report: ReconcileReport,
):
    """In-scope live records that have no Books customer yet or whose linked pair drifted,
    among those changed in CRM since the last reconcile or whose link changed since (a
    record resumed after a pause, a link a person undid)."""
    org = settings.books_organization_id
    changed = Q()
    for module in modules:
        window = Q(module=module)
        if since[module] is not None:
            window &= Q(modified_time__gte=since[module])
        changed |= window
    if touched is not None:
        changed |= Q(
            module__in=modules,
            links__books_organization_id=org,
            links__updated_at__gte=touched,
        )
    records = (
        CrmRecord.objects.filter(changed, deleted_at__isnull=True)
        .distinct()
        .order_by("modified_time", "pk")
    )
    links = {
        link.crm_record_id: link
        for link in RecordLink.objects.filter(books_organization_id=org, crm_record__in=records)
        .exclude(state__in=NOT_LIVE_STATES)
        .only("crm_record_id", "state", "pushed_payload_hash", "books_contact_id")
    }
    for record in records.iterator():
        fields = record.raw or {}
        if not in_scope(fields, scope_field=settings.scope_field, scope_value=settings.scope_value):
            continue
        link = links.get(record.pk)
        if link is None or link.books_contact_id is None:
            yield record  # never had a Books customer (a paused placeholder included)
        elif link.state == LinkState.LINKED and drifted(settings, record, link):
            report.drift += 1
            yield record
        # Other states (Books side deleted, inactive …) wait for a person: pushing would
        # make a second customer next to an inactive one.


def _books_edits(org: str) -> int:
    """Linked customers someone edited in Books after syncadmin last pushed them: CRM's
    values win at the record's next change, so they are counted, not reverted."""
    return RecordLink.objects.filter(
        books_organization_id=org,
        state=LinkState.LINKED,
        last_pushed_at__isnull=False,
        books_contact__last_modified_time__gt=F("last_pushed_at") + timedelta(seconds=5),
    ).count()


def drifted(settings: SyncSettings, record: CrmRecord, link: RecordLink) -> bool:
    """The Books payload CRM's values make differs from what was last pushed. A pair never
    pushed by syncadmin (imported from the native sync) has no hash to compare: a push
    then sets one, costing one update only if the values differ."""
    shaped = books_payload(
        module=record.module, fields=record.raw or {}, country=settings.books_country,
        overrides=settings.field_mapping,
    )  # fmt: skip
    return not shaped.missing and shaped.hash != link.pushed_payload_hash


def _retry_due(run: SyncRun, settings: SyncSettings, paused: set[int], report) -> None:
    """Retry the organisation's failures whose backoff has passed, by pushing afresh."""
    org = settings.books_organization_id
    for failure in failures_due():
        if failure.organization_id != org:
            continue
        target = _crm_subject(failure)
        if target is None or target[0] not in PUSHABLE_MODULES:
            continue
        module, crm_id = target
        if failure.crm_record_id in paused or _paused_by_id(org, module, crm_id):
            report.skipped_paused += 1
            continue
        outcome = record_push(
            organization_id=org, module=module, crm_id=crm_id, fields=None,
            trigger=RunTrigger.SYSTEM, run=run, lane=LANE,
        )  # fmt: skip
        report.retried[outcome.outcome] += 1
        runs.run_beat(run)


def _crm_subject(failure: SyncFailure) -> tuple[str, str] | None:
    """(module, crm id) from the failure's open key "<org>:<module>:<id>:<reason>"."""
    parts = failure.open_key.split(":")
    if len(parts) < 4:
        return None
    try:
        return crm_module(parts[1]), zoho_id(parts[2])
    except InvalidZohoId:
        return None


def _paused_by_id(org: str, module: str, crm_id: str) -> bool:
    return (
        RecordLink.objects.filter(
            books_organization_id=org,
            paused=True,
            crm_record__module=module,
            crm_record__crm_id=crm_id,
        )
        .exclude(state__in=NOT_LIVE_STATES)
        .exists()
    )


def failures_retry_due() -> int:
    """Retry, for every organisation, the failures whose backoff has passed (Zoho busy,
    budget spent, a network blip), so a transient failure costs about its backoff rather
    than a whole reconcile interval. Paused records are left alone. Returns the retries."""
    retried = 0
    for settings in SyncSettings.objects.filter(paused=False):
        org = settings.books_organization_id
        run = runs.run_rolling(kind=RunKind.PUSH, trigger=RunTrigger.SYSTEM, organization_id=org)
        report = ReconcileReport()
        _retry_due(run, settings, _paused_record_ids(org), report)
        retried += sum(report.retried.values())
    return retried


def reconcile_all(*, trigger: str = RunTrigger.SCHEDULE) -> list[int]:
    """Queue one reconcile per organisation that has sync settings; the run ids."""
    return [
        reconcile_start(organization_id=org, trigger=trigger).pk
        for org in SyncSettings.objects.values_list("books_organization_id", flat=True)
    ]
