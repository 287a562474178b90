"""The list screens: full page, htmx fragment, every role, bounded queries, working filters."""

import pytest
from django.urls import reverse

from syncadmin.models import LinkState, RunStatus
from syncadmin.views.rendering import PAGE_SIZE
from tests.factories import RecordLinkFactory, SyncFailureFactory, SyncRunFactory
from tests.views.conftest import HTMX

LISTS = ["mapping", "failures", "history"]
ROLES = ["admin", "finance", "sales"]


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


def rows(response) -> int:
    return len(response.context["table"].page.object_list)


@pytest.mark.parametrize("persona", ROLES, indirect=True)
@pytest.mark.parametrize("url_name", LISTS)
def test_full_page_has_shell_and_results(url_name, persona, populated, client):
    client.force_login(persona)
    html = client.get(reverse(url_name)).content.decode()
    assert '<nav aria-label="Main"' in html and 'id="results"' in html


@pytest.mark.parametrize("persona", ROLES, indirect=True)
@pytest.mark.parametrize("url_name", LISTS)
def test_htmx_request_gets_only_the_results_fragment(url_name, persona, populated, client):
    client.force_login(persona)
    response = client.get(reverse(url_name), **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert '<nav aria-label="Main"' not in html
    assert "HX-Request" in response["Vary"]


def test_history_restore_request_gets_the_whole_page(populated, sales_client):
    response = sales_client.get(reverse("mapping"), HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX)
    assert "<nav" in response.content.decode()


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize("url_name", LISTS)
def test_list_queries_do_not_grow_with_rows(
    url_name, htmx, populated, admin_client_, django_assert_max_num_queries
):
    RecordLinkFactory.create_batch(30)
    SyncFailureFactory.create_batch(30)
    SyncRunFactory.create_batch(30)
    # session, user, permissions (2), role, page, per-page extras (mapping: open failures and
    # the whole mapping's size; failures: the summary), alert banners, connection problems
    with django_assert_max_num_queries(10):
        response = admin_client_.get(reverse(url_name), **(HTMX if htmx else {}))
    assert response.status_code == 200


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
    assert rows(response) == expected_rows


def test_sort_links_and_pager_keep_real_hrefs(db, sales_client):
    RecordLinkFactory.create_batch(PAGE_SIZE + 1)
    html = sales_client.get(reverse("mapping")).content.decode()
    assert 'href="?sort=crm_name"' in html and 'hx-get="?sort=crm_name"' in html
    assert 'href="?page=2"' in html and 'hx-push-url="true"' in html
    # The mapping pages without counting a million rows: Next is known, the total is not.
    page2 = sales_client.get(reverse("mapping") + "?page=2", **HTMX)
    assert rows(page2) == 1 and 'href="?page=1"' in page2.content.decode()


def test_connection_problem_shows_a_banner_on_every_page(db, sales_client):
    from syncadmin.models import ConnectionStatus
    from tests.factories import ConnectionFactory

    ConnectionFactory(status=ConnectionStatus.USER_INACTIVE, status_detail="User deactivated.")
    for name in ("overview", "mapping", "failures"):
        html = sales_client.get(reverse(name)).content.decode()
        assert "Connecting user inactive" in html and "the mapping is kept" in html


def test_banner_for_an_inactive_user_says_once_that_the_mapping_is_kept(db, sales_client):
    from syncadmin.models import ConnectionStatus
    from syncadmin.zoho.errors import REASONS
    from tests.factories import ConnectionFactory

    fix = REASONS["token_invalid"].fix
    ConnectionFactory(status=ConnectionStatus.USER_INACTIVE, status_detail=f"Gone. {fix}")
    html = sales_client.get(reverse("overview")).content.decode()
    assert html.count("mapping is kept") == 1
