"""The sync engine: CRM records into Books within seconds, exactly once, visibly.

``intake`` stores CRM's deliveries, ``push`` brings one record across (``guard`` finds
the party already in Books, ``ledger`` serialises pushes of a record, ``shape`` builds the
Books payload), ``writeback`` tells CRM the Books id, ``failures``/``runs`` keep the
history, ``reasons`` says why in plain words. ``mirror`` pulls CRM and Books into the
local tables (resumable runs), ``links`` turns what they say into links and findings,
``controls`` are the audited per-record and per-organisation switches, ``reconcile``
catches what lost webhooks missed, ``channel`` keeps the CRM notification channel alive,
``money`` shows Books' receivables in CRM.
"""

from syncadmin.sync.channel import channel_ensure, channels_renew_due
from syncadmin.sync.controls import (
    ControlRefused,
    link_relink,
    link_unlink,
    org_pause,
    org_resume,
    pauses_expire,
    record_pause,
    record_push_now,
    record_reimport,
    record_resume,
    sync_settings_update,
)
from syncadmin.sync.failures import failure_record, failures_due, failures_resolve
from syncadmin.sync.links import links_refresh
from syncadmin.sync.mirror import mirror_execute, mirror_pull, mirror_start
from syncadmin.sync.money import money_to_crm
from syncadmin.sync.profile import NotConnected, org_clients, sync_settings_ensure
from syncadmin.sync.push import PushOutcome, record_push
from syncadmin.sync.reasons import reason
from syncadmin.sync.reconcile import reconcile_execute, reconcile_now, reconcile_start

__all__ = [
    "ControlRefused",
    "NotConnected",
    "PushOutcome",
    "channel_ensure",
    "channels_renew_due",
    "failure_record",
    "failures_due",
    "failures_resolve",
    "link_relink",
    "link_unlink",
    "links_refresh",
    "mirror_execute",
    "mirror_pull",
    "mirror_start",
    "money_to_crm",
    "org_clients",
    "org_pause",
    "org_resume",
    "pauses_expire",
    "reason",
    "reconcile_execute",
    "reconcile_now",
    "reconcile_start",
    "record_pause",
    "record_push",
    "record_push_now",
    "record_reimport",
    "record_resume",
    "sync_settings_ensure",
    "sync_settings_update",
]
