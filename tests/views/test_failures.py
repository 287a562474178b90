"""Failures: grouped by reason, drill-in, fix-in-place (against the sandbox), 3062 fixes,
bulk retry by role, CSV per reason."""

import csv
import io

import pytest
from django.urls import reverse

from syncadmin.models import CrmRecord, SyncFailure
from tests.factories import BooksContactFactory, RecordLinkFactory, SyncFailureFactory
from tests.views.conftest import HTMX


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


def test_bulk_retry_pushes_each_failed_record_once(db, sales_client, controls):
    first = SyncFailureFactory(organization_id="20000001")
    twin = SyncFailureFactory(organization_id="20000001", crm_record=first.crm_record,
                              reason_code="missing_vat_treatment")  # fmt: skip
    other = SyncFailureFactory(organization_id="20000001")
    response = sales_client.post(
        reverse("failures-retry"), {"ids": [first.pk, twin.pk, other.pk]}, **HTMX
    )
    assert controls.names() == ["push", "push"]
    assert "Retried: 2 done" in response.content.decode()


def test_finance_may_not_retry(db, finance_client, controls):
    failure = SyncFailureFactory()
    assert finance_client.post(reverse("failures-retry"), {"ids": [failure.pk]}).status_code == 403
    assert controls.calls == []


def test_collision_links_to_the_existing_customer(db, admin_client_, controls):
    link = RecordLinkFactory(books_contact=None, state="orphaned_crm")
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
    assert controls.calls[0] == ("relink", {"link": link, "books_contact": existing})
    assert "Linked to the existing customer" in response.content.decode()


def test_fix_value_is_validated_before_anything_is_written(db, admin_client_, controls):
    failure = SyncFailureFactory(reason_code="missing_vat_treatment", organization_id="20000001")
    response = admin_client_.post(
        reverse("failure-fix", args=[failure.pk]), {"value": "martian"}, **HTMX
    )
    assert "Select a valid choice" in response.content.decode() and controls.calls == []


@pytest.fixture
def real_push(controls):
    """The controls stand-in pushes with the real push service (to the sandbox)."""
    from syncadmin.sync.push import record_push

    def push_now(*, crm_record, organization_id, actor):
        controls.calls.append(("push", {"crm_record": crm_record}))
        return record_push(organization_id=organization_id, module=crm_record.module,
                           crm_id=crm_record.crm_id, trigger="manual", actor=actor,
                           lane="interactive")  # fmt: skip

    controls.record_push_now = push_now
    return controls


def test_fix_in_place_writes_crm_then_pushes_and_the_failure_resolves(
    connected_org, admin_client_, real_push
):
    from syncadmin.sync.push import record_push
    from tests.sync.support import crm_account

    crm_id = crm_account(connected_org, "Fix In Place Ltd", VAT_Treatment=None)
    outcome = record_push(
        organization_id=connected_org.books_organization_id, module="Accounts", crm_id=crm_id
    )
    assert outcome.reason_code == "missing_vat_treatment"
    failure = SyncFailure.objects.get(reason_code="missing_vat_treatment", resolved_at=None)

    response = admin_client_.post(
        reverse("failure-fix", args=[failure.pk]), {"value": "uk", "next": "open=true"}, **HTMX
    )

    failure.refresh_from_db()
    assert failure.resolved_at is not None  # the push succeeded, so the failure closed
    assert CrmRecord.objects.get(crm_id=crm_id).tax_treatment == "uk"
    html = response.content.decode()
    assert "Fixed and pushed Fix In Place Ltd" in html and 'hx-swap-oob="true"' in html


def test_a_mapping_rows_failure_count_leads_to_its_failures(db, sales_client):
    link = RecordLinkFactory()
    SyncFailureFactory(link=link, crm_record=link.crm_record)
    SyncFailureFactory()
    response = sales_client.get(reverse("failures"), {"link": link.pk}, **HTMX)
    assert [r.record.link for r in response.context["table"].page.object_list] == [link]
