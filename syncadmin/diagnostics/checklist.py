"""The questions a consultant asks before touching anything, answered pass / warn / fail
from the facts, each with its evidence and a link to the list that shows it.

``checklist_evaluate`` is pure over ``Facts`` (a clock and thresholds in, checks out), so
each rule is tested with hand-made facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings as django_settings
from django.urls import reverse
from django.utils.timesince import timesince

from syncadmin.diagnostics.facts import Facts

PASS, WARN, FAIL = "pass", "warn", "fail"
SYNC_STALE_AFTER = timedelta(hours=24)
CHANNEL_WARN_BEFORE = timedelta(hours=24)
WEBHOOK_QUIET_AFTER = timedelta(days=3)
VALIDATION_REASONS = (
    "missing_place_of_supply",
    "missing_gst_treatment",
    "missing_vat_treatment",
    "missing_currency",
    "currency_invalid",
)


def pause_threshold() -> timedelta:
    return timedelta(hours=getattr(django_settings, "SYNCADMIN_PAUSE_WARN_HOURS", 24))


@dataclass(frozen=True)
class Check:
    key: str
    question: str
    status: str
    evidence: str
    url: str = ""
    url_label: str = "Show"


def _url(name: str, *args, **query) -> str:
    return reverse(name, args=args) + (f"?{urlencode(query)}" if query else "")


def _ago(moment: datetime | None, now: datetime) -> str:
    return f"{timesince(moment, now).split(',')[0]} ago" if moment else "never"


def checklist_evaluate(facts: Facts) -> list[Check]:
    rules = (
        _sync_running,
        _paused,
        _connecting_user,
        _duplicates_where,
        _duplicates_kind,
        _reconnect,
        _two_way,
        _crossed,
        _native_duplicate,
        _orphans,
        _name_collisions,
        _mandatory_fields,
        _currency,
        _writeback,
        _channel,
    )
    return [rule(facts) for rule in rules]


def _sync_running(f: Facts) -> Check:
    q = "Is the sync running?"
    last = max(f.last_success.values(), default=None)
    evidence = f"Last successful run {_ago(last, f.now)}."
    if f.stuck_runs:
        return Check(
            "sync_running",
            q,
            FAIL,
            f"{f.stuck_runs} run(s) stopped beating (stuck). {evidence}",
            _url("history", status="running"),
            "Running runs",
        )
    if last is None or f.now - last > SYNC_STALE_AFTER:
        return Check(
            "sync_running", q, WARN if last else FAIL, evidence, _url("history"), "History"
        )
    kinds = ", ".join(f"{k} {_ago(v, f.now)}" for k, v in sorted(f.last_success.items()))
    return Check(
        "sync_running", q, PASS, f"Last success per kind: {kinds}.", _url("history"), "History"
    )


def _paused(f: Facts) -> Check:
    q = "Was the sync paused, by whom, and how long ago?"
    paused = [s for s in f.settings if s["paused"]]
    if not paused:
        return Check("paused", q, PASS, "No organisation is paused.")
    s = max(paused, key=lambda s: f.now - (s["paused_at"] or f.now))
    who = s["paused_by__username"] or "someone"
    evidence = (
        f"Organisation {s['books_organization_id']} paused by {who} "
        f"{_ago(s['paused_at'], f.now)}"
        + (f": {s['paused_reason']}" if s["paused_reason"] else "")
        + "."
    )
    old = s["paused_at"] is None or f.now - s["paused_at"] > pause_threshold()
    return Check(
        "paused", q, WARN if old else PASS, evidence, _url("settings-org", s["pk"]), "Settings"
    )


def _connecting_user(f: Facts) -> Check:
    q = "Is the connecting user still active?"
    if not f.connections:
        return Check(
            "connecting_user", q, FAIL, "Nothing is connected.", _url("connections"), "Connect"
        )
    bad = [c for c in f.connections if c["status"] != "connected" or c["user_active"] is False]
    if bad:
        text = "; ".join(
            f"{c['service']} ({c['user_name'] or 'unknown user'}): {c['status'].replace('_', ' ')}"
            for c in bad
        )
        return Check("connecting_user", q, FAIL, text + ".", _url("connections"), "Re-authorise")
    users = ", ".join(sorted({c["user_name"] for c in f.connections if c["user_name"]}))
    return Check(
        "connecting_user",
        q,
        PASS,
        f"Connected and active: {users or 'yes'}.",
        _url("connections"),
        "Connections",
    )


def _duplicates_where(f: Facts) -> Check:
    q = "Are duplicates appearing in Books, in CRM, or both?"
    books, crm = f.books_name_groups + f.books_email_groups, f.crm_name_groups
    where = {(True, True): "both", (True, False): "Books", (False, True): "CRM"}.get(
        (books > 0, crm > 0)
    )
    if not where:
        return Check(
            "duplicates_where", q, PASS, "No two customers share a name or email on either side."
        )
    evidence = (
        f"Books: {books} shared name/email group(s); CRM: {crm} shared-name group(s)"
        f" — duplicates in {where}."
    )
    url = _url("mapping", duplicate="books_name" if books else "crm_name")
    return Check("duplicates_where", q, FAIL if books else WARN, evidence, url, "Duplicates")


def _duplicates_kind(f: Facts) -> Check:
    q = "Do duplicate pairs differ by name, by email, or not at all?"
    same_name_diff_email = f.books_name_groups - f.books_identical_groups
    if not (f.books_name_groups or f.books_email_groups):
        return Check("duplicates_kind", q, PASS, "No Books duplicates to classify.")
    evidence = (
        f"{f.books_email_groups} differ by name (same email, drifted names); "
        f"{same_name_diff_email} differ by email; {f.books_identical_groups} identical."
    )
    if f.books_identical_groups:
        evidence += " Identical names point at a broken mapping (the same record pushed twice)."
        return Check(
            "duplicates_kind",
            q,
            FAIL,
            evidence,
            _url("mapping", duplicate="books_name"),
            "Identical pairs",
        )
    return Check(
        "duplicates_kind",
        q,
        WARN,
        evidence,
        _url("mapping", duplicate="books_email"),
        "Drifted pairs",
    )


def _reconnect(f: Facts) -> Check:
    q = "Has anyone disconnected and reconnected recently?"
    disconnects = [r for r in f.reconnects if r["action"] == "connection.disconnect"]
    extra_bursts = f.burst_days[1:]  # the first burst is the integration's first sync
    twice = f.crm_ids_on_two_customers
    if not disconnects and not extra_bursts and not twice:
        return Check(
            "reconnect",
            q,
            PASS,
            "No disconnect in the last 90 days and no second burst of name-matched links.",
        )
    parts = []
    if disconnects:
        d = disconnects[0]
        parts.append(
            f"{d['actor_label']} disconnected {d['target_label'] or 'a connection'} "
            f"{_ago(d['at'], f.now)}"
        )
    if twice:
        parts.append(f"{twice} CRM record(s) have two Books customers carrying their id")
    if extra_bursts:
        parts.append(
            "bursts of native name-matched links on "
            + ", ".join(f"{day} ({n})" for day, n in extra_bursts)
        )
    return Check(
        "reconnect",
        q,
        WARN,
        "; ".join(parts) + ". A reconnect re-pairs by exact name and duplicates renamed records.",
        _url("mapping", provenance="native_name_match"),
        "Name-matched links",
    )


def _two_way(f: Facts) -> Check:
    q = "Are customers created directly in Books while CRM also creates them?"
    if not f.books_made_since_integration or not f.crm_made_since_integration:
        return Check("two_way", q, PASS, "Customers are created on one side only.")
    return Check(
        "two_way",
        q,
        WARN,
        f"{f.books_made_since_integration} customer(s) created in Books since the "
        "integration started, "
        f"beside {f.crm_made_since_integration} from CRM: two-way creation breeds duplicates.",
        _url("mapping-unlinked", "books"),
        "Books-only customers",
    )


def _crossed(f: Facts) -> Check:
    q = "Are there crossed mappings?"
    if not f.crossed_links:
        return Check("crossed", q, PASS, "No Books customer is linked to two CRM records.")
    return Check(
        "crossed",
        q,
        FAIL,
        f"{f.crossed_links} link(s) share a Books customer with another CRM record.",
        _url("mapping", crossed="true"),
        "Crossed links",
    )


def _native_duplicate(f: Facts) -> Check:
    q = "Does the native integration duplicate what syncadmin pushes?"
    n = f.native_duplicates + f.open_by_reason.get("native_duplicate", 0)
    if not n:
        return Check("native_duplicate", q, PASS, "No extra Books copies made by the native sync.")
    return Check(
        "native_duplicate",
        q,
        FAIL,
        f"{n} native duplicate finding(s): set the native integration's duplicate "
        "handling to Skip.",
        _url("mapping", state="native_duplicate"),
        "Native duplicates",
    )


def _orphans(f: Facts) -> Check:
    q = "Are links orphaned by deletes, deactivations or merges?"
    total = sum(f.orphaned.values())
    if not total:
        return Check("orphans", q, PASS, "Every link has both sides.")
    text = ", ".join(f"{n} {state.replace('_', ' ')}" for state, n in sorted(f.orphaned.items()))
    state = max(f.orphaned, key=f.orphaned.get)
    return Check("orphans", q, WARN, f"{text}.", _url("mapping", state=state), "Orphaned links")


def _name_collisions(f: Facts) -> Check:
    q = "Do Books display names collide (3062)?"
    n = f.open_by_reason.get("display_name_taken", 0)
    if not n:
        return Check("name_collisions", q, PASS, "No open display-name collisions.")
    return Check(
        "name_collisions",
        q,
        FAIL,
        f"{n} record(s) cannot be created: the display name is taken.",
        _url("failures", reason_code="display_name_taken", open="true"),
        "Collisions",
    )


def _mandatory_fields(f: Facts) -> Check:
    q = "Are mandatory Books fields missing (place of supply, GST/VAT treatment, currency)?"
    found = {r: f.open_by_reason[r] for r in VALIDATION_REASONS if f.open_by_reason.get(r)}
    ahead = {r: n for r, n in f.preflight_missing.items() if n}
    if not found and not ahead:
        return Check("mandatory_fields", q, PASS, "No record is missing a mandatory Books field.")
    text = "; ".join(
        [f"{n} failed: {r.replace('_', ' ')}" for r, n in found.items()]
        + [f"{n} unpushed record(s) would fail: {r.replace('_', ' ')}" for r, n in ahead.items()]
    )
    if found:
        top = max(found, key=found.get)
        return Check(
            "mandatory_fields",
            q,
            FAIL,
            f"{text}.",
            _url("failures", reason_code=top, open="true"),
            "Fix in place",
        )
    return Check(
        "mandatory_fields", q, WARN, f"{text}.", _url("mapping-unlinked", "crm"), "Unpushed records"
    )


def _currency(f: Facts) -> Check:
    q = "Do linked pairs disagree on currency?"
    if not f.currency_mismatches:
        return Check("currency", q, PASS, "Linked pairs agree on currency.")
    return Check(
        "currency",
        q,
        WARN,
        f"{f.currency_mismatches} linked pair(s) have a different currency in CRM and Books.",
        _url("failures", reason_code="currency_invalid"),
        "Currency failures",
    )


def _writeback(f: Facts) -> Check:
    q = "Is the CRM write-back field present?"
    missing = [s for s in f.settings if s["writeback_field_present"] is False]
    unknown = [s for s in f.settings if s["writeback_field_present"] is None]
    if missing:
        s = missing[0]
        return Check(
            "writeback",
            q,
            FAIL,
            f"CRM has no field {s['writeback_field']} for the Books id.",
            _url("settings-org", s["pk"]),
            "Settings",
        )
    if unknown or not f.settings:
        return Check(
            "writeback",
            q,
            WARN,
            "Not checked yet: the next sync checks CRM's field metadata.",
            _url("settings"),
            "Settings",
        )
    return Check("writeback", q, PASS, "The write-back field exists in CRM.")


def _channel(f: Facts) -> Check:
    q = "Is the webhook / notification channel installed and delivering?"
    if not f.settings:
        return Check(
            "channel",
            q,
            WARN,
            "No organisation is set up for sync yet.",
            _url("settings"),
            "Settings",
        )
    for s in f.settings:
        expires, last = s["channel_expires_at"], s["last_webhook_at"]
        if s["channel_error"]:
            return Check(
                "channel",
                q,
                FAIL,
                f"Channel error: {s['channel_error']}",
                _url("settings-org", s["pk"]),
                "Settings",
            )
        if not expires and not last:
            return Check(
                "channel",
                q,
                FAIL,
                "No webhook or notification channel has ever delivered.",
                _url("settings-org", s["pk"]),
                "Settings",
            )
        if expires and expires < f.now:
            return Check(
                "channel",
                q,
                FAIL,
                f"The notification channel expired {_ago(expires, f.now)}.",
                _url("settings-org", s["pk"]),
                "Settings",
            )
        if expires and expires - f.now < CHANNEL_WARN_BEFORE:
            return Check(
                "channel",
                q,
                WARN,
                f"The notification channel expires in {timesince(f.now, expires)}.",
                _url("settings-org", s["pk"]),
                "Settings",
            )
        if last and f.now - last > WEBHOOK_QUIET_AFTER:
            return Check(
                "channel",
                q,
                WARN,
                f"Last delivery {_ago(last, f.now)}.",
                _url("settings-org", s["pk"]),
                "Settings",
            )
    if f.rejected_deliveries:
        return Check(
            "channel", q, WARN, f"{f.rejected_deliveries} delivery(ies) rejected in the last day."
        )
    return Check("channel", q, PASS, "Installed and delivering.")


def checklist_counts(checks: list[Check]) -> dict[str, int]:
    return {s: sum(1 for c in checks if c.status == s) for s in (PASS, WARN, FAIL)}
