"""An admin connects Zoho CRM and Zoho Books through the real OAuth redirect flow.

The browser goes to the sandbox's accounts server exactly as it would go to
accounts.zoho.eu, consents there, and comes back to syncadmin's callback.
"""

import pytest
from playwright.sync_api import Page, expect

from syncadmin.models import Connection, ConnectionStatus
from tests.conftest import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def zoho_live(zoho, live_server):
    """The sandbox, with syncadmin's live-server callback registered for our client."""
    zoho.register_client(
        [f"{live_server.url}/connections/oauth/callback/"],
        client_id=SANDBOX_CLIENT_ID,
        client_secret=SANDBOX_CLIENT_SECRET,
    )
    return zoho


@pytest.fixture
def admin_page(live_server, page: Page) -> Page:
    UserFactory(username="ada", password="pw-ada", role="admin", is_staff=True)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("pw-ada")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    return page


def start_connect(page: Page, live_server, service_label: str) -> None:
    page.goto(f"{live_server.url}/connections/")
    page.get_by_role("link", name=f"Connect {service_label}").click()
    page.get_by_label("Data centre").select_option("eu")
    page.get_by_role("button", name="Continue to Zoho").click()


def test_admin_connects_crm_and_sees_the_connecting_user(zoho_live, live_server, admin_page):
    start_connect(admin_page, live_server, "Zoho CRM")
    admin_page.locator("select[name=user]").select_option("admin@zylker.test")
    admin_page.get_by_role("button", name="Accept").click()

    row = admin_page.locator("tr", has_text="Zoho CRM")
    expect(row).to_contain_text("admin@zylker.test")
    expect(row).to_contain_text("Connected")
    assert Connection.objects.get().status == ConnectionStatus.CONNECTED


def test_admin_connects_books_and_picks_the_organisation(zoho_live, live_server, admin_page):
    start_connect(admin_page, live_server, "Zoho Books")
    admin_page.get_by_role("button", name="Accept").click()

    expect(admin_page.get_by_role("heading", name="Pick the Books organisation")).to_be_visible()
    admin_page.get_by_label("Zylker UK", exact=False).check()
    admin_page.get_by_role("button", name="Use this organisation").click()

    row = admin_page.locator("tr", has_text="Zoho Books")
    expect(row).to_contain_text("Zylker UK")
    expect(row).to_contain_text("Connected")


def test_denied_consent_is_explained_and_nothing_is_stored(zoho_live, live_server, admin_page):
    start_connect(admin_page, live_server, "Zoho CRM")
    admin_page.get_by_role("button", name="Reject").click()

    expect(admin_page.get_by_text("Consent was denied")).to_be_visible()
    assert not Connection.objects.exists()


def test_tampered_state_is_refused_and_nothing_is_stored(zoho_live, live_server, admin_page):
    start_connect(admin_page, live_server, "Zoho CRM")
    # Someone alters the state on its way through Zoho; Zoho hands it back as it got it.
    admin_page.locator("input[name=state]").evaluate("input => input.value += 'x'")
    admin_page.get_by_role("button", name="Accept").click()

    expect(admin_page.get_by_text("not one we asked for")).to_be_visible()
    assert not Connection.objects.exists()
