"""Point 7 of issue 11: request limits.

These failed before the fix: ?per_page= paged any number of rows into one response, the
organisation screen rebound an already-bound connection to another organisation, and
demo_setup reset the admin's password in production.
"""

import pytest
from django.core.management import CommandError, call_command
from django.http import QueryDict
from django.urls import reverse

from syncadmin.models import Connection
from syncadmin.views.rendering import MAX_PAGE_SIZE, PAGE_SIZE, bounded_query
from tests.zoho_helpers import BOOKS_UK, sandbox_connection

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("asked", "served"),
    [("100000", MAX_PAGE_SIZE), ("0", 1), ("-5", 1), ("abc", PAGE_SIZE), ("25", 25)],
)
def test_page_size_is_bounded(asked, served):
    assert bounded_query(QueryDict(f"per_page={asked}&page=2"))["per_page"] == str(served)


@pytest.mark.parametrize("url_name", ["history", "failures", "mapping"])
def test_list_screens_never_page_more_than_the_maximum(admin_client_, url_name):
    response = admin_client_.get(reverse(url_name), {"per_page": "1000000"})
    assert response.status_code == 200
    tables = [response.context["table"]]
    assert tables and all(t.paginator.per_page <= MAX_PAGE_SIZE for t in tables)


def test_organisation_screen_refuses_a_bound_connection(zoho, admin_client_):
    connection = sandbox_connection(zoho)  # bound to the UK organisation
    url = reverse("connection-organisation", args=[connection.pk])

    shown = admin_client_.get(url, follow=True)
    posted = admin_client_.post(url, {"organization_id": "20000002"}, follow=True)

    assert "already bound" in shown.content.decode()
    assert "already bound" in posted.content.decode()
    assert Connection.objects.get(pk=connection.pk).organization_id == BOOKS_UK


def test_demo_setup_refuses_production_unless_forced(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="--force"):
        call_command("demo_setup")
    call_command("demo_setup", "--force", stdout=open("/dev/null", "w"))  # noqa: SIM115
