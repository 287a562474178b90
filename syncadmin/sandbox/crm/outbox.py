"""Outbound HTTP from the sandbox (webhooks, watch callbacks) on a few background
threads, so a CRM write answers at once, as Zoho's does. Zoho does not retry: neither do
we. Several senders keep a burst (500 creates in a row) flowing even when the receiving
URL is slow; like Zoho's, deliveries are therefore not strictly ordered."""

import logging
import queue
import threading
from collections.abc import Callable

import httpx
from django.db import close_old_connections, transaction

from .. import lifecycle

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 5.0
SENDERS = 8

_jobs: queue.Queue[Callable[[], None]] = queue.Queue()
_start_lock = threading.Lock()
_workers: list[threading.Thread] = []
_http: httpx.Client | None = None


def http() -> httpx.Client:
    """One pooled keep-alive client shared by the senders (httpx.Client is thread-safe)."""
    global _http
    with _start_lock:
        if _http is None:
            # An idle connection is dropped after 1 s, before the receiver drops it (gunicorn
            # after 2 s): sending on a socket the server is closing loses the delivery
            # ("connection reset"), which Zoho, not retrying, would not have caused.
            limits = httpx.Limits(
                max_connections=SENDERS * 2, max_keepalive_connections=SENDERS, keepalive_expiry=1.0
            )
            _http = httpx.Client(timeout=TIMEOUT_SECONDS, limits=limits)
        return _http


def _run() -> None:
    while True:
        job = _jobs.get()
        try:
            job()
        except Exception:  # one bad delivery must never kill the sender
            log.exception("sandbox outbox job failed")
        finally:
            close_old_connections()


def _ensure_workers() -> None:
    with _start_lock:
        _workers[:] = [w for w in _workers if w.is_alive()]
        while len(_workers) < SENDERS:
            worker = threading.Thread(
                target=_run, name=f"sandbox-outbox-{len(_workers)}", daemon=True
            )
            worker.start()
            _workers.append(worker)


def enqueue(job: Callable[[], None]) -> None:
    """Run `job()` on the sender thread once the current transaction commits."""
    _ensure_workers()
    transaction.on_commit(lambda: _jobs.put(job))


def _drain() -> None:
    """Reset hook: forget everything not yet sent."""
    while True:
        try:
            _jobs.get_nowait()
        except queue.Empty:
            return


lifecycle.register_reset_hook(_drain)
