"""Shared fixtures: the three personas and logged-in clients for them."""

import pytest
from django.test import Client

from tests.factories import UserFactory

# Redis and the limiter's two backends, for the budget tests.
pytest_plugins = ["tests.budget_fixtures"]


@pytest.fixture
def admin_user(db):
    return UserFactory(username="ada", role="admin", is_staff=True)


@pytest.fixture
def finance_user(db):
    return UserFactory(username="fin", role="finance")


@pytest.fixture
def sales_user(db):
    return UserFactory(username="sam", role="sales")


@pytest.fixture
def persona(request, admin_user, finance_user, sales_user):
    """Parametrise with ``indirect=True`` over "admin" / "finance" / "sales"."""
    return {"admin": admin_user, "finance": finance_user, "sales": sales_user}[request.param]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_client_(admin_user):
    return client_for(admin_user)


@pytest.fixture
def finance_client(finance_user):
    return client_for(finance_user)


@pytest.fixture
def sales_client(sales_user):
    return client_for(sales_user)


# --- the Zoho sandbox, for product tests that talk to "Zoho" over real HTTP -------------

SANDBOX_CLIENT_ID = "1000.SANDBOXCLIENT00000000000000000"
SANDBOX_CLIENT_SECRET = "sandbox-client-secret"
TEST_REDIRECT_URI = "http://testserver/connections/oauth/callback/"


@pytest.fixture(autouse=True)
def _forget_cached_tokens():
    """Connection ids repeat across rolled-back tests; cached tokens must not."""
    from syncadmin.connections import tokens
    from syncadmin.sync import runs

    tokens._local_tokens.clear()
    runs._rolling.clear()  # the hour's push run of a rolled-back test is gone too


@pytest.fixture(autouse=True)
def _fresh_budget(settings):
    """Each test starts with an unspent API budget: one test's minute of calls (in this
    process's memory, or under its Redis keys) must not make the next one wait."""
    import uuid

    from syncadmin.budget import factory

    settings.BUDGET_KEY_PREFIX = f"{settings.BUDGET_KEY_PREFIX}:{uuid.uuid4().hex[:8]}"
    factory._backend = None
    yield
    factory._backend = None


@pytest.fixture(scope="session")
def zoho_sandbox():
    """One sandbox process per test worker; the product reaches it by base URL only."""
    from tests.sandbox_process import SandboxProcess

    with SandboxProcess() as server:
        yield server


@pytest.fixture
def zoho(zoho_sandbox, settings):
    """The sandbox reset to its baseline, and the product pointed at it like at real Zoho."""
    zoho_sandbox.reset()
    zoho_sandbox.register_client(
        [TEST_REDIRECT_URI],
        client_id=SANDBOX_CLIENT_ID,
        client_secret=SANDBOX_CLIENT_SECRET,
    )
    settings.ZOHO_ACCOUNTS_URL = zoho_sandbox.base_url
    settings.ZOHO_CLIENT_ID = SANDBOX_CLIENT_ID
    settings.ZOHO_CLIENT_SECRET = SANDBOX_CLIENT_SECRET
    return zoho_sandbox
