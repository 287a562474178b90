"""The native sync's schedule: a daemon thread in the server process that looks at the
SANDBOX clock every few seconds and runs the orgs that are due.

Started only by the WSGI entry point (never by `migrate`, management commands or the
product's tests) and only when `SANDBOX_NATIVE_SCHEDULE` is not "0"; the test harness
turns it off so that moving the clock never syncs behind a test's back. Tests drive the
same code through `POST /_sandbox/native/tick`.
"""

import logging
import os
import threading

from django.db import close_old_connections

from .. import clock
from .service import native_sync_run_due

logger = logging.getLogger(__name__)
_started = threading.Event()


def tick() -> int:
    """Run what is due now; the number of runs."""
    return len(native_sync_run_due(now=clock.now()))


def _loop(period: float) -> None:
    while True:
        try:
            tick()
        except Exception:  # a bad run must not kill the schedule
            logger.exception("native sync tick failed")
        finally:
            close_old_connections()
        threading.Event().wait(period)


def start_if_enabled() -> bool:
    """Start the schedule thread once per process, unless disabled by the environment."""
    if os.environ.get("SANDBOX_NATIVE_SCHEDULE", "1") == "0" or _started.is_set():
        return False
    _started.set()
    period = float(os.environ.get("SANDBOX_NATIVE_TICK_SECONDS", "15"))
    threading.Thread(target=_loop, args=(period,), name="native-sync", daemon=True).start()
    return True
