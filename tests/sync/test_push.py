"""Pushing one CRM record to Books, against the sandbox over HTTP."""

import threading

import pytest
from django.db import connections as db_connections

from syncadmin.models import (
    BooksContact,
    EventOutcome,
    LinkProvenance,
    LinkState,
    PushLedger,
    RecordLink,
    SyncFailure,
)
from syncadmin.sync.profile import org_clients
from syncadmin.sync.push import record_push
from tests.sync.support import (
    books_customers_for,
    crm_account,
    crm_contact,
    link_existing,
    mirror_books,
    open_failures,
)


def push(org, crm_id, **kw):
    return record_push(
        organization_id=org.books_organization_id, module="Accounts", crm_id=crm_id, **kw
    )


def test_push_creates_the_customer_and_links_it(connected_org):
    crm_id = crm_account(connected_org, "Harbour Lights Ltd", Phone="+44 20 7946 0000")

    outcome = push(connected_org, crm_id)

    assert outcome.outcome == EventOutcome.CREATED
    [customer] = books_customers_for(connected_org, crm_id)
    assert customer.contact_name == "Harbour Lights Ltd"
    # invoices need a contact person: the account's phone makes a primary one
    assert customer.data["contact_persons"][0]["phone"] == "+44 20 7946 0000"
    link = RecordLink.objects.get(crm_record__crm_id=crm_id)
    assert (link.state, link.provenance) == (LinkState.LINKED, LinkProvenance.PUSHED)
    assert link.books_contact.contact_id == customer.contact_id
    assert PushLedger.objects.get(crm_id=crm_id).writeback_due


def test_an_unchanged_record_costs_no_books_call(connected_org, zoho):
    crm_id = crm_account(connected_org, "Quiet Waters Ltd")
    push(connected_org, crm_id)
    mark = zoho.stats()["now"]

    again = push(connected_org, crm_id)

    assert again.outcome == EventOutcome.UNCHANGED
    assert zoho.stats(since=mark, service="books")["total"] == 0


def test_a_changed_record_updates_the_same_customer(connected_org):
    crm_id = crm_account(connected_org, "Tidewater Ltd", Phone="+44 20 1000 0000")
    push(connected_org, crm_id)
    fields = org_clients(connected_org).crm.record(module="Accounts", record_id=crm_id).fields

    outcome = push(connected_org, crm_id, fields={**fields, "Website": "www.tidewater.test"})

    assert outcome.outcome == EventOutcome.UPDATED
    [customer] = books_customers_for(connected_org, crm_id)
    assert customer.data["website"] == "www.tidewater.test"


def test_paused_record_is_not_sent(connected_org, zoho, admin_user):
    from syncadmin.sync.push import record_push as direct

    crm_id = crm_account(connected_org, "Still Harbour Ltd")
    push(connected_org, crm_id)
    RecordLink.objects.filter(crm_record__crm_id=crm_id).update(paused=True, paused_reason="audit")
    mark = zoho.stats()["now"]

    outcome = direct(
        organization_id=connected_org.books_organization_id, module="Accounts", crm_id=crm_id,
        fields={"Account_Name": "Renamed Harbour Ltd", "VAT_Treatment": "uk"},
    )  # fmt: skip

    assert (outcome.outcome, outcome.reason_code) == (EventOutcome.SKIPPED, "paused")
    assert zoho.stats(since=mark)["total"] == 0
    assert books_customers_for(connected_org, crm_id)[0].contact_name == "Still Harbour Ltd"


def test_paused_organisation_sends_nothing(connected_org, zoho):
    crm_id = crm_account(connected_org, "Paused Org Trading Ltd")
    connected_org.paused = True
    connected_org.save()
    mark = zoho.stats()["now"]

    outcome = push(connected_org, crm_id, fields={"Account_Name": "Paused Org Trading Ltd"})

    assert outcome.reason_code == "paused"
    assert zoho.stats(since=mark)["total"] == 0
    assert books_customers_for(connected_org, crm_id) == []


def test_out_of_scope_record_is_skipped_with_its_reason(connected_org):
    connected_org.scope_field, connected_org.scope_value = "Account_Type", "Customer"
    connected_org.save()
    crm_id = crm_account(connected_org, "Prospect Only Ltd", Account_Type="Prospect")

    outcome = push(connected_org, crm_id)

    assert (outcome.outcome, outcome.reason_code) == (EventOutcome.SKIPPED, "out_of_scope")
    assert books_customers_for(connected_org, crm_id) == []


def test_missing_vat_treatment_fails_before_any_books_call(connected_org, zoho):
    crm_id = crm_account(connected_org, "No Vat Ltd", VAT_Treatment=None)
    mark = zoho.stats()["now"]

    outcome = push(connected_org, crm_id)

    assert outcome.reason_code == "missing_vat_treatment"
    assert zoho.stats(since=mark, service="books")["total"] == 0
    [failure] = open_failures(crm_id)
    assert "VAT treatment" in failure.suggested_fix


def test_a_failure_is_bumped_not_duplicated_and_resolved_by_a_later_success(connected_org):
    crm_id = crm_account(connected_org, "Second Try Ltd", VAT_Treatment=None)
    push(connected_org, crm_id)
    push(connected_org, crm_id)
    [failure] = open_failures(crm_id)
    assert failure.attempts == 2

    fields = org_clients(connected_org).crm.record(module="Accounts", record_id=crm_id).fields
    push(connected_org, crm_id, fields={**fields, "VAT_Treatment": "uk"})

    failure.refresh_from_db()
    assert failure.resolved_at is not None
    assert open_failures(crm_id) == []


def test_customer_with_the_same_email_is_linked_not_duplicated(connected_org):
    books = org_clients(connected_org).books
    existing = books.contact_create(
        payload={"contact_name": "Bramble Foods", "vat_treatment": "uk",
                 "contact_persons": [{"last_name": "AP", "email": "ap@bramble.test",
                                      "is_primary_contact": True}]}
    )  # fmt: skip
    mirror_books(connected_org, existing)
    connected_org.module_mapping = "contacts"  # B2C: CRM contacts are the customers
    connected_org.save()
    crm_id = crm_contact(connected_org, "Bramble", "Foods", Email="AP@bramble.test")

    outcome = record_push(
        organization_id=connected_org.books_organization_id, module="Contacts", crm_id=crm_id
    )

    assert outcome.outcome == EventOutcome.LINKED
    link = RecordLink.objects.get(crm_record__crm_id=crm_id)
    assert (link.books_contact.contact_id, link.provenance) == (
        existing.contact_id,
        LinkProvenance.MATCHED,
    )
    assert books_customers_for(connected_org, crm_id) == []  # nothing new was created


def test_look_alike_customer_holds_the_record_for_review(connected_org, zoho):
    books = org_clients(connected_org).books
    existing = books.contact_create(
        payload={"contact_name": "Orchard Mill Ltd", "vat_treatment": "uk"}
    )
    from tests.sync.support import mirror_books

    mirror_books(connected_org, existing)
    crm_id = crm_account(connected_org, "ORCHARD MILL LIMITED")
    mark = zoho.stats()["now"]

    outcome = push(connected_org, crm_id)

    assert outcome.reason_code == "needs_review"
    assert zoho.stats(since=mark, service="books")["total"] == 0
    [failure] = open_failures(crm_id)
    assert failure.details["candidate_contact_id"] == existing.contact_id


def test_display_name_collision_names_the_customer_and_suggests_a_name(connected_org):
    books = org_clients(connected_org).books
    # another party holds the name: linked to a different CRM account, not in the mirror
    taken = books.contact_create(payload={"contact_name": "Granite Works", "vat_treatment": "uk"})
    other = crm_account(connected_org, "Granite Works")
    link_existing(connected_org, other, taken)
    crm_id = crm_account(connected_org, "Granite Works", Billing_City="Leeds")

    outcome = push(connected_org, crm_id)

    assert outcome.reason_code == "display_name_taken"
    [failure] = open_failures(crm_id)
    assert failure.details["existing_contact_id"] == taken.contact_id
    assert failure.details["suggested_name"] == "Granite Works (Leeds)"
    assert failure.raw_answer["code"] == "3062"


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_pushes_of_one_record_make_one_customer(connected_org):
    crm_id = crm_account(connected_org, "Crowded Quay Ltd")
    outcomes, errors = [], []

    def click():
        try:
            outcomes.append(push(connected_org, crm_id, lane="interactive").outcome)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            db_connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(books_customers_for(connected_org, crm_id)) == 1
    assert outcomes.count(EventOutcome.CREATED) == 1
    assert set(outcomes) <= {EventOutcome.CREATED, EventOutcome.UNCHANGED}
    assert RecordLink.objects.filter(crm_record__crm_id=crm_id).count() == 1
    assert BooksContact.objects.filter(crm_ref=crm_id).count() == 1
    assert not SyncFailure.objects.filter(operation="push", resolved_at__isnull=True).exists()


def contact_of(org, account_id: str, last: str) -> str:
    return crm_contact(
        org, "Pat", last, Email=f"pat.{last.lower()}@example.test",
        Account_Name={"id": account_id},
    )  # fmt: skip


def push_contact(org, crm_id):
    return record_push(organization_id=org.books_organization_id, module="Contacts", crm_id=crm_id)


def test_contacts_are_not_pushed_when_only_accounts_map_to_customers(connected_org, zoho):
    account = crm_account(connected_org, "Accounts Only Ltd")
    contact = contact_of(connected_org, account, "Solo")
    mark = zoho.stats()["now"]

    outcome = push_contact(connected_org, contact)

    assert (outcome.outcome, outcome.reason_code) == (EventOutcome.SKIPPED, "out_of_scope")
    assert zoho.stats(since=mark, service="books")["total"] == 0


def test_with_both_modules_a_contact_becomes_a_person_of_its_accounts_customer(connected_org):
    connected_org.module_mapping = "both"
    connected_org.save()
    account = crm_account(connected_org, "Family Firm Ltd")
    push(connected_org, account)
    contact = contact_of(connected_org, account, "Member")

    first = push_contact(connected_org, contact)
    again = push_contact(connected_org, contact)

    assert (first.outcome, again.outcome) == (EventOutcome.CREATED, EventOutcome.UNCHANGED)
    [customer] = books_customers_for(connected_org, account)
    emails = [p.get("email") for p in customer.data["contact_persons"]]
    assert emails.count("pat.member@example.test") == 1
    # no customer of its own for the contact, and no second live link on the customer
    assert books_customers_for(connected_org, contact) == []
    assert PushLedger.objects.get(crm_id=contact).books_contact_id == customer.contact_id


def test_with_both_modules_a_contact_waits_for_its_account(connected_org):
    connected_org.module_mapping = "both"
    connected_org.save()
    account = crm_account(connected_org, "Not Yet Pushed Ltd")
    contact = contact_of(connected_org, account, "Early")

    outcome = push_contact(connected_org, contact)

    assert outcome.reason_code == "account_not_in_books"
    [failure] = open_failures(contact)
    assert failure.transient and failure.next_retry_at is not None


def test_a_phone_change_reaches_the_primary_contact_person(connected_org):
    crm_id = crm_account(connected_org, "Ringing Bells Ltd", Phone="+44 20 1111 1111")
    push(connected_org, crm_id)
    fields = org_clients(connected_org).crm.record(module="Accounts", record_id=crm_id).fields

    outcome = push(connected_org, crm_id, fields={**fields, "Phone": "+44 20 2222 2222"})

    assert outcome.outcome == EventOutcome.UPDATED
    [customer] = books_customers_for(connected_org, crm_id)
    [person] = customer.data["contact_persons"]  # replaced in place, not added
    assert person["phone"] == "+44 20 2222 2222"


def test_a_new_failure_reason_closes_the_one_the_record_got_past(connected_org):
    books = org_clients(connected_org).books
    taken = books.contact_create(
        payload={"contact_name": "Twice Failed Ltd", "vat_treatment": "uk"}
    )
    link_existing(connected_org, crm_account(connected_org, "Twice Failed Ltd"), taken)
    crm_id = crm_account(connected_org, "Twice Failed Ltd", VAT_Treatment=None)
    push(connected_org, crm_id)  # fails: no VAT treatment
    fields = org_clients(connected_org).crm.record(module="Accounts", record_id=crm_id).fields

    push(connected_org, crm_id, fields={**fields, "VAT_Treatment": "uk"})  # now: name taken

    assert [f.reason_code for f in open_failures(crm_id)] == ["display_name_taken"]


def test_the_hours_push_run_shows_its_failures(connected_org):
    from syncadmin.models import RunStatus, SyncRun

    ok = crm_account(connected_org, "Fine Push Ltd")
    bad = crm_account(connected_org, "No Treatment Ltd", VAT_Treatment=None)
    push(connected_org, ok)
    run = SyncRun.objects.get(kind="push")
    assert run.status == RunStatus.SUCCEEDED

    push(connected_org, bad)

    run.refresh_from_db()
    assert (run.status, run.processed, run.failed_count) == (RunStatus.PARTIAL, 2, 1)
