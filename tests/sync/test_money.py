"""Books owns the money, CRM sees it: written to CRM over the sandbox, only when changed."""

from decimal import Decimal

import pytest

from syncadmin.models import BooksContact, LinkState, RecordLink, SyncFailure
from syncadmin.sync import controls, money
from syncadmin.sync.mirror import mirror_pull
from syncadmin.sync.profile import org_clients
from syncadmin.sync.push import record_push

pytestmark = pytest.mark.django_db


def crm_money(org, crm_id: str) -> dict:
    record = org_clients(org).crm.record(module="Accounts", record_id=crm_id)
    return {f: record.fields.get(f) for f in money.MONEY_FIELDS}


def test_linked_accounts_get_their_books_money_in_batched_writes(messy_org, zoho, admin_user):
    org = messy_org.books_organization_id
    mirror_pull(organization_id=org)
    owing = (
        RecordLink.objects.filter(
            state=LinkState.LINKED,
            crm_module="Accounts",
            books_contact__outstanding_receivable__gt=0,
        )
        .select_related("crm_record", "books_contact")
        .first()
    )
    paused = (
        RecordLink.objects.filter(state=LinkState.LINKED, books_contact__has_transaction=True)
        .exclude(pk=owing.pk)
        .first()
    )
    controls.record_pause(link=paused, actor=admin_user, reason="Disputed invoice")
    since = zoho.stats()["now"]

    run = money.money_execute(run_id=money.money_start(organization_id=org).pk)

    report_written = run.updated_count
    assert report_written > 10, run.summary
    # CRM bulk writes of up to 100 records each, plus field metadata and one unpaid list.
    assert zoho.stats(since=since, service="crm")["total"] <= 2 + report_written // 100
    contact = owing.books_contact
    assert crm_money(messy_org, owing.crm_record.crm_id) == {
        "Books_Outstanding": float(contact.outstanding_receivable),
        "Books_Last_Invoice_Status": contact.last_invoice_status,
        "Books_Last_Invoice_Date": contact.last_invoice_date.isoformat(),
    }
    assert crm_money(messy_org, paused.crm_record.crm_id)["Books_Outstanding"] is None

    again = money.money_execute(run_id=money.money_start(organization_id=org).pk)
    assert again.updated_count == 0 and again.summary.startswith("0 CRM records")


def test_missing_crm_fields_leave_a_visible_failure_and_write_nothing(connected_org):
    org = connected_org.books_organization_id
    [made] = org_clients(connected_org).crm.insert(
        module="Accounts", records=[{"Account_Name": "Ledger Lane Ltd", "VAT_Treatment": "uk"}]
    )
    assert record_push(organization_id=org, module="Accounts", crm_id=made.id).link
    BooksContact.objects.update(outstanding_receivable=Decimal("5.00"))

    report = money.money_to_crm(organization_id=org)

    assert report.written == 0  # the baseline CRM has no Books_* fields
    failure = SyncFailure.objects.get(reason_code="writeback_field_missing", resolved_at=None)
    assert failure.details["missing_fields"] == list(money.MONEY_FIELDS)
