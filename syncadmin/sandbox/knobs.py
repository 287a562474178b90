"""Cached access to the `Knobs` singleton.

Every API call reads several knobs, so they are cached in-process for one second. The
control API calls `invalidate()` after a change; as the sandbox runs in one process, the
next call sees the new values immediately.
"""

import threading
import time

from .models import Knobs

_TTL_SECONDS = 1.0
_lock = threading.Lock()
_cached: tuple[float, Knobs] | None = None


def get() -> Knobs:
    """The current knobs (a fresh row with defaults if none exists). Do not mutate."""
    global _cached
    entry = _cached
    if entry is not None and time.monotonic() - entry[0] < _TTL_SECONDS:
        return entry[1]
    knobs, _ = Knobs.objects.get_or_create(pk=1)
    with _lock:
        _cached = (time.monotonic(), knobs)
    return knobs


def update(**values: object) -> Knobs:
    """Validate and save knob values; raises django.core.exceptions.ValidationError."""
    knobs, _ = Knobs.objects.get_or_create(pk=1)
    for name, value in values.items():
        setattr(knobs, name, value)
    knobs.full_clean()
    knobs.save()
    invalidate()
    return knobs


def invalidate() -> None:
    global _cached
    with _lock:
        _cached = None
