"""The sandbox clock. Every sandbox module uses `now()`, never `timezone.now()`, so that
`POST /_sandbox/clock` can move token expiry, rate windows and sync schedules."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from . import knobs


def offset() -> timedelta:
    return timedelta(seconds=knobs.get().clock_offset_seconds)


def now() -> datetime:
    """Aware UTC datetime: real time plus `Knobs.clock_offset_seconds`."""
    return timezone.now() + offset()


def crm_format(moment: datetime, tz_name: str = "UTC") -> str:
    """CRM datetime: ISO-8601 with a colon offset, e.g. 2024-02-19T18:30:23-11:00."""
    return moment.astimezone(ZoneInfo(tz_name)).replace(microsecond=0).isoformat()


def books_format(moment: datetime, tz_name: str = "UTC") -> str:
    """Books datetime: offset without a colon, e.g. 2013-08-05T12:06:10+0530."""
    return moment.astimezone(ZoneInfo(tz_name)).strftime("%Y-%m-%dT%H:%M:%S%z")
