"""Bulk actions from the mapping browser and the failures screen: one service call per
record, each audited by the control it calls; one record's failure never stops the rest."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser

from syncadmin.models import RecordLink, SyncFailure

BULK_LIMIT = 200
ACTIONS = ("pause", "resume", "push")


@dataclass
class BulkResult:
    done: int = 0
    failed: list[str] = field(default_factory=list)

    def message(self, verb: str) -> str:
        text = f"{verb.capitalize()}: {self.done} done"
        if self.failed:
            text += f", {len(self.failed)} not: " + "; ".join(self.failed[:5])
        return text + "."


def links_bulk(
    *, action: str, link_ids: list[int], actor: AbstractBaseUser, reason: str = ""
) -> BulkResult:
    """Pause, resume or push each of ``link_ids`` (at most ``BULK_LIMIT``).

    Guarantees: each link is handled by the single-record control, so bulk and one-by-one
    leave the same audit trail; a failing record is reported, the others still run.
    """
    from syncadmin.sync import controls  # landed by the controls owner

    if action not in ACTIONS:
        raise ValueError(f"unknown bulk action {action!r}")
    result = BulkResult()
    links = RecordLink.objects.filter(pk__in=link_ids[:BULK_LIMIT]).select_related("crm_record")
    for link in links:
        try:
            if action == "pause":
                controls.record_pause(link=link, actor=actor, reason=reason or "Paused in bulk")
            elif action == "resume":
                controls.record_resume(link=link, actor=actor)
            else:
                _push(controls, link.crm_record, link.books_organization_id, actor, result)
                continue
            result.done += 1
        except Exception as exc:
            result.failed.append(f"{link}: {exc}")
    return result


def failures_retry(*, failure_ids: list[int], actor: AbstractBaseUser) -> BulkResult:
    """Push now each failed CRM record once (a record failing twice is retried once)."""
    from syncadmin.sync import controls

    result = BulkResult()
    seen: set[tuple[str, int]] = set()
    failures = SyncFailure.objects.filter(
        pk__in=failure_ids[:BULK_LIMIT], resolved_at__isnull=True
    ).select_related("crm_record")
    for failure in failures:
        key = (failure.organization_id, failure.crm_record_id)
        if failure.crm_record is None or key in seen:
            continue
        seen.add(key)
        try:
            _push(controls, failure.crm_record, failure.organization_id, actor, result)
        except Exception as exc:
            result.failed.append(f"{failure.crm_record}: {exc}")
    return result


def _push(controls, crm_record, organization_id: str, actor, result: BulkResult) -> None:
    if crm_record is None:
        result.failed.append("a link without a CRM record cannot be pushed")
        return
    outcome = controls.record_push_now(
        crm_record=crm_record, organization_id=organization_id, actor=actor
    )
    if getattr(outcome, "reason_code", ""):
        result.failed.append(f"{crm_record.name}: {outcome.message or outcome.reason_code}")
    else:
        result.done += 1
