"""syncadmin's CRM notification channel, subscribed and renewed in the sandbox over HTTP."""

from datetime import timedelta

import pytest
from django.utils import timezone

from syncadmin.models import Connection, ConnectionStatus, Service
from syncadmin.sync import channel

pytestmark = pytest.mark.django_db


def live_channels(zoho) -> list[dict]:
    headers = zoho.auth("admin@zylker.test", ["ZohoCRM.notifications.ALL"])
    response = zoho.client.get("/crm/v8/actions/watch", headers=headers)
    return response.json()["watch"] if response.status_code == 200 else []


def test_first_beat_subscribes_a_channel_to_the_intake(connected_org, zoho, settings):
    settings.SYNCADMIN_PUBLIC_URL = "https://syncadmin.example.test/"

    (renewed,) = channel.channels_renew_due()

    assert renewed.channel_error == ""
    (found,) = live_channels(zoho)
    assert found["channel_id"] == renewed.channel_id
    assert found["notify_url"] == (
        f"https://syncadmin.example.test/sync/notify/{renewed.books_organization_id}/"
    )
    assert 0 < len(renewed.channel_token) <= 50  # Zoho's cap on the token
    left = renewed.channel_expires_at - timezone.now()
    assert timedelta(days=5) < left <= timedelta(days=7)


def test_channel_with_more_than_a_day_left_costs_no_call(connected_org, zoho):
    channel.channel_ensure(settings=connected_org)
    since = zoho.stats()["now"]

    assert channel.channels_renew_due() == []
    channel.channel_ensure(settings=connected_org)

    assert zoho.stats(since=since, service="crm")["total"] == 0


def test_channel_within_a_day_of_expiry_is_extended_in_place(connected_org, zoho):
    channel.channel_ensure(settings=connected_org)
    first_id = connected_org.channel_id
    zoho.advance_clock(timedelta(days=5, hours=12).total_seconds())  # 12 h before it lapses
    later = timezone.now() + timedelta(days=5, hours=12)

    (renewed,) = channel.channels_renew_due(now=later)

    assert renewed.channel_id == first_id and renewed.channel_error == ""
    assert renewed.channel_expires_at > later + timedelta(days=5)  # as Zoho answered it
    (found,) = live_channels(zoho)
    assert found["channel_id"] == first_id


def test_failure_is_kept_visible_and_the_next_beat_tries_again(connected_org, zoho):
    Connection.objects.filter(service=Service.CRM).update(status=ConnectionStatus.PAUSED)
    connected_org.refresh_from_db()

    (failed,) = channel.channels_renew_due()

    assert "not connected" in failed.channel_error and failed.channel_expires_at is None
    Connection.objects.filter(service=Service.CRM).update(status=ConnectionStatus.CONNECTED)
    (healed,) = channel.channels_renew_due()
    assert healed.channel_error == "" and healed.channel_expires_at is not None
