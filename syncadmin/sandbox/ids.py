"""Zoho-looking numeric string ids: CRM 19 digits, Books 15 digits.

Each id is a fixed prefix plus a 12-digit counter. Without a `random.Random` the counter is
a hybrid clock: max(last + 1, milliseconds since 2024), so ids are unique within the process
and, after `prime()` with the largest id already stored, across restarts too. With a
`random.Random` the sequence is deterministic and lives below 10**10, a range the clock
never reaches, so seeded ids never collide with ids minted by the server.
"""

import random
import threading
import time

_EPOCH_MS = 1_704_067_200_000  # 2024-01-01T00:00:00Z
_COUNTER_DIGITS = 12
_SEEDED_CEILING = 10**10

CRM_PREFIX = "5725767"  # 7 + 12 = 19 digits, shaped like "3652397000009851001"
BOOKS_PREFIX = "460"  # 3 + 12 = 15 digits, shaped like "460000000026049"


class IdSequence:
    """Thread-safe, strictly increasing ids of one shape."""

    def __init__(self, prefix: str, rng: random.Random | None = None) -> None:
        self.prefix = prefix
        self._rng = rng
        self._lock = threading.Lock()
        self._last = rng.randrange(10**9, 2 * 10**9) if rng else 0

    def next(self) -> str:
        with self._lock:
            if self._rng is not None:
                self._last += self._rng.randint(1, 16)
                if self._last >= _SEEDED_CEILING:
                    raise OverflowError("seeded id range exhausted")
            else:
                self._last = max(self._last + 1, int(time.time() * 1000) - _EPOCH_MS)
            return f"{self.prefix}{self._last:0{_COUNTER_DIGITS}d}"

    def take(self, n: int) -> list[str]:
        """`n` ids at once, for bulk seeding."""
        return [self.next() for _ in range(n)]

    def prime(self, largest: str | None) -> None:
        """Never hand out an id at or below `largest` (an id of this shape already stored)."""
        if not largest or not largest.startswith(self.prefix):
            return
        with self._lock:
            self._last = max(self._last, int(largest[len(self.prefix) :]))


crm_ids = IdSequence(CRM_PREFIX)
books_ids = IdSequence(BOOKS_PREFIX)


def crm_id() -> str:
    """A new 19-digit CRM id (records, users, webhooks, orgs)."""
    return crm_ids.next()


def books_id() -> str:
    """A new 15-digit Books id (contacts, persons, invoices, currencies)."""
    return books_ids.next()
