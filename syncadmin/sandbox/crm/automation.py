"""Fan-out of record writes to workflow webhooks (§2.9) and watch channels (§2.10).

Watch callbacks carry several ids when one API call writes several records: writes inside
`batched()` are collected and sent as one callback per (channel, module, operation)."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from ..models import CrmRecord
from . import watch, webhooks

_local = threading.local()


@contextmanager
def batched() -> Iterator[None]:
    """Collect watch events of the writes inside; send them batched on exit."""
    outer = getattr(_local, "events", None)
    if outer is not None:  # nested: the outermost batch sends
        yield
        return
    _local.events = []
    try:
        yield
    finally:
        events, _local.events = _local.events, None
        if events:
            watch.notify(events)


def record_written(
    record: CrmRecord, event: str, changed: list[str], *, fire_workflows: bool
) -> None:
    """`event` is create / edit / delete. Workflows only run on create/edit and only when
    the writer did not suppress them (`"trigger": []`); watch callbacks always go out."""
    if fire_workflows and event in ("create", "edit"):
        webhooks.fire(record, event)
    item = (record, event, tuple(changed))
    events = getattr(_local, "events", None)
    if events is not None:
        events.append(item)
    else:
        watch.notify([item])
