"""CRM learns the Books customer id: batched, without firing workflows, and only into a
field that exists (a missing one is a failure that says how to add it)."""

from syncadmin.models import PushLedger, RecordLink, SyncFailure
from syncadmin.sync.profile import org_clients
from syncadmin.sync.push import record_push
from syncadmin.sync.writeback import writeback_flush
from tests.sync.support import crm_account


def add_crm_field(zoho, module: str, api_name: str) -> None:
    answer = zoho.client.post(
        f"/_sandbox/crm/fields/{module}",
        json={"api_name": api_name, "field_label": "Books Contact ID", "data_type": "text"},
    )
    assert answer.status_code == 201, answer.text


def pushed(org, names: list[str]) -> list[str]:
    ids = [crm_account(org, name) for name in names]
    for crm_id in ids:
        record_push(organization_id=org.books_organization_id, module="Accounts", crm_id=crm_id)
    return ids


def test_missing_writeback_field_is_a_failure_saying_how_to_add_it(connected_org):
    [crm_id] = pushed(connected_org, ["Fieldless Ltd"])

    assert writeback_flush(organization_id=connected_org.books_organization_id) == 0

    failure = SyncFailure.objects.get(reason_code="writeback_field_missing", resolved_at=None)
    assert "Books_Contact_ID" in failure.suggested_fix
    assert PushLedger.objects.get(crm_id=crm_id).writeback_due  # still owed, not lost


def test_flush_writes_every_owed_id_in_one_call_per_hundred(connected_org, zoho):
    add_crm_field(zoho, "Accounts", "Books_Contact_ID")
    ids = pushed(connected_org, [f"Batch Member {n} Ltd" for n in range(3)])
    mark = zoho.stats()["now"]

    sent = writeback_flush(organization_id=connected_org.books_organization_id)

    assert sent == 3
    # one metadata read (the field check) and one bulk update for all three
    assert zoho.stats(since=mark, service="crm")["total"] == 2
    crm = org_clients(connected_org).crm
    for crm_id in ids:
        link = RecordLink.objects.get(crm_record__crm_id=crm_id)
        fields = crm.record(module="Accounts", record_id=crm_id).fields
        assert fields["Books_Contact_ID"] == link.books_contact.contact_id
        assert link.written_back
    assert not PushLedger.objects.filter(writeback_due=True).exists()


def test_our_own_writeback_fires_no_crm_webhook(connected_org, zoho):
    add_crm_field(zoho, "Accounts", "Books_Contact_ID")
    rule = {"name": "to syncadmin", "module": "Accounts", "events": ["create", "edit"],
            "url": "http://127.0.0.1:9/unreachable", "body_type": "form_data"}  # fmt: skip
    assert zoho.client.post("/_sandbox/crm/webhooks", json=rule).status_code in (200, 201)
    # a person creating the account in CRM fires the workflow (trigger left to Zoho)
    [created] = org_clients(connected_org).crm.insert(
        module="Accounts",
        records=[{"Account_Name": "Quiet Loop Ltd", "VAT_Treatment": "uk"}],
        trigger=["workflow"],
    )
    record_push(organization_id=connected_org.books_organization_id, module="Accounts",
                crm_id=created.id)  # fmt: skip
    before = zoho.client.get("/_sandbox/crm/deliveries").json()["webhooks"]

    writeback_flush(organization_id=connected_org.books_organization_id)

    after = zoho.client.get("/_sandbox/crm/deliveries").json()["webhooks"]
    assert len(after) == len(before) == 1  # the create fired; our update did not


def test_a_refused_writeback_is_a_failure_and_the_rest_of_the_batch_goes_through(
    connected_org, zoho
):
    add_crm_field(zoho, "Accounts", "Books_Contact_ID")
    kept, gone = pushed(connected_org, ["Stays Put Ltd", "Deleted Meanwhile Ltd"])
    crm = org_clients(connected_org).crm
    crm.api.call("DELETE", "/Accounts", params={"ids": gone})

    sent = writeback_flush(organization_id=connected_org.books_organization_id)

    assert sent == 1
    assert RecordLink.objects.get(crm_record__crm_id=kept).written_back
    failure = SyncFailure.objects.get(operation="writeback", resolved_at=None)
    assert failure.open_key.endswith(f"writeback:Accounts:{gone}:record_gone")
    assert not PushLedger.objects.filter(writeback_due=True).exists()  # no endless retry
