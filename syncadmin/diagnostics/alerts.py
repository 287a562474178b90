"""Alerts: when a connection goes red, a notification channel lapses, failures jump or a
pause outlives its threshold, admins get one email (and a banner) per state change, and
one more on recovery."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from syncadmin.diagnostics.checklist import pause_threshold
from syncadmin.models import AlertState, Connection, ConnectionStatus, SyncFailure, SyncSettings

logger = logging.getLogger(__name__)
RED = (ConnectionStatus.NEEDS_REAUTH, ConnectionStatus.USER_INACTIVE)
JUMP_MIN = 20  # new failures in an hour before a jump is worth an email
JUMP_FACTOR = 3


@dataclass(frozen=True)
class Condition:
    key: str
    title: str
    detail: str
    url: str


def alert_conditions(*, now: datetime) -> list[Condition]:
    """What is wrong right now, one condition per thing that can go red."""
    found = [
        Condition(
            f"connection:{c.pk}",
            f"{c.get_service_display()} connection is red.",
            f"{c.get_status_display()}: {c.status_detail}".strip(": "),
            reverse("connections"),
        )
        for c in Connection.objects.filter(status__in=RED)
    ]
    for s in SyncSettings.objects.select_related("paused_by"):
        url = reverse("settings-org", args=[s.pk])
        org = s.books_organization_id
        if s.channel_error or (s.channel_expires_at and s.channel_expires_at < now):
            found.append(
                Condition(
                    f"channel:{org}",
                    f"Notification channel for {org} lapsed.",
                    s.channel_error or "It expired and was not renewed.",
                    url,
                )
            )
        if s.paused and s.paused_at and now - s.paused_at > pause_threshold():
            who = s.paused_by.get_username() if s.paused_by else "someone"
            found.append(
                Condition(
                    f"pause:{org}",
                    f"Sync for {org} has been paused too long.",
                    f"Paused by {who} at {s.paused_at:%Y-%m-%d %H:%M}: {s.paused_reason}",
                    url,
                )
            )
    last_hour = SyncFailure.objects.filter(first_seen_at__gte=now - timedelta(hours=1)).count()
    before = SyncFailure.objects.filter(
        first_seen_at__gte=now - timedelta(hours=2), first_seen_at__lt=now - timedelta(hours=1)
    ).count()
    if last_hour >= JUMP_MIN and last_hour >= JUMP_FACTOR * max(before, 1):
        found.append(
            Condition(
                "failures:jump",
                "Failures jumped.",
                f"{last_hour} new failures in the last hour (previous hour: {before}).",
                reverse("failures") + "?open=true",
            )
        )
    return found


def alerts_evaluate(*, now: datetime | None = None) -> list[AlertState]:
    """Compare what is wrong now with what admins were last told; email each change.

    Guarantees: one email per state change (firing → recovered → firing …), never a repeat
    while the state holds; rows are locked while compared, so two beats cannot both send.
    Returns the alerts whose state changed.
    """
    now = now or timezone.now()
    current = {c.key: c for c in alert_conditions(now=now)}
    changed = []
    with transaction.atomic():
        known = {a.key: a for a in AlertState.objects.select_for_update()}
        for key, cond in current.items():
            state = known.get(key)
            if state is None or not state.firing:
                changed.append(_set(state, cond, firing=True, now=now))
        for key, state in known.items():
            if state.firing and key not in current:
                changed.append(_set(state, None, firing=False, now=now))
    for alert in changed:
        _notify(alert)
    return changed


def _set(state: AlertState | None, cond: Condition | None, *, firing: bool, now) -> AlertState:
    state = state or AlertState(key=cond.key)
    if cond is not None:
        state.title, state.detail, state.url = cond.title, cond.detail, cond.url
    state.firing, state.changed_at, state.notified_at = firing, now, now
    state.save()
    return state


def _notify(alert: AlertState) -> None:
    recipients = list(
        get_user_model()
        .objects.filter(groups__name="admin", is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not recipients:
        return
    subject = alert.title if alert.firing else f"Recovered: {alert.title}"
    body = f"{alert.detail}\n\n{getattr(django_settings, 'SYNCADMIN_BASE_URL', '')}{alert.url}"
    try:
        send_mail(f"[syncadmin] {subject}", body, None, recipients)
    except Exception:
        logger.exception("Could not email the %s alert", alert.key)


def alerts_firing() -> list[AlertState]:
    """The alerts to show as banners on every page."""
    return list(AlertState.objects.filter(firing=True).order_by("changed_at"))
