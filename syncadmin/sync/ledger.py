"""Claim-before-send: one holder at a time talks to Books about a CRM record."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from syncadmin.models import LedgerState, PushLedger

WAIT_SECONDS = 20.0


class RecordBusy(Exception):
    """Another worker held the record's claim for longer than we were willing to wait."""


def _ensure_row(organization_id: str, module: str, crm_id: str) -> None:
    """The record's ledger row exists afterwards (one statement, whoever inserted it)."""
    row = PushLedger(
        books_organization_id=organization_id, crm_module=module, crm_id=crm_id,
        state=LedgerState.DONE,
    )  # fmt: skip
    PushLedger.objects.bulk_create([row], ignore_conflicts=True)


def _try_claim(rows) -> str | None:
    """Claim the row(s) of ``rows`` if nobody holds an unexpired claim; the token, or None."""
    now = timezone.now()
    token = uuid.uuid4().hex
    hold = timedelta(seconds=settings.PUSH_CLAIM_SECONDS)
    claimed = rows.filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)).update(
        claim_token=token, claimed_until=now + hold, state=LedgerState.CLAIMED
    )
    return token if claimed else None


@contextmanager
def ledger_claim(
    *, organization_id: str, module: str, crm_id: str, wait: float = WAIT_SECONDS
) -> Iterator[PushLedger]:
    """Hold the record's claim for the block; wait (with jitter) while another holds it.

    Guarantees: of concurrent pushes of one record, one at a time is inside the block; a
    holder that crashed loses the claim when it expires (``PUSH_CLAIM_SECONDS``), so the
    record is never locked for good. Raises ``RecordBusy`` after ``wait`` seconds.
    """
    _ensure_row(organization_id, module, crm_id)
    rows = PushLedger.objects.filter(
        books_organization_id=organization_id, crm_module=module, crm_id=crm_id
    )
    deadline = time.monotonic() + wait
    token = _try_claim(rows)
    while token is None:
        if time.monotonic() > deadline:
            raise RecordBusy(f"{module} {crm_id} is being pushed by another worker.")
        time.sleep(random.uniform(0.02, 0.2))
        token = _try_claim(rows)
    row = rows.get()
    try:
        yield row
    finally:
        PushLedger.objects.filter(pk=row.pk, claim_token=token).update(
            claimed_until=None,
            state=LedgerState.FAILED if row.state == LedgerState.FAILED else LedgerState.DONE,
        )


def ledger_record(row: PushLedger, **values) -> None:
    """Save what the holder learned (contact id, payload hash, write-back owed …)."""
    for name, value in values.items():
        setattr(row, name, value)
    PushLedger.objects.filter(pk=row.pk).update(**values)
