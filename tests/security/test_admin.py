"""Point 6 of issue 11: the Django admin edits only a connection's plan and limit, and no
admin page carries a secret.

These failed before the fix: every connection field (organisation, status, servers,
client id) was editable, rows could be added and deleted there.
"""

import pytest
from django.contrib import admin
from django.urls import reverse

from syncadmin.encryption import EncryptedTextField
from syncadmin.models import Connection
from tests.conftest import client_for
from tests.factories import ConnectionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client():
    return client_for(UserFactory(username="root", is_staff=True, is_superuser=True))


def test_only_plan_and_daily_limit_are_editable(superuser_client):
    connection = ConnectionFactory(plan="standard", organization_id="20099000001")
    url = reverse("admin:syncadmin_connection_change", args=[connection.pk])
    form = superuser_client.get(url).context["adminform"].form
    assert set(form.fields) == {"plan", "daily_limit"}

    superuser_client.post(
        url,
        {"plan": "premium", "daily_limit": "5000", "organization_id": "666", "status": "paused",
         "api_domain": "https://evil.example"},
    )  # fmt: skip

    stored = Connection.objects.get(pk=connection.pk)
    assert (stored.plan, stored.daily_limit) == ("premium", 5000)
    assert (stored.organization_id, stored.status) == ("20099000001", "connected")
    assert stored.api_domain == connection.api_domain


def test_connections_are_neither_added_nor_deleted_in_the_admin(superuser_client):
    connection = ConnectionFactory()
    assert superuser_client.get(reverse("admin:syncadmin_connection_add")).status_code == 403
    delete = reverse("admin:syncadmin_connection_delete", args=[connection.pk])
    assert superuser_client.post(delete, {"post": "yes"}).status_code == 403
    assert Connection.objects.filter(pk=connection.pk).exists()


def test_no_admin_form_offers_an_encrypted_field(rf):
    request = rf.get("/")
    request.user = UserFactory.build(is_staff=True, is_superuser=True)
    for model, model_admin in admin.site._registry.items():
        secret = {f.name for f in model._meta.fields if isinstance(f, EncryptedTextField)}
        shown = set(model_admin.get_fields(request)) | set(model_admin.get_list_display(request))
        assert not secret & shown, f"{model.__name__} admin shows {secret & shown}"
