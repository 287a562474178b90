"""Reconcile over the sandbox: it catches what lost webhooks missed and leaves paused
records alone, on every path it drives (delta pushes and failure retries)."""

import time
from collections import Counter
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from syncadmin.models import (
    CrmRecord,
    InboxDelivery,
    LinkState,
    RecordLink,
    RunStatus,
    Service,
    SyncFailure,
    Watermark,
)
from syncadmin.sync import controls, reconcile
from syncadmin.sync.failures import failure_record
from syncadmin.sync.mirror import mirror_pull
from syncadmin.sync.profile import org_clients, sync_settings_ensure
from tests.zoho_helpers import BOOKS_UK, sandbox_connection

pytestmark = pytest.mark.django_db


def books_names(org) -> Counter:
    """How many Books customers bear each name (one list read, 200 a page)."""
    return Counter(c.contact_name for c in org_clients(org).books.contacts())


def insert_accounts(org, names: list[str], *, workflows: bool = False) -> list[str]:
    records = [{"Account_Name": n, "VAT_Treatment": "uk"} for n in names]
    trigger = ["workflow"] if workflows else []
    results = org_clients(org).crm.insert(module="Accounts", records=records, trigger=trigger)
    assert all(r.ok for r in results), results
    return [r.id for r in results]


def wait_for(condition, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


# --- the acceptance test: lost webhooks ------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_with_a_fifth_of_webhooks_dropped_one_reconcile_brings_every_record_across(
    zoho, live_server
):
    sandbox_connection(zoho, service=Service.CRM)
    sandbox_connection(zoho, service=Service.BOOKS)
    org = sync_settings_ensure(books_organization_id=BOOKS_UK)
    url = live_server.url + reverse("sync-webhook", args=[BOOKS_UK]) + "?module=Accounts"
    rule = {
        "name": "syncadmin Accounts", "module": "Accounts", "events": ["create", "edit"],
        "url": url, "module_parameters": [{"name": "id", "value": "${Accounts.Id}"}],
        "custom_parameters": [{"name": "token", "value": org.webhook_secret}],
    }  # fmt: skip
    assert zoho.client.post("/_sandbox/crm/webhooks", json=rule).status_code == 201
    zoho.knobs(webhook_drop_rate=0.2)
    mirror_pull(organization_id=BOOKS_UK)  # the watermark reconcile reads from
    names = [f"Dropwise {i:02d} Ltd" for i in range(40)]

    crm_ids = insert_accounts(org, names, workflows=True)

    def settled():
        hooks = zoho.client.get("/_sandbox/crm/deliveries").json()["webhooks"]
        return len([h for h in hooks if h["outcome"] not in ("pending", "queued")]) == 40

    assert wait_for(settled)
    hooks = zoho.client.get("/_sandbox/crm/deliveries").json()["webhooks"]
    dropped = {h["record_id"] for h in hooks if h["outcome"] == "dropped"}
    assert dropped, "the knob should have lost some deliveries"
    delivered = set(crm_ids) - dropped
    assert wait_for(lambda: InboxDelivery.objects.filter(status="done").count() == len(delivered))
    by_id = dict(zip(crm_ids, names, strict=True))
    assert set(books_names(org)) == {by_id[i] for i in delivered}  # the lost never arrived

    run = reconcile.reconcile_now(organization_id=BOOKS_UK)

    assert run.status == RunStatus.SUCCEEDED, run.summary
    assert books_names(org) == Counter(names)  # every record across, none twice
    assert RecordLink.objects.filter(
        crm_record__crm_id__in=crm_ids, state=LinkState.LINKED
    ).count() == len(crm_ids)


# --- paused records are untouched by reconcile and by its retries ----------------------


def test_reconcile_leaves_a_paused_record_alone(connected_org, admin_user):
    org = connected_org.books_organization_id
    mirror_pull(organization_id=org)
    paused_id, _ = insert_accounts(connected_org, ["Stillwater Ltd", "Freeflow Ltd"])
    mirror_pull(organization_id=org, books=False)
    controls.record_pause(
        crm_record=CrmRecord.objects.get(crm_id=paused_id), organization_id=org,
        actor=admin_user, reason="Dispute",
    )  # fmt: skip

    run = reconcile.reconcile_now(organization_id=org)

    assert books_names(connected_org) == Counter(["Freeflow Ltd"])
    link = RecordLink.objects.get(crm_record__crm_id=paused_id)
    assert (link.state, link.paused, link.books_contact) == (LinkState.ORPHANED_CRM, True, None)
    assert "Paused, left alone: 1" in run.summary


def test_retry_of_a_due_failure_skips_a_paused_record(connected_org, admin_user):
    org = connected_org.books_organization_id
    (crm_id,) = insert_accounts(connected_org, ["Backwater Ltd"])
    mirror_pull(organization_id=org)
    record = CrmRecord.objects.get(crm_id=crm_id)
    failure = failure_record(
        organization_id=org, subject=f"Accounts:{crm_id}", operation="push",
        reason_code="rate_limited", crm_record=record,
        retry_at=timezone.now() - timedelta(seconds=1),
    )  # fmt: skip
    controls.record_pause(crm_record=record, organization_id=org, actor=admin_user, reason="x")

    run = reconcile.reconcile_now(organization_id=org)

    failure.refresh_from_db()
    assert failure.resolved_at is None and failure.attempts == 1  # not tried
    assert books_names(connected_org) == Counter()
    assert "Retries: none" in run.summary


def test_retry_of_a_due_failure_pushes_an_unpaused_record(connected_org):
    org = connected_org.books_organization_id
    (crm_id,) = insert_accounts(connected_org, ["Millrace Ltd"])
    mirror_pull(organization_id=org)
    # Move reconcile's watermarks past the record, so only the retry can bring it over.
    for stream in ("reconcile:Accounts", "reconcile:at"):
        Watermark.objects.create(
            organization_id=org, stream=stream, value=timezone.now() + timedelta(minutes=5)
        )
    failure_record(
        organization_id=org, subject=f"Accounts:{crm_id}", operation="push",
        reason_code="rate_limited", crm_record=CrmRecord.objects.get(crm_id=crm_id),
        retry_at=timezone.now() - timedelta(seconds=1),
    )  # fmt: skip

    run = reconcile.reconcile_now(organization_id=org)

    assert books_names(connected_org) == Counter(["Millrace Ltd"])
    assert not SyncFailure.objects.filter(resolved_at=None, reason_code="rate_limited").exists()
    assert "Pushed: nothing" in run.summary and "Retries: 1 created" in run.summary


def test_what_changed_while_the_organisation_was_paused_goes_across_on_resume(
    connected_org, admin_user
):
    org = connected_org.books_organization_id
    reconcile.reconcile_now(organization_id=org)
    controls.org_pause(settings=connected_org, actor=admin_user, reason="Audit")
    insert_accounts(connected_org, ["Pausetime Ltd"])

    reconcile.reconcile_now(organization_id=org)  # mirrors, pushes nothing
    assert books_names(connected_org) == Counter()
    controls.org_resume(settings=connected_org, actor=admin_user)
    reconcile.reconcile_now(organization_id=org)

    assert books_names(connected_org) == Counter(["Pausetime Ltd"])


def test_a_resumed_record_goes_across_at_the_next_reconcile(connected_org, admin_user):
    org = connected_org.books_organization_id
    (crm_id,) = insert_accounts(connected_org, ["Waitwell Ltd"])
    mirror_pull(organization_id=org, books=False)
    link = controls.record_pause(
        crm_record=CrmRecord.objects.get(crm_id=crm_id), organization_id=org,
        actor=admin_user, reason="Hold",
    )  # fmt: skip
    reconcile.reconcile_now(organization_id=org)
    assert books_names(connected_org) == Counter()

    controls.record_resume(link=link, actor=admin_user)
    run = reconcile.reconcile_now(organization_id=org)  # CRM has not changed since

    assert books_names(connected_org) == Counter(["Waitwell Ltd"]), run.summary


def test_a_linked_pair_that_drifted_in_crm_is_pushed(
    connected_org,
):
    org = connected_org.books_organization_id
    (crm_id,) = insert_accounts(connected_org, ["Driftwood Ltd"])
    reconcile.reconcile_now(organization_id=org)  # pushed: linked
    clients = org_clients(connected_org)
    clients.crm.update(module="Accounts", records=[{"id": crm_id, "Billing_City": "Leeds"}])
    link = RecordLink.objects.select_related("books_contact").get(crm_record__crm_id=crm_id)

    run = reconcile.reconcile_now(organization_id=org)

    assert "Drifted pairs: 1" in run.summary and "1 updated" in run.summary
    contact = clients.books.contact(contact_id=link.books_contact.contact_id)
    assert contact.data["billing_address"]["city"] == "Leeds"
