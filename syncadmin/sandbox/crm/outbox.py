"""Outbound HTTP from the sandbox (webhooks, watch callbacks) on one background thread,
so a CRM write answers at once, as Zoho's does. Zoho does not retry: neither do we."""

import logging
import queue
import threading
from collections.abc import Callable

from django.db import close_old_connections, transaction

from .. import lifecycle

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 5.0

_jobs: queue.Queue[Callable[[], None]] = queue.Queue()
_start_lock = threading.Lock()
_worker: threading.Thread | None = None


def _run() -> None:
    while True:
        job = _jobs.get()
        try:
            job()
        except Exception:  # one bad delivery must never kill the sender
            log.exception("sandbox outbox job failed")
        finally:
            close_old_connections()


def _ensure_worker() -> None:
    global _worker
    with _start_lock:
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_run, name="sandbox-outbox", daemon=True)
            _worker.start()


def enqueue(job: Callable[[], None]) -> None:
    """Run `job()` on the sender thread once the current transaction commits."""
    _ensure_worker()
    transaction.on_commit(lambda: _jobs.put(job))


def _drain() -> None:
    """Reset hook: forget everything not yet sent."""
    while True:
        try:
            _jobs.get_nowait()
        except queue.Empty:
            return


lifecycle.register_reset_hook(_drain)
