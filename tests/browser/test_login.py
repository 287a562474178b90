"""A person signs in and lands on the overview."""

import pytest
from playwright.sync_api import Page, expect

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_finance_user_signs_in_and_sees_the_overview(live_server, page: Page):
    UserFactory(username="fin", password="correct horse", role="finance")

    page.goto(f"{live_server.url}/mapping/")
    expect(page.get_by_role("heading", name="Sign in to syncadmin")).to_be_visible()
    page.get_by_label("Username").fill("fin")
    page.get_by_label("Password").fill("correct horse")
    page.get_by_role("button", name="Sign in").click()

    # Back to the page asked for first, then on to the overview through the navigation.
    expect(page.get_by_role("heading", name="Mapping")).to_be_visible()
    page.get_by_role("link", name="Overview").click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(page.locator(".who")).to_contain_text("finance")


def test_wrong_password_is_refused_with_a_clear_message(live_server, page: Page):
    UserFactory(username="sam", password="right", role="sales")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("didn't match")).to_be_visible()
