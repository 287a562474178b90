"""Overview and the diagnostic checklist: a clean organisation passes every item; a messy
one (every problem class the sandbox's messy scenario seeds) fails or warns on each."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from syncadmin.diagnostics.checklist import PASS, checklist_evaluate
from syncadmin.diagnostics.facts import facts_collect
from syncadmin.models import ConnectionStatus, LinkState, RunStatus, Service, SyncSettings
from tests.factories import (
    AuditEventFactory,
    BooksContactFactory,
    ConnectionFactory,
    RecordLinkFactory,
    SyncFailureFactory,
    SyncRunFactory,
)
from tests.views.conftest import HTMX

ORG = "20099000001"
CHECKS = {"sync_running", "paused", "connecting_user", "duplicates_where", "duplicates_kind",
          "reconnect", "two_way", "crossed", "native_duplicate", "orphans", "name_collisions",
          "mandatory_fields", "currency", "writeback", "channel"}  # fmt: skip


def now():
    return timezone.now()


@pytest.fixture
def clean(db):
    ConnectionFactory(service=Service.CRM, organization_id="800001", user_active=True)
    ConnectionFactory(service=Service.BOOKS, organization_id=ORG, user_active=True)
    settings = SyncSettings.objects.create(
        books_organization_id=ORG, writeback_field_present=True,
        channel_expires_at=now() + timedelta(days=3), last_webhook_at=now() - timedelta(hours=1),
    )  # fmt: skip
    SyncRunFactory(status=RunStatus.SUCCEEDED, finished_at=now() - timedelta(hours=1))
    started = now() - timedelta(days=300)
    for i in range(5):
        RecordLinkFactory(
            crm_record__name=f"Clean Co {i}", crm_record__currency="GBP",
            books_contact__contact_name=f"Clean Co {i}", books_contact__email=f"c{i}@clean.test",
            books_contact__zcrm_account_id=f"36{i}", books_contact__created_time=started,
            books_contact__currency_code="GBP",
        )  # fmt: skip
    return settings


@pytest.fixture
def messy(clean, admin_user):
    SyncRunFactory(status=RunStatus.RUNNING, heartbeat_at=now() - timedelta(hours=1))
    SyncSettings.objects.filter(pk=clean.pk).update(
        paused=True, paused_at=now() - timedelta(days=3), paused_by=admin_user,
        paused_reason="audit", writeback_field_present=False,
        channel_expires_at=now() - timedelta(days=1),
    )  # fmt: skip
    ConnectionFactory(service=Service.CRM, organization_id="800002", user_active=False,
                      status=ConnectionStatus.USER_INACTIVE)  # fmt: skip
    BooksContactFactory.create_batch(
        2, organization_id=ORG, contact_name="Twin Ltd", email="t@twin.test"
    )
    BooksContactFactory(organization_id=ORG, contact_name="Drift Ltd", email="d@drift.test")
    BooksContactFactory(organization_id=ORG, contact_name="Drift Limited", email="d@drift.test",
                        created_time=now() - timedelta(days=10))  # typed into Books  # fmt: skip
    RecordLinkFactory(crm_record__name="Crm Twin")
    RecordLinkFactory(crm_record__name="crm twin", crossed=True)
    RecordLinkFactory(state=LinkState.NATIVE_DUPLICATE)
    RecordLinkFactory(state=LinkState.ORPHANED_BOOKS, crm_record=None)
    RecordLinkFactory(crm_record__currency="JPY", books_contact__currency_code="GBP")
    AuditEventFactory(action="connection.disconnect", target_type="connection", actor_label="ada")
    SyncFailureFactory(reason_code="display_name_taken")
    SyncFailureFactory(reason_code="missing_place_of_supply")
    return clean


def statuses() -> dict[str, str]:
    return {c.key: c.status for c in checklist_evaluate(facts_collect())}


def test_a_clean_organisation_passes_every_item(clean):
    result = statuses()
    assert set(result) == CHECKS
    assert {k: v for k, v in result.items() if v != PASS} == {}


def test_a_messy_organisation_is_flagged_on_every_item(messy):
    result = statuses()
    assert [k for k, v in result.items() if v == PASS] == []


def test_identical_duplicate_names_point_at_a_broken_mapping(clean):
    BooksContactFactory.create_batch(
        2, organization_id=ORG, contact_name="Twin Ltd", email="t@twin.test"
    )
    [check] = [c for c in checklist_evaluate(facts_collect()) if c.key == "duplicates_kind"]
    assert (
        check.status == "fail"
        and "broken mapping" in check.evidence
        and "1 identical" in check.evidence
    )


def test_a_recent_pause_passes_and_an_old_one_warns_with_who(clean, admin_user):
    SyncSettings.objects.filter(pk=clean.pk).update(
        paused=True, paused_at=now() - timedelta(hours=1), paused_by=admin_user
    )
    assert statuses()["paused"] == "pass"
    SyncSettings.objects.filter(pk=clean.pk).update(paused_at=now() - timedelta(days=2))
    [check] = [c for c in checklist_evaluate(facts_collect()) if c.key == "paused"]
    assert check.status == "warn" and "ada" in check.evidence


def test_every_flagged_item_links_to_a_list_that_shows_it(messy, admin_user):
    client = Client()
    client.force_login(admin_user)
    for check in checklist_evaluate(facts_collect()):
        if check.status != PASS and check.url:
            assert client.get(check.url).status_code == 200, check


def test_the_crossed_item_leads_to_the_crossed_links(messy, sales_client):
    [check] = [c for c in checklist_evaluate(facts_collect()) if c.key == "crossed"]
    response = sales_client.get(check.url, **HTMX)
    assert [r.record.crossed for r in response.context["table"].page.object_list] == [True]


@pytest.mark.parametrize("persona", ["admin", "finance", "sales"], indirect=True)
def test_overview_full_page_shows_every_panel_and_the_checklist(
    persona, messy, client, django_assert_max_num_queries
):
    client.force_login(persona)
    client.get(reverse("overview"))  # the facts are computed once, then read from the cache
    with django_assert_max_num_queries(12):
        html = client.get(reverse("overview")).content.decode()
    for heading in ("Connections", "Sync freshness", "Open failures", "API budget today",
                    "Notification channels", "Diagnostic checklist"):  # fmt: skip
        assert heading in html
    assert "Sync paused" in html and "inactive" in html and 'data-check="crossed"' in html


@pytest.mark.parametrize("persona", ["admin", "finance", "sales"], indirect=True)
def test_overview_htmx_gets_the_checklist_fragment(persona, clean, client):
    client.force_login(persona)
    html = client.get(reverse("overview"), **HTMX).content.decode()
    assert html.lstrip().startswith('<section id="checklist"') and "<nav" not in html


def test_check_again_recomputes_the_facts(clean, sales_client):
    sales_client.get(reverse("overview"))
    RecordLinkFactory(crossed=True)
    assert "15 passing" in sales_client.get(reverse("overview")).content.decode()  # cached
    html = sales_client.post(reverse("checklist-refresh"), **HTMX).content.decode()
    assert "1 failing" in html and "14 passing" in html
    assert sales_client.post(reverse("checklist-refresh")).status_code == 302
