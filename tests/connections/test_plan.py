"""The admin sets a connection's plan on the Connections screen; the budget spends by it."""

import pytest
from django.urls import reverse

from syncadmin import budget, connections
from syncadmin.models import AuditEvent, Connection, Service
from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def post_plan(client, connection, plan, daily_limit="", **extra):
    prefix = f"plan-{connection.pk}"
    data = {f"{prefix}-plan": plan, f"{prefix}-daily_limit": daily_limit}
    return client.post(reverse("connection-plan", args=[connection.pk]), data, **extra)


def test_admin_sets_a_books_plan_and_the_budget_spends_by_it(admin_client_, admin_user):
    connection = ConnectionFactory(service=Service.BOOKS, plan="standard")
    assert connections.connection_limits(connection).daily_cap == 2_000

    response = post_plan(admin_client_, connection, "professional")

    assert response.status_code == 302 and response["Location"] == reverse("connections")
    connection.refresh_from_db()
    assert (connection.plan, connection.daily_limit) == ("professional", None)
    gate = connections.connection_gate(connection, "realtime")
    assert gate.limits.daily_cap == 5_000
    [event] = AuditEvent.objects.filter(action="connection.plan")
    assert event.actor == admin_user and event.target_id == str(connection.pk)
    assert event.before == {"plan": "standard", "daily_limit": None}
    assert event.after == {"plan": "professional", "daily_limit": None}


def test_a_raised_crm_daily_limit_becomes_the_credit_budget(admin_client_):
    connection = ConnectionFactory(service=Service.CRM, plan="standard")

    post_plan(admin_client_, connection, "enterprise", "120000")

    connection.refresh_from_db()
    limits = connections.connection_limits(connection)
    assert (limits.credits, limits.concurrency) == (120_000, 20)


def test_htmx_post_re_renders_only_the_plan_form_saying_it_saved(admin_client_):
    connection = ConnectionFactory(service=Service.BOOKS, plan="standard")

    response = post_plan(admin_client_, connection, "premium", **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<form id="plan-{connection.pk}"') and "<html" not in html
    assert "Saved." in html and "10000 requests per UTC day" in html
    assert Connection.objects.get(pk=connection.pk).plan == "premium"


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_an_unknown_plan_shows_the_form_error_and_saves_nothing(admin_client_, headers):
    # "enterprise" is a CRM edition, not a Books plan: the select does not offer it.
    connection = ConnectionFactory(service=Service.BOOKS, plan="standard")

    response = post_plan(admin_client_, connection, "enterprise", **headers)

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Connection.objects.get(pk=connection.pk).plan == "standard"
    assert not AuditEvent.objects.filter(action="connection.plan").exists()


@pytest.mark.parametrize("persona", ["finance", "sales"], indirect=True)
def test_only_admins_may_set_a_plan(persona):
    from tests.conftest import client_for

    connection = ConnectionFactory(service=Service.BOOKS, plan="standard")

    response = post_plan(client_for(persona), connection, "premium")

    assert response.status_code == 403
    assert Connection.objects.get(pk=connection.pk).plan == "standard"
    assert not AuditEvent.objects.exists()


def test_service_refuses_an_unknown_plan_and_saves_nothing(admin_user):
    connection = ConnectionFactory(service=Service.CRM, plan="standard")

    with pytest.raises(budget.UnknownPlan, match="enterprise"):
        connections.connection_plan_set(
            connection=connection, plan="gold", daily_limit=None, actor=admin_user
        )

    assert Connection.objects.get(pk=connection.pk).plan == "standard"
    assert not AuditEvent.objects.exists()


def test_saving_the_same_plan_again_records_nothing(admin_user):
    connection = ConnectionFactory(service=Service.BOOKS, plan="elite", daily_limit=12_000)

    connections.connection_plan_set(
        connection=connection, plan="elite", daily_limit=12_000, actor=admin_user
    )

    assert not AuditEvent.objects.exists()


def test_a_stored_unknown_plan_is_an_error_not_a_default():
    # Rows written before plans were validated: spending as "standard" could overrun.
    connection = ConnectionFactory(service=Service.BOOKS, plan="gold")

    with pytest.raises(budget.UnknownPlan, match="valid plans: free, standard"):
        connections.connection_limits(connection)


def test_admin_page_offers_each_service_only_its_own_plans(
    admin_client_, django_assert_max_num_queries
):
    books = ConnectionFactory(service=Service.BOOKS, plan="premium")
    crm = ConnectionFactory(service=Service.CRM, plan="enterprise")

    with django_assert_max_num_queries(8):
        response = admin_client_.get(reverse("connections"))

    forms = dict(response.context["rows"])
    assert [value for value, _ in forms[books].fields["plan"].choices] == [
        "free", "standard", "professional", "premium", "elite", "ultimate",
    ]  # fmt: skip
    assert [value for value, _ in forms[crm].fields["plan"].choices] == [
        "free", "standard", "professional", "enterprise", "ultimate",
    ]  # fmt: skip
    html = response.content.decode()
    assert f'id="plan-{books.pk}"' in html and f'id="plan-{crm.pk}"' in html


def test_others_see_the_plan_but_no_form(finance_client):
    connection = ConnectionFactory(service=Service.BOOKS, plan="premium", daily_limit=15_000)

    html = finance_client.get(reverse("connections")).content.decode()

    assert "Premium, 15000 a day" in html
    assert f'id="plan-{connection.pk}"' not in html


def test_table_fragment_renders_the_plan_forms(admin_client_):
    connection = ConnectionFactory(service=Service.BOOKS)

    html = admin_client_.get(reverse("connections"), **HTMX).content.decode()

    assert html.lstrip().startswith('<section id="table">')
    assert f'id="plan-{connection.pk}"' in html
