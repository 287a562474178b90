"""The shared Zoho API budget: one limiter per (service, organisation) for every process.

Every worker and the web process ask here before each Zoho request, so that together they
stay inside Zoho's limits (zoho-api.md §2.8, §3.10) instead of discovering them as 429s:

* Books, per organisation: requests per rolling window (100 per 61 s by default: the extra
  second absorbs the skew between granting a slot here and Zoho counting the request, and
  still allows ~98/min), a daily cap by plan counted per **UTC** day (Zoho counts in the
  org's time zone; a 45 from Zoho closes the budget until the next UTC midnight anyway),
  and at most 10 requests in flight, held as leases that expire so a crashed worker cannot
  leak a slot.
* CRM, per organisation: credits per rolling 24 h, counted in 10-minute buckets (a bucket
  is forgotten as a whole, so the count errs on the safe side), a cost per call (writes
  cost 1 per 10 records: ``zoho.crm.write_cost``), and concurrency leases.
* Priority lanes ``interactive`` > ``realtime`` > ``reconcile`` > ``cleanup`` > ``backfill``.
* ``penalise``: a 429 that got through anyway blocks the organisation (44: a full window;
  1070: about a second; 45: until the next UTC day; CRM: exponential backoff), with jitter.

``limits`` turns a plan into ``Limits``, ``gate`` holds the lanes and the waiting,
``redis_store`` and ``memory_store`` keep the counts, ``factory`` picks the store. Use it
through the factory, which reads ``settings.REDIS_URL``::

    gate = budget.gate(service="books", org_id="20000001", lane="realtime")
    client = zoho.books_client(..., gate=gate)   # the client passes each call's cost

Without ``REDIS_URL`` (the embedded default) the budget lives in this process only
(``MemoryBackend``). The core (``OrgGate`` + a backend) knows no Django.
"""

# ``budget.gate`` is the factory function; it shadows the ``gate`` submodule as an attribute
# of this package, so import from the submodule with ``from syncadmin.budget.gate import …``.
from syncadmin.budget.factory import backend, gate, usage
from syncadmin.budget.gate import (
    KEY_PREFIX,
    LANES,
    MAX_POLL,
    MIN_POLL,
    WAITER_TTL,
    Backend,
    BudgetExhausted,
    DailyCapReached,
    Decision,
    Keys,
    Lane,
    OrgGate,
    Request,
)
from syncadmin.budget.limits import (
    BOOKS_DAILY_CAPS,
    CRM_EDITIONS,
    Limits,
    Service,
    UnknownPlan,
    Usage,
    default_limits,
    limits_for,
    plans_for,
)
from syncadmin.budget.memory_store import MemoryBackend
from syncadmin.budget.redis_store import RedisBackend

__all__ = [
    "BOOKS_DAILY_CAPS",
    "CRM_EDITIONS",
    "KEY_PREFIX",
    "LANES",
    "MAX_POLL",
    "MIN_POLL",
    "WAITER_TTL",
    "Backend",
    "BudgetExhausted",
    "DailyCapReached",
    "Decision",
    "Keys",
    "Lane",
    "Limits",
    "MemoryBackend",
    "OrgGate",
    "RedisBackend",
    "Request",
    "Service",
    "UnknownPlan",
    "Usage",
    "backend",
    "default_limits",
    "gate",
    "limits_for",
    "plans_for",
    "usage",
]
