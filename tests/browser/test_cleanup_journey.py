"""Cleanup in real Chromium: finance reviews a cluster, an admin-and-finance colleague
proposes a plan (and cannot approve it), sales cannot approve, finance approves and
watches it execute. Screenshots under test-results/journeys/."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Browser, Page, expect

from syncadmin.models import CleanupPlan, PlanState
from tests.cleanup.conftest import mirror_and_match
from tests.factories import UserFactory, ensure_roles
from tests.sync.conftest import seed_messy
from tests.zoho_helpers import sandbox_connection

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "journeys"


def signed_in(browser: Browser, live_server, username: str) -> Page:
    page = browser.new_context().new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw-journey")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    return page


def post_from(page: Page, url: str) -> tuple[int, str]:
    """POST from the signed-in page with its CSRF token, as a hand-made form would; the
    status and text of the answer (after redirects)."""
    return tuple(
        page.evaluate(
            """async (url) => {
                const headers = JSON.parse(document.body.getAttribute('hx-headers'));
                const answer = await fetch(url, {method: 'POST', headers: headers});
                return [answer.status, await answer.text()];
            }""",
            url,
        )
    )


@pytest.fixture
def messy(zoho):
    from syncadmin.models import Service
    from syncadmin.sync.profile import sync_settings_ensure
    from tests.zoho_helpers import BOOKS_UK

    seed_messy(zoho, size=300, seed=11)
    sandbox_connection(zoho, service=Service.CRM)
    sandbox_connection(zoho, service=Service.BOOKS)
    org = sync_settings_ensure(books_organization_id=BOOKS_UK)
    mirror_and_match(org)
    return org


def test_finance_reviews_a_colleague_proposes_and_finance_watches_it_execute(
    live_server, browser: Browser, messy, monkeypatch
):
    from syncadmin import tasks
    from syncadmin.cleanup import execute

    # The worker is this test: the task is not run inside the request that enqueues it.
    monkeypatch.setattr(tasks.cleanup_plan_run, "delay_on_commit", lambda *a, **k: None)
    for name, roles in (("fin", ["finance"]), ("boss", ["admin", "finance"]), ("sam", ["sales"])):
        user = UserFactory(username=name, password="pw-journey", is_staff="admin" in roles)
        ensure_roles()
        user.groups.add(*Group.objects.filter(name__in=roles))

    # Finance reviews the biggest cluster: records side by side, accepts it.
    fin = signed_in(browser, live_server, "fin")
    fin.get_by_role("link", name="Cleanup").click()
    expect(fin.get_by_role("heading", name="Duplicate cleanup: review queue")).to_be_visible()
    fin.locator("#results td a").first.click()
    expect(fin.get_by_role("heading", name="Records side by side")).to_be_visible()
    fin.get_by_role("button", name="Accept the whole cluster").click()
    expect(fin.locator("#cluster .status")).to_have_text("Accepted")  # swapped by htmx
    SHOTS.mkdir(parents=True, exist_ok=True)
    fin.screenshot(path=str(SHOTS / "cleanup-review.png"), full_page=True)

    # A colleague with admin rights proposes the plan and takes it through the checklist.
    boss = signed_in(browser, live_server, "boss")
    boss.goto(f"{live_server.url}/cleanup/plans/")
    boss.get_by_role("button", name="Propose a plan from the accepted clusters").click()
    expect(boss.get_by_role("heading", name="Money preview")).to_be_visible()
    boss.get_by_role("button", name="I switched Zoho's native contact sync off").click()
    while boss.get_by_role("button", name="Mappings confirmed by Zoho support").count():
        boss.get_by_role("button", name="Mappings confirmed by Zoho support").first.click()
    boss.get_by_role("button", name="Submit for approval").click()
    plan = CleanupPlan.objects.get()
    assert plan.state == PlanState.SUBMITTED
    # Four eyes: the proposer has finance's rights too, and still cannot approve.
    expect(boss.get_by_role("button", name="Approve")).to_have_count(0)
    approve = f"{live_server.url}/cleanup/plans/{plan.pk}/approve/"
    status, text = post_from(boss, approve)
    assert status == 200 and "another person must approve" in text

    # Sales cannot approve.
    sam = signed_in(browser, live_server, "sam")
    assert post_from(sam, approve)[0] == 403
    plan.refresh_from_db()
    assert plan.state == PlanState.SUBMITTED

    # Finance approves, confirms the irreversible merges, starts it and watches it run.
    fin.goto(f"{live_server.url}/cleanup/plans/{plan.pk}/")
    fin.get_by_role("button", name="Approve").click()
    if fin.get_by_role("button", name="Confirm the CRM merges (cannot be undone)").count():
        fin.get_by_role("button", name="Confirm the CRM merges (cannot be undone)").click()
    fin.get_by_role("button", name="Execute").click()
    expect(fin.locator("#progress [data-state]")).to_have_text("Executing")
    execute.plan_execute(plan_id=plan.pk)  # the worker picks it up
    expect(fin.locator("#progress [data-state]")).to_have_text("Done", timeout=15_000)
    expect(fin.locator("#progress progress")).to_have_attribute("value", "100")
    expect(fin.locator("#item-1 h3 .status")).to_have_text("Done")  # steps refreshed too
    fin.screenshot(path=str(SHOTS / "cleanup-executed.png"), full_page=True)
