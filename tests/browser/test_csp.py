"""The Content-Security-Policy breaks nothing: no violation on the main screens or in the
Django admin, and htmx still swaps fragments (issue 11, point 4)."""

import pytest
from playwright.sync_api import Page, expect

from tests.factories import RecordLinkFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
SCREENS = ["/", "/mapping/", "/failures/", "/history/", "/cleanup/", "/connections/",
           "/admin/", "/admin/syncadmin/connection/"]  # fmt: skip


def test_no_screen_violates_the_content_security_policy(live_server, page: Page):
    UserFactory(username="ada", password="correct horse", role="admin", is_staff=True)
    RecordLinkFactory.create_batch(3)
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security" in m.text else 0)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("correct horse")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".who")).to_contain_text("admin")

    for screen in SCREENS:
        page.goto(f"{live_server.url}{screen}")
        page.wait_for_load_state("networkidle")

    # An htmx swap: the mapping filter re-renders the table in place.
    page.goto(f"{live_server.url}/mapping/")
    swapped = lambda r: "/mapping/" in r.url and r.request.headers.get("hx-request")  # noqa: E731
    with page.expect_response(swapped):
        page.get_by_role("searchbox").first.fill("zzz-nothing-matches")
    assert page.evaluate("document.querySelectorAll('head style').length") == 0
    assert violations == []
