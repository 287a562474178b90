"""Transient failures retry once their backoff has passed, within a minute's beat."""

from datetime import timedelta

from django.utils import timezone

from syncadmin.models import SyncFailure
from syncadmin.sync.failures import failure_record
from syncadmin.sync.reconcile import failures_retry_due
from tests.sync.support import books_customers_for, crm_account


def test_a_due_transient_failure_is_retried_and_resolved(connected_org):
    crm_id = crm_account(connected_org, "Blip Recovered Ltd")
    failure_record(
        organization_id=connected_org.books_organization_id, subject=f"Accounts:{crm_id}",
        operation="push", reason_code="network_error",
        retry_at=timezone.now() - timedelta(seconds=1),
    )  # fmt: skip

    assert failures_retry_due() == 1

    assert len(books_customers_for(connected_org, crm_id)) == 1
    assert SyncFailure.objects.get(reason_code="network_error").resolved_at is not None


def test_a_failure_not_yet_due_waits(connected_org, zoho):
    crm_id = crm_account(connected_org, "Still Backing Off Ltd")
    failure_record(
        organization_id=connected_org.books_organization_id, subject=f"Accounts:{crm_id}",
        operation="push", reason_code="network_error",
        retry_at=timezone.now() + timedelta(minutes=5),
    )  # fmt: skip
    mark = zoho.stats()["now"]

    assert failures_retry_due() == 0
    assert zoho.stats(since=mark, service="books")["total"] == 0
