"""Failures: grouped by reason, drill-in, fix-in-place (against the sandbox), 3062 fixes,
bulk retry by role, CSV per reason."""

import csv
import io

import pytest
from django.urls import reverse

from syncadmin.models import CrmRecord, LinkProvenance, LinkState, SyncEvent, SyncFailure
from syncadmin.sync.profile import org_clients
from syncadmin.sync.push import record_push
from tests.factories import BooksContactFactory, RecordLinkFactory, SyncFailureFactory
from tests.sync.support import books_customers_for, crm_account
from tests.views.conftest import HTMX, audited


@pytest.fixture
def failures(db):
    SyncFailureFactory.create_batch(3, reason_code="display_name_taken")
    SyncFailureFactory(reason_code="missing_vat_treatment")
    SyncFailureFactory(reason_code="missing_vat_treatment", resolved_at="2026-01-01T00:00Z")


def test_open_failures_are_grouped_by_reason_with_explanation_and_fix(failures, finance_client):
    response = finance_client.get(reverse("failures"))
    summary = response.context["summary"]
    assert [(g.code, g.count) for g in summary] == [
        ("display_name_taken", 3),
        ("missing_vat_treatment", 1),
    ]
    html = response.content.decode()
    assert (
        "Display name taken" in html
        and "Books already has a customer with this display name." in html
    )


@pytest.mark.parametrize("persona", ["admin", "finance", "sales"], indirect=True)
def test_drilling_into_a_reason_lists_only_it_with_its_export(persona, failures, client):
    client.force_login(persona)
    response = client.get(
        reverse("failures"), {"reason_code": "missing_vat_treatment", "open": "true"}, **HTMX
    )
    assert len(response.context["table"].page.object_list) == 1
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert reverse("failures-csv") + "?reason_code=missing_vat_treatment" in html


def test_fix_forms_only_for_roles_that_may_push(failures, finance_client, admin_client_):
    assert "Set and retry" not in finance_client.get(reverse("failures")).content.decode()
    assert "Set and retry" in admin_client_.get(reverse("failures")).content.decode()


def test_csv_export_per_reason(failures, sales_client):
    response = sales_client.get(reverse("failures-csv"), {"reason_code": "display_name_taken"})
    table = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(table) == 3 and {r["reason_code"] for r in table} == {"display_name_taken"}


def failing_account(org, name: str) -> CrmRecord:
    """A CRM account made in the sandbox without a VAT treatment, whose push failed."""
    crm_id = crm_account(org, name, VAT_Treatment=None)
    outcome = record_push(
        organization_id=org.books_organization_id, module="Accounts", crm_id=crm_id
    )
    assert outcome.reason_code == "missing_vat_treatment", outcome
    return CrmRecord.objects.get(crm_id=crm_id)


def test_bulk_retry_pushes_each_failed_record_once(connected_org, sales_client):
    org = connected_org.books_organization_id
    first, other = (
        failing_account(connected_org, "Retry Rigging Ltd"),
        failing_account(connected_org, "Retry Rafters Ltd"),
    )
    # Someone sets the VAT treatment in CRM; the retry reads CRM's current values.
    fixed = [{"id": r.crm_id, "VAT_Treatment": "uk"} for r in (first, other)]
    done = org_clients(connected_org).crm.update(module="Accounts", records=fixed)
    assert all(r.ok for r in done), done
    failed = {r.pk: SyncFailure.objects.get(crm_record=r, resolved_at=None) for r in (first, other)}
    # A second open failure of the same record: the retry must still push it only once.
    twin = SyncFailureFactory(
        organization_id=org, crm_record=first, reason_code="display_name_taken"
    )
    ids = [failed[first.pk].pk, twin.pk, failed[other.pk].pk]
    response = sales_client.post(reverse("failures-retry"), {"ids": ids}, **HTMX)
    assert "Retried: 2 done" in response.content.decode()
    # One push per record (the twin failure did not push its record again) ...
    assert sorted(e.target_id for e in audited("record_push_now")) == sorted(
        f"Accounts:{r.crm_id}" for r in (first, other)
    )
    # ... each landed once in Books, and the push closed the failure it retried.
    for record in (first, other):
        assert len(books_customers_for(connected_org, record.crm_id)) == 1
        failed[record.pk].refresh_from_db()
        assert failed[record.pk].resolved_at is not None


def test_finance_may_not_retry(db, finance_client):
    failure = SyncFailureFactory()
    assert finance_client.post(reverse("failures-retry"), {"ids": [failure.pk]}).status_code == 403
    failure.refresh_from_db()
    assert failure.resolved_at is None and audited() == []


def test_collision_links_to_the_existing_customer(db, admin_client_, admin_user):
    link = RecordLinkFactory(books_organization_id="20000001", books_contact=None,
                             state="orphaned_crm")  # fmt: skip
    existing = BooksContactFactory(organization_id="20000001", contact_id="460000000777")
    failure = SyncFailureFactory(
        organization_id="20000001", link=link, crm_record=link.crm_record,
        details={"existing_contact_id": "460000000777", "suggested_name": "Acme Ltd (2)"},
    )  # fmt: skip
    html = admin_client_.get(reverse("failures")).content.decode()
    assert "Link to existing customer" in html and "Retry as “Acme Ltd (2)”" in html
    response = admin_client_.post(
        reverse("failure-fix", args=[failure.pk]), {"choice": "link"}, **HTMX
    )
    assert "Linked to the existing customer" in response.content.decode()
    # The placeholder link is kept as history; a manual link to the existing customer
    # now speaks for the record.
    link.refresh_from_db()
    assert link.state == LinkState.SUPERSEDED
    assert (link.superseded_by.books_contact, link.superseded_by.provenance) == (
        existing, LinkProvenance.MANUAL
    )  # fmt: skip
    (event,) = audited("link_relink")
    assert (event.target_type, event.target_id) == ("record", f"Accounts:{link.crm_record.crm_id}")
    assert (event.actor, event.before, event.after) == (
        admin_user, {"books_contact_id": None}, {"books_contact_id": "460000000777"}
    )  # fmt: skip


def test_fix_value_is_validated_before_anything_is_written(db, admin_client_):
    failure = SyncFailureFactory(reason_code="missing_vat_treatment", organization_id="20000001")
    response = admin_client_.post(
        reverse("failure-fix", args=[failure.pk]), {"value": "martian"}, **HTMX
    )
    assert "Select a valid choice" in response.content.decode()
    failure.refresh_from_db()
    assert failure.resolved_at is None and failure.crm_record.tax_treatment != "martian"
    assert audited() == [] and not SyncEvent.objects.exists()  # no CRM write, no push


def test_fix_in_place_writes_crm_then_pushes_and_the_failure_resolves(
    connected_org, admin_client_, admin_user
):
    record = failing_account(connected_org, "Fix In Place Ltd")
    failure = SyncFailure.objects.get(reason_code="missing_vat_treatment", resolved_at=None)

    response = admin_client_.post(
        reverse("failure-fix", args=[failure.pk]), {"value": "uk", "next": "open=true"}, **HTMX
    )

    failure.refresh_from_db()
    assert failure.resolved_at is not None  # the push succeeded, so the failure closed
    assert CrmRecord.objects.get(crm_id=record.crm_id).tax_treatment == "uk"
    assert org_clients(connected_org).crm.record(
        module="Accounts", record_id=record.crm_id
    ).fields["VAT_Treatment"] == "uk"  # fmt: skip
    assert len(books_customers_for(connected_org, record.crm_id)) == 1
    assert [(e.action, e.actor) for e in audited("record.fix", "record_push_now")] == [
        ("record.fix", admin_user), ("record_push_now", admin_user)
    ]  # fmt: skip
    html = response.content.decode()
    assert "Fixed and pushed Fix In Place Ltd" in html and 'hx-swap-oob="true"' in html


def test_a_mapping_rows_failure_count_leads_to_its_failures(db, sales_client):
    link = RecordLinkFactory()
    SyncFailureFactory(link=link, crm_record=link.crm_record)
    SyncFailureFactory()
    response = sales_client.get(reverse("failures"), {"link": link.pk}, **HTMX)
    assert [r.record.link for r in response.context["table"].page.object_list] == [link]
