"""syncadmin's own CRM notification channel: created, then renewed before it lapses.

A channel lives at most a week and stops silently at its expiry (zoho-api.md §2.10), so a
beat task renews it while more than a day is left; if renewal finds it gone, a new one is
made. Its token is a per-organisation secret the intake compares on every callback.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from syncadmin.models import SyncSettings
from syncadmin.sync.profile import NotConnected, org_clients
from syncadmin.zoho.errors import ZohoError
from syncadmin.zoho.types import parse_time

EVENTS = ["Accounts.all", "Contacts.all"]
LIFETIME = timedelta(days=6)  # under Zoho's one-week cap, so a day's lateness is harmless
RENEW_WHEN_LEFT = timedelta(hours=24)


def notify_url(organization_id: str) -> str:
    """Where CRM sends this organisation's notifications (the product's intake)."""
    base = django_settings.SYNCADMIN_PUBLIC_URL.rstrip("/")
    return base + reverse("sync-notify", args=[organization_id])


def channel_ensure(*, settings: SyncSettings, now: datetime | None = None) -> SyncSettings:
    """Make sure the organisation's channel is live for more than a day.

    Guarantees: no channel → one is subscribed with a fresh token (≤ 50 characters) and
    stored before the call, so a callback arriving at once is recognised; fewer than 24 h
    left → its expiry is extended (or, when CRM no longer knows it, a new one is made);
    otherwise no API call. A failure is stored in ``channel_error`` (cleared on success)
    and the old expiry kept, so the next beat tries again.
    """
    now = now or timezone.now()
    if (
        settings.channel_id
        and settings.channel_expires_at
        and (settings.channel_expires_at - now > RENEW_WHEN_LEFT)
    ):
        return settings
    expiry = (now + LIFETIME).replace(microsecond=0)
    try:
        crm = org_clients(settings, lane="backfill").crm
        if (
            settings.channel_id
            and settings.channel_expires_at
            and settings.channel_expires_at > now
        ):
            try:
                answer = crm.watch_extend(
                    channel_id=settings.channel_id, events=EVENTS, expiry=expiry
                )
            except ZohoError as exc:
                if exc.zoho_code != "NOT_SUBSCRIBED":
                    raise
                answer = _subscribe(settings, crm, expiry)
        else:
            answer = _subscribe(settings, crm, expiry)
    except (ZohoError, NotConnected) as exc:
        settings.channel_error = f"{type(exc).__name__}: {exc}"[:2000]
        settings.save(update_fields=["channel_error", "updated_at"])
        return settings
    # Zoho shortens an expiry it does not accept (to an hour): keep the one it answers.
    settings.channel_expires_at, settings.channel_error = _answered_expiry(answer, expiry), ""
    settings.save(update_fields=["channel_expires_at", "channel_error", "updated_at"])
    return settings


def _answered_expiry(answer: list[dict], asked: datetime) -> datetime:
    found = [
        parse_time(event.get("channel_expiry"))
        for details in answer
        for event in details.get("events", [])
        if event.get("channel_expiry")
    ]
    return min(found) if found else asked


def _subscribe(settings: SyncSettings, crm, expiry: datetime) -> list[dict]:
    settings.channel_id = str(10**12 + secrets.randbelow(9 * 10**12))
    settings.channel_token = secrets.token_urlsafe(32)  # 43 characters
    # Saved first: CRM may call back before the subscribe call has even returned.
    settings.save(update_fields=["channel_id", "channel_token", "updated_at"])
    return crm.watch_subscribe(
        channel_id=settings.channel_id, events=EVENTS, expiry=expiry,
        notify_url=notify_url(settings.books_organization_id), token=settings.channel_token,
    )  # fmt: skip


def channels_renew_due(*, now: datetime | None = None) -> list[SyncSettings]:
    """Ensure the channel of every organisation whose channel is missing or within a day
    of expiry; the settings touched (check ``channel_error`` on each)."""
    now = now or timezone.now()
    due = SyncSettings.objects.exclude(
        channel_expires_at__gt=now + RENEW_WHEN_LEFT, channel_id__gt=""
    ).select_related("crm_connection", "books_connection")
    return [channel_ensure(settings=s, now=now) for s in due]
