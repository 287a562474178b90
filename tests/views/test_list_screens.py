"""The list screens: full page, htmx fragment, bounded queries, working filters."""

import pytest
from django.urls import reverse

from syncadmin.models import LinkState, RunStatus
from tests.factories import RecordLinkFactory, SyncFailureFactory, SyncRunFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def populated(db):
    RecordLinkFactory.create_batch(3)
    RecordLinkFactory(
        state=LinkState.ORPHANED_CRM, books_contact=None, crm_record__name="Qwzx Lone Co"
    )
    SyncFailureFactory.create_batch(2)
    SyncFailureFactory(reason_code="missing_place_of_supply")
    SyncRunFactory.create_batch(2)
    SyncRunFactory(status=RunStatus.FAILED)


@pytest.mark.parametrize("url_name", ["mapping", "failures", "history"])
def test_full_page_has_shell_and_results(url_name, populated, sales_client):
    html = sales_client.get(reverse(url_name)).content.decode()
    assert "<nav" in html and 'id="results"' in html


@pytest.mark.parametrize("url_name", ["mapping", "failures", "history"])
def test_htmx_request_gets_only_the_results_fragment(url_name, populated, sales_client):
    response = sales_client.get(reverse(url_name), **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert '<nav aria-label="Main"' not in html
    assert "HX-Request" in response["Vary"]


def test_history_restore_request_gets_the_whole_page(populated, sales_client):
    response = sales_client.get(reverse("mapping"), HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX)
    assert "<nav" in response.content.decode()


@pytest.mark.parametrize("url_name", ["mapping", "failures", "history"])
def test_list_queries_do_not_grow_with_rows(
    url_name, populated, sales_client, django_assert_max_num_queries
):
    RecordLinkFactory.create_batch(20)
    SyncFailureFactory.create_batch(20)
    SyncRunFactory.create_batch(20)
    with django_assert_max_num_queries(12):
        assert sales_client.get(reverse(url_name)).status_code == 200


@pytest.mark.parametrize(
    ("url_name", "query", "expected_rows"),
    [
        ("mapping", "state=orphaned_crm", 1),
        ("mapping", "state=linked", 3),
        ("mapping", "q=qwzx", 1),  # a name no Faker company contains
        ("mapping", "paused=true", 0),
        ("mapping", "paused=false", 4),
        ("failures", "reason_code=missing_place_of_supply", 1),
        ("failures", "open=true", 3),
        ("failures", "open=false", 0),
        ("history", "status=failed", 1),
        ("history", "kind=push", 3),
    ],
)
def test_filter_narrows_rows(url_name, query, expected_rows, populated, sales_client):
    response = sales_client.get(f"{reverse(url_name)}?{query}", **HTMX)
    assert response.context["table"].paginator.count == expected_rows


def test_sort_links_and_pager_keep_real_hrefs(db, sales_client):
    RecordLinkFactory.create_batch(51)
    html = sales_client.get(reverse("mapping")).content.decode()
    assert 'href="?sort=crm_record"' in html and 'hx-get="?sort=crm_record"' in html
    assert 'href="?page=2"' in html and 'hx-push-url="true"' in html


def test_overview_counts_links_and_open_failures(populated, finance_client):
    overview = finance_client.get(reverse("overview")).context["overview"]
    assert overview.links_by_state["Linked"] == 3
    assert overview.open_failures == 3


def test_connection_problem_shows_a_banner_on_every_page(db, sales_client):
    from syncadmin.models import ConnectionStatus
    from tests.factories import ConnectionFactory

    ConnectionFactory(status=ConnectionStatus.USER_INACTIVE, status_detail="User deactivated.")
    for name in ("overview", "mapping", "failures"):
        html = sales_client.get(reverse(name)).content.decode()
        assert "Connecting user inactive" in html and "the mapping is kept" in html


def test_overview_shows_each_organisations_api_budget(db, finance_client):
    import uuid

    from syncadmin import budget
    from tests.factories import ConnectionFactory

    org_id = f"org-{uuid.uuid4().hex}"  # Redis outlives the test database
    connection = ConnectionFactory(organization_id=org_id, plan="standard")
    gate = budget.gate(service="books", org_id=org_id, lane="interactive")
    with gate.slot(), gate.slot():
        pass

    overview = finance_client.get(reverse("overview")).context["overview"]
    [(shown, usage)] = overview.budgets
    assert shown == connection
    assert (usage.used_this_minute, usage.limit_per_minute, usage.daily_cap) == (2, 100, 2000)


def test_banner_for_an_inactive_user_says_once_that_the_mapping_is_kept(db, sales_client):
    from syncadmin.models import ConnectionStatus
    from syncadmin.zoho.errors import REASONS
    from tests.factories import ConnectionFactory

    fix = REASONS["token_invalid"].fix
    ConnectionFactory(status=ConnectionStatus.USER_INACTIVE, status_detail=f"Gone. {fix}")
    html = sales_client.get(reverse("overview")).content.decode()
    assert html.count("mapping is kept") == 1
