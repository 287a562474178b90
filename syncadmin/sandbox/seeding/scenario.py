"""`seed()`: build a scenario and write its ground truth. Shared by the management
command, the control route and bench/seed.py."""

import json
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction

from ..models import BooksContact, BooksContactPerson, CrmRecord
from ..models.books import SyncType
from ..native.service import native_sync_connect, native_sync_disconnect
from ..native.views import run_dict
from .messy import Entity, Messy, prepare
from .phases import phase_a, phase_b, phase_c
from .writer import fast_sqlite, normal_sqlite

SCENARIOS = ("messy",)
MIN_SIZE, MAX_SIZE = 50, 200_000
CLEAN_PATTERNS = ("clean", "pre_paired")
ORG_ALIASES = {"uk": "20000001", "in": "20000002"}


def default_truth_path(scenario: str, size: int, seed: int) -> Path:
    return Path(settings.VAR_DIR) / f"sandbox-truth-{scenario}-{size}-{seed}.json"


def seed(
    *,
    scenario: str = "messy",
    size: int,
    seed: int,
    org: str = "in",
    truth_path: str | Path | None = None,
    deactivate_sync_user: bool = False,
) -> dict:
    """Wipe the sandbox, build `scenario` with about `size` records (CRM accounts,
    contacts, deals + Books contacts + invoices) deterministically from `seed`, and write
    the ground truth. Same arguments → same ids, names and counts."""
    if scenario not in SCENARIOS:
        raise ValueError(f"scenario must be one of {', '.join(SCENARIOS)}")
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise ValueError(f"size must be between {MIN_SIZE} and {MAX_SIZE}")
    started = time.monotonic()
    books_org = prepare(ORG_ALIASES.get(org, org), deactivate_sync_user=deactivate_sync_user)
    messy = Messy(size=size, seed=seed, org=books_org)
    _timeline(messy)
    truth = ground_truth(messy)
    path = Path(truth_path) if truth_path else default_truth_path(scenario, size, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = {"scenario": scenario, "size": size, "seed": seed, "org": books_org.organization_id}
    path.write_text(json.dumps({**header, **truth}, indent=1))
    return {
        **header,
        "seconds": round(time.monotonic() - started, 2),
        "timings": messy.timings,
        "records": _record_counts(messy),
        "patterns": truth["counts"],
        "runs": [run_dict(r) | {"failures": len(r.failures)} for r in messy.runs],
        "sync_user_active": not deactivate_sync_user,
        "truth_path": str(path),
    }


def _timeline(m: Messy) -> None:
    m.t1 = m.base - timedelta(days=300)
    m.t2 = m.base - timedelta(days=180)
    m.t3 = m.base - timedelta(minutes=1)
    fast_sqlite()  # outside the transaction: SQLite refuses it inside
    try:
        with transaction.atomic():
            _events(m)
    finally:
        normal_sqlite()


def _events(m: Messy) -> None:
    steps = [
        ("history", lambda: (phase_a(m), m.w.flush())),
        ("first_sync", lambda: (_connect(m), m.sync(m.t1))),
        ("before_reconnect", lambda: phase_b(m, m.linked())),
        ("reconnect_sync", lambda: (_reconnect(m), m.sync(m.t2))),
        ("after_reconnect", lambda: phase_c(m, m.linked())),
        ("last_sync", lambda: m.sync(m.t3)),
    ]
    for name, step in steps:
        started = time.monotonic()
        step()
        m.timings[name] = round(time.monotonic() - started, 2)


def _connect(m: Messy) -> None:
    native_sync_connect(m.org, sync_type=SyncType.ACCOUNTS_AND_CONTACTS)


def _reconnect(m: Messy) -> None:
    native_sync_disconnect(m.org)
    native_sync_connect(m.org)


def _record_counts(m: Messy) -> dict:
    crm = Counter(
        CrmRecord.objects.filter(org=m.org.crm_org).values_list("module", flat=True).iterator()
    )
    books = BooksContact.objects.filter(org=m.org).count()
    counts = {
        "crm_accounts": crm["Accounts"],
        "crm_contacts": crm["Contacts"],
        "crm_deals": crm["Deals"],
        "books_contacts": books,
        "books_invoices": m.org.invoices.count(),
    }
    counts["total"] = sum(counts.values())
    counts["books_contact_persons"] = BooksContactPerson.objects.filter(contact__org=m.org).count()
    return counts


def ground_truth(m: Messy) -> dict:
    """Clusters of records that are one real customer, for every messy entity."""
    by_books = {cid: e for e in m.entities for cid in e.books}
    by_crm = {a.record_id: e for e in m.entities for a in e.accounts}
    members: dict[int, list[dict]] = {}
    rows = BooksContact.objects.filter(org=m.org).values_list(
        "contact_id", "contact_name", "zcrm_account_id", "has_transaction"
    )
    for cid, name, zcrm, has_tx in rows.order_by("contact_id").iterator(chunk_size=5000):
        entity = by_books.get(cid) or by_crm.get(zcrm)
        if entity is not None:
            member = {"contact_id": cid, "contact_name": name, "zcrm_account_id": zcrm}
            members.setdefault(entity.key, []).append(member | {"has_transaction": has_tx})
    clusters = [
        _cluster(e, members.get(e.key, [])) for e in m.entities if e.pattern not in CLEAN_PATTERNS
    ]
    return {"counts": _pattern_counts(m.entities, clusters), "clusters": clusters}


def _cluster(e: Entity, books: list[dict]) -> dict:
    alive = [a.record_id for a in e.accounts if a.record_id not in e.dead]
    return {
        "cluster": e.key,
        "pattern": e.pattern,
        "detail": e.detail,
        "name": e.name,
        "books_contact_ids": [b["contact_id"] for b in books],
        "books_contacts": books,
        "crm_account_ids": alive,
        "dead_crm_account_ids": list(e.dead),
        "crm_contact_ids": [c.record_id for c in e.contacts],
        "duplicate": len(books) > 1 or len(alive) > 1,
    }


def _pattern_counts(entities: list[Entity], clusters: list[dict]) -> dict:
    counts: dict[str, dict] = {}
    for e in entities:
        counts.setdefault(e.pattern, {"entities": 0, "duplicate_clusters": 0, "extra_books": 0})
        counts[e.pattern]["entities"] += 1
    for c in clusters:
        if c["duplicate"]:
            counts[c["pattern"]]["duplicate_clusters"] += 1
        counts[c["pattern"]]["extra_books"] += max(0, len(c["books_contact_ids"]) - 1)
    return counts
