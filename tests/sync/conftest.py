"""A Books organisation connected to the sandbox's CRM and Books, as the sync engine sees it."""

import pytest

from syncadmin.models import Service, SyncSettings
from syncadmin.sync.profile import sync_settings_ensure
from tests.conftest import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, TEST_REDIRECT_URI
from tests.zoho_helpers import BOOKS_UK, sandbox_connection


@pytest.fixture
def connected_org(zoho, db) -> SyncSettings:
    """Sync settings for the sandbox's UK Books organisation, bound to a CRM and a Books
    connection that hold real sandbox tokens (the sandbox is reset to its baseline)."""
    sandbox_connection(zoho, service=Service.CRM)
    sandbox_connection(zoho, service=Service.BOOKS)
    return sync_settings_ensure(books_organization_id=BOOKS_UK)


def seed_messy(zoho, *, size: int, seed: int) -> dict:
    """Seed the sandbox's messy scenario into the UK Books organisation (this wipes the
    sandbox, so the OAuth client is registered again); the seed's summary."""
    response = zoho.client.post(
        "/_sandbox/seed",
        json={"scenario": "messy", "size": size, "seed": seed, "org": BOOKS_UK},
        timeout=300,
    )
    assert response.status_code == 201, response.text
    zoho.register_client(
        [TEST_REDIRECT_URI], client_id=SANDBOX_CLIENT_ID, client_secret=SANDBOX_CLIENT_SECRET
    )
    return response.json()


def seed_truth(zoho, *, size: int, seed: int) -> dict:
    response = zoho.client.get("/_sandbox/seed/truth", params={"size": size, "seed": seed})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def messy_org(zoho, db) -> SyncSettings:
    """The messy scenario (about 300 records, seed 11) in the UK organisation, connected."""
    seed_messy(zoho, size=300, seed=11)
    sandbox_connection(zoho, service=Service.CRM)
    sandbox_connection(zoho, service=Service.BOOKS)
    return sync_settings_ensure(books_organization_id=BOOKS_UK)
