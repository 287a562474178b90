"""Shared fixtures: the three personas and logged-in clients for them."""

import pytest
from django.test import Client

from tests.factories import UserFactory


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
