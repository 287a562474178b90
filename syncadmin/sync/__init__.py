"""The sync engine: CRM records into Books within seconds, exactly once, visibly.

``intake`` stores CRM's deliveries, ``push`` brings one record across (``guard`` finds
the party already in Books, ``ledger`` serialises pushes of a record, ``shape`` builds the
Books payload), ``writeback`` tells CRM the Books id, ``failures``/``runs`` keep the
history, ``reasons`` says why in plain words.
"""

from syncadmin.sync.failures import failure_record, failures_due, failures_resolve
from syncadmin.sync.profile import NotConnected, org_clients, sync_settings_ensure
from syncadmin.sync.push import PushOutcome, record_push
from syncadmin.sync.reasons import reason

__all__ = [
    "NotConnected",
    "PushOutcome",
    "failure_record",
    "failures_due",
    "failures_resolve",
    "org_clients",
    "reason",
    "record_push",
    "sync_settings_ensure",
]
