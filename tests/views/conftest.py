"""Fixtures for the dashboard screens: a clean diagnostics cache, and a CRM ↔ Books pair
that really exists in the sandbox (made through the product's own clients and push), for
the screens whose actions reach Zoho."""

import pytest
from django.core.cache import cache

from syncadmin.models import AuditEvent, RecordLink, SyncSettings
from syncadmin.sync.push import record_push
from tests.sync.conftest import connected_org  # noqa: F401 - a Books org bound to the sandbox
from tests.sync.test_controls import new_account

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _fresh_diagnostics():
    """The checklist's facts are cached between requests; tests start without them."""
    cache.clear()
    yield
    cache.clear()


def sandbox_pair(org: SyncSettings, name: str) -> RecordLink:
    """A CRM account made in the sandbox's CRM and pushed once to its Books: a live link."""
    record = new_account(org, name)
    outcome = record_push(
        organization_id=org.books_organization_id, module="Accounts", crm_id=record.crm_id
    )
    assert outcome.outcome == "created", outcome.message
    return RecordLink.objects.select_related("crm_record", "books_contact").get(pk=outcome.link.pk)


def audited(*actions: str) -> list[AuditEvent]:
    """The audit events the controls wrote for ``actions`` (all of them without any)."""
    events = AuditEvent.objects.order_by("pk")
    return list(events.filter(action__in=actions) if actions else events)


def record_target(link: RecordLink) -> tuple[str, str]:
    """How an audit event names the link's CRM record (the record timeline's key)."""
    return "record", f"{link.crm_record.module}:{link.crm_record.crm_id}"
