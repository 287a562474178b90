"""CRM deliveries reach syncadmin's intake: stored before the 2xx, deduplicated, and
refused clearly (never processed) when they are not genuine or not readable."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from syncadmin.models import EventOutcome, InboxDelivery, InboxStatus, SyncEvent
from syncadmin.sync.intake import TOKEN_HEADER
from tests.sync.support import books_customers_for, crm_account


@pytest.fixture
def deliver(connected_org):
    client = Client()
    url = reverse("sync-webhook", args=[connected_org.books_organization_id])

    def post(body, *, secret=connected_org.webhook_secret, content_type="application/json"):
        headers = {"headers": {TOKEN_HEADER: secret}} if secret else {}
        data = json.dumps(body) if isinstance(body, dict) else body
        return client.post(url, data=data, content_type=content_type, **headers)

    return post


def test_same_webhook_delivered_ten_times_makes_one_customer(
    connected_org, deliver, django_capture_on_commit_callbacks
):
    crm_id = crm_account(connected_org, "Tenfold Traders Ltd")
    body = {"module": "Accounts", "id": crm_id, "Account_Name": "Tenfold Traders Ltd",
            "VAT_Treatment": "uk"}  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        answers = [deliver(body) for _ in range(10)]

    assert [a.status_code for a in answers] == [202] * 10
    assert [a.json()["status"] for a in answers].count("accepted") == 1
    assert InboxDelivery.objects.get().status == InboxStatus.DONE
    assert len(books_customers_for(connected_org, crm_id)) == 1


def test_form_encoded_delivery_with_the_secret_as_a_field_is_accepted(
    connected_org, deliver, django_capture_on_commit_callbacks
):
    crm_id = crm_account(connected_org, "Form Field Ltd")
    body = (
        f"module=Accounts&id={crm_id}&Account+Name=Form+Field+Ltd&VAT_Treatment=uk"
        f"&token={connected_org.webhook_secret}"
    )

    with django_capture_on_commit_callbacks(execute=True):
        answer = deliver(body, secret=None, content_type="application/x-www-form-urlencoded")

    assert answer.status_code == 202
    assert SyncEvent.objects.get(crm_record__crm_id=crm_id).outcome == EventOutcome.CREATED


def test_a_body_broken_by_a_quote_in_a_name_still_brings_the_record_across(
    connected_org, deliver, django_capture_on_commit_callbacks
):
    crm_id = crm_account(connected_org, 'Acme "Tools" Ltd')
    # CRM merges the name into the raw JSON template unescaped
    body = f'{{"module":"Accounts","id":"{crm_id}","Account_Name":"Acme "Tools" Ltd"}}'

    with django_capture_on_commit_callbacks(execute=True):
        answer = deliver(body)

    assert answer.status_code == 202
    assert SyncEvent.objects.get(crm_record__crm_id=crm_id).outcome == EventOutcome.CREATED
    [customer] = books_customers_for(connected_org, crm_id)
    assert customer.contact_name == 'Acme "Tools" Ltd'  # read from CRM, not the broken body


def test_a_broken_body_without_the_secret_header_is_refused(connected_org, deliver):
    body = f'{{"module":"Accounts","id":"123","token":"{connected_org.webhook_secret}","x":"""}}'

    answer = deliver(body, secret=None)

    assert answer.status_code == 400
    assert InboxDelivery.objects.get().status == InboxStatus.REJECTED


@pytest.mark.parametrize(
    ("body", "secret", "status", "says"),
    [
        ({"module": "Accounts", "id": "1"}, "wrong", 403, "secret is wrong"),
        ({"module": "Accounts", "id": "1"}, None, 401, "no secret"),
        ("{not json", "ok", 400, "not valid JSON"),
        ({"module": "Accounts", "id": "../../../settings"}, "ok", 400, "not a Zoho id"),
        ({"module": "Invoices", "id": "123"}, "ok", 400, "not a CRM module"),
        ([1, 2], "ok", 400, "JSON object"),
    ],
)
def test_bad_deliveries_get_a_clear_4xx_are_counted_and_never_processed(
    connected_org, deliver, body, secret, status, says
):
    secret = connected_org.webhook_secret if secret == "ok" else secret
    body = json.dumps(body) if isinstance(body, list) else body

    answer = deliver(body, secret=secret)

    assert answer.status_code == status
    assert says in answer.json()["error"]
    rejected = InboxDelivery.objects.get()
    assert rejected.status == InboxStatus.REJECTED
    assert rejected.payload == {}  # an untrusted body is not kept
    assert not SyncEvent.objects.exists()


def test_oversized_delivery_is_refused_unread(connected_org, deliver, settings):
    settings.INBOX_MAX_BYTES = 1024

    answer = deliver({"module": "Accounts", "id": "1", "pad": "x" * 2000})

    assert answer.status_code == 413
    assert InboxDelivery.objects.get().status == InboxStatus.REJECTED


def test_unknown_organisation_is_refused(db):
    answer = Client().post(
        reverse("sync-webhook", args=["99999"]), data="{}", content_type="application/json"
    )

    assert answer.status_code == 404


def test_notification_with_a_wrong_channel_token_is_refused(connected_org):
    connected_org.channel_id, connected_org.channel_token = "1000000068001", "channel-secret"
    connected_org.save()
    url = reverse("sync-notify", args=[connected_org.books_organization_id])
    body = {"channel_id": "1000000068001", "token": "guess", "module": "Accounts",
            "ids": ["5725767000003000010"], "operation": "insert"}  # fmt: skip

    answer = Client().post(url, data=json.dumps(body), content_type="application/json")

    assert answer.status_code == 403
    assert InboxDelivery.objects.get().status == InboxStatus.REJECTED


def test_notification_ids_are_pushed_after_reading_them_from_crm(
    connected_org, django_capture_on_commit_callbacks
):
    connected_org.channel_id, connected_org.channel_token = "1000000068001", "channel-secret"
    connected_org.save()
    crm_id = crm_account(connected_org, "Notified Ltd")
    url = reverse("sync-notify", args=[connected_org.books_organization_id])
    body = {"channel_id": "1000000068001", "token": "channel-secret", "module": "Accounts",
            "ids": [crm_id], "operation": "insert"}  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        answer = Client().post(url, data=json.dumps(body), content_type="application/json")

    assert answer.status_code == 202
    assert len(books_customers_for(connected_org, crm_id)) == 1


def test_deleted_record_notification_orphans_its_link_and_keeps_it(
    connected_org, django_capture_on_commit_callbacks
):
    from syncadmin.models import LinkState, RecordLink
    from syncadmin.sync.push import record_push
    from tests.sync.support import open_failures

    connected_org.channel_id, connected_org.channel_token = "1000000068001", "channel-secret"
    connected_org.save()
    crm_id = crm_account(connected_org, "Soon Gone Ltd")
    record_push(organization_id=connected_org.books_organization_id, module="Accounts",
                crm_id=crm_id)  # fmt: skip
    url = reverse("sync-notify", args=[connected_org.books_organization_id])
    body = {"channel_id": "1000000068001", "token": "channel-secret", "module": "Accounts",
            "ids": [crm_id], "operation": "delete"}  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        Client().post(url, data=json.dumps(body), content_type="application/json")

    link = RecordLink.objects.get(crm_record__crm_id=crm_id)
    assert link.state == LinkState.ORPHANED_BOOKS
    assert link.books_contact is not None  # the Books side is kept, never dropped
    assert [f.reason_code for f in open_failures(crm_id)] == ["orphaned_link"]


def test_paused_record_is_untouched_by_a_webhook(
    connected_org, deliver, zoho, admin_user, django_capture_on_commit_callbacks
):
    from syncadmin.models import CrmRecord
    from syncadmin.sync.controls import live_link_for, record_pause
    from syncadmin.sync.push import record_push

    crm_id = crm_account(connected_org, "Held Steady Ltd")
    record_push(organization_id=connected_org.books_organization_id, module="Accounts",
                crm_id=crm_id)  # fmt: skip
    link = live_link_for(
        crm_record=CrmRecord.objects.get(crm_id=crm_id),
        organization_id=connected_org.books_organization_id,
    )
    record_pause(link=link, actor=admin_user, reason="finance review")
    mark = zoho.stats()["now"]

    renamed = {"module": "Accounts", "id": crm_id, "Account_Name": "Renamed While Paused Ltd"}
    with django_capture_on_commit_callbacks(execute=True):
        answer = deliver({**renamed, "VAT_Treatment": "uk"})

    assert answer.status_code == 202  # stored, so nothing is lost when it resumes
    event = SyncEvent.objects.filter(crm_record__crm_id=crm_id).latest("pk")
    assert event.outcome == EventOutcome.SKIPPED and "paused" in event.message
    assert zoho.stats(since=mark, service="books")["total"] == 0
    assert books_customers_for(connected_org, crm_id)[0].contact_name == "Held Steady Ltd"
