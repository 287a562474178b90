"""A Books organisation connected to the sandbox's CRM and Books, as the sync engine sees it."""

import pytest

from syncadmin.models import Service, SyncSettings
from syncadmin.sync.profile import sync_settings_ensure
from tests.zoho_helpers import BOOKS_UK, sandbox_connection


@pytest.fixture
def connected_org(zoho, db) -> SyncSettings:
    """Sync settings for the sandbox's UK Books organisation, bound to a CRM and a Books
    connection that hold real sandbox tokens (the sandbox is reset to its baseline)."""
    sandbox_connection(zoho, service=Service.CRM)
    sandbox_connection(zoho, service=Service.BOOKS)
    return sync_settings_ensure(books_organization_id=BOOKS_UK)
