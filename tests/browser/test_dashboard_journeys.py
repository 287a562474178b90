"""The dashboard's main journeys in real Chromium, each ending in a screenshot saved under
test-results/journeys/ (the CI artefacts directory)."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from syncadmin.models import AuditEvent, CrmRecord, LinkState, Service, SyncFailure
from syncadmin.services import audit_record
from syncadmin.sync.profile import sync_settings_ensure
from tests.factories import RecordLinkFactory, SyncEventFactory, SyncFailureFactory, UserFactory
from tests.zoho_helpers import sandbox_connection

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "journeys"
BOOKS_IN = "20000002"


@pytest.fixture(autouse=True)
def _fresh_diagnostics():
    from django.core.cache import cache

    cache.clear()  # the checklist's facts are cached between requests


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, live_server, role: str) -> None:
    UserFactory(username=role, password="pw-journey", role=role, is_staff=role == "admin")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(role)
    page.get_by_label("Password").fill("pw-journey")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()


def connect(zoho, *, books_org: str, country: str):
    sandbox_connection(zoho, service=Service.CRM)
    sandbox_connection(zoho, service=Service.BOOKS, organization_id=books_org)
    settings = sync_settings_ensure(books_organization_id=books_org)
    type(settings).objects.filter(pk=settings.pk).update(books_country=country)
    settings.refresh_from_db()
    return settings


def test_sales_finds_a_record_pushes_it_now_and_sees_it_linked(live_server, page: Page, zoho):
    from syncadmin.sync.profile import org_clients

    settings = connect(zoho, books_org="20000001", country="uk")
    [made] = org_clients(settings).crm.insert(
        module="Accounts", records=[{"Account_Name": "Journey Widgets Ltd", "VAT_Treatment": "uk"}]
    )
    CrmRecord.objects.create(module="Accounts", crm_id=made.id, name="Journey Widgets Ltd")

    sign_in(page, live_server, "sales")
    page.get_by_role("link", name="Mapping").click()
    page.get_by_role("link", name="CRM records without a Books customer").click()
    page.get_by_label("Search").fill("journey wid")
    page.get_by_role("link", name="Journey Widgets Ltd").click()
    expect(page.get_by_text("Not linked to a Books customer")).to_be_visible()
    page.get_by_role("button", name="Push now").click()

    expect(page.locator("#record .state")).to_have_text("Linked")
    expect(page.get_by_text("Push now: created")).to_be_visible()
    link = CrmRecord.objects.get(crm_id=made.id).links.get()
    expect(page).to_have_url(f"{live_server.url}/records/{link.pk}/")
    # The customer Books made is the one linked, and the push is on the record's trail.
    books = org_clients(settings).books.contacts()
    [customer] = [c for c in books if c.contact_name == "Journey Widgets Ltd"]
    assert link.books_contact.contact_id == customer.contact_id
    event = AuditEvent.objects.get(action="record_push_now")
    assert (event.actor_label, event.after) == ("sales", {"outcome": "created", "reason": ""})
    shot(page, "sales-push-now")


def test_admin_fixes_a_missing_place_of_supply_in_place(live_server, page: Page, zoho):
    from syncadmin.sync.profile import org_clients
    from syncadmin.sync.push import record_push

    settings = connect(zoho, books_org=BOOKS_IN, country="in")
    [made] = org_clients(settings).crm.insert(
        module="Accounts", records=[{"Account_Name": "Bangalore Looms Pvt Ltd"}]
    )
    outcome = record_push(organization_id=BOOKS_IN, module="Accounts", crm_id=made.id)
    assert outcome.reason_code == "missing_place_of_supply"

    sign_in(page, live_server, "admin")
    page.get_by_role("link", name="Failures").click()
    page.get_by_role("link", name="Missing place of supply").first.click()
    expect(page.locator(".reason-detail")).to_contain_text("Missing place of supply")
    row = page.locator("tr", has_text="Bangalore Looms")
    row.get_by_label("Place of supply").select_option("KA")
    row.get_by_role("button", name="Set and retry").click()

    expect(page.get_by_text("Fixed and pushed Bangalore Looms Pvt Ltd")).to_be_visible()
    expect(page.locator("#summary")).not_to_contain_text("Missing place of supply")
    assert SyncFailure.objects.get(reason_code="missing_place_of_supply").resolved_at is not None
    assert [e.action for e in AuditEvent.objects.order_by("pk")] == [
        "record.fix",
        "record_push_now",
    ]
    shot(page, "admin-fix-in-place")


def test_admin_follows_a_failing_diagnostic_item_to_the_filtered_list(live_server, page: Page):
    RecordLinkFactory.create_batch(3)
    crossed = RecordLinkFactory(crossed=True, crm_record__name="Crossed Wires Ltd")
    sign_in(page, live_server, "admin")
    item = page.locator('[data-check="crossed"]')
    expect(item.locator(".badge")).to_have_text("fail")
    shot(page, "admin-overview-checklist")
    item.get_by_role("link", name="Crossed links").click()

    expect(page).to_have_url(f"{live_server.url}/mapping/?crossed=true")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(crossed.crm_record.name)
    shot(page, "admin-diagnostic-to-list")


def test_finance_opens_a_record_page_and_reads_the_timeline(live_server, page: Page):
    link = RecordLinkFactory(
        crm_record__name="Ledger Lane Ltd",
        books_contact__contact_name="Ledger Lane Ltd",
        books_contact__invoice_count=4,
        books_contact__outstanding_receivable="980.00",
        state=LinkState.LINKED,
    )
    SyncEventFactory(crm_record=link.crm_record, message="name pushed to Books")
    SyncFailureFactory(crm_record=link.crm_record, reason_code="missing_vat_treatment", attempts=2)
    audit_record(
        actor=None,
        action="record.pause",
        target_type="record",
        target_id=f"Accounts:{link.crm_record.crm_id}",
        note="disputed invoice",
    )
    sign_in(page, live_server, "finance")
    page.get_by_role("link", name="Mapping").click()
    page.get_by_label("Search").fill("ledger lane")
    page.locator("#results").get_by_role("link", name="Ledger Lane Ltd").first.click()

    expect(page.get_by_role("heading", name="Ledger Lane Ltd")).to_be_visible()
    timeline = page.locator(".timeline")
    expect(timeline).to_contain_text("name pushed to Books")
    expect(timeline).to_contain_text("disputed invoice")
    expect(timeline).to_contain_text("Missing vat treatment")
    expect(page.get_by_text("980.00")).to_be_visible()
    expect(page.get_by_role("button", name="Push now")).to_have_count(0)  # finance reads only
    shot(page, "finance-record-timeline")
