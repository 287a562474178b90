"""Mapping browser: search, one count test per filter, bulk actions by role, unlinked
records, and the streaming exports."""

import csv
import io
import json

import pytest
from django.urls import reverse

from syncadmin.models import LinkProvenance, LinkState, SyncEvent, SyncFailure
from syncadmin.sync import selectors
from syncadmin.sync.profile import org_clients
from syncadmin.views.rendering import PAGE_SIZE
from tests.factories import (
    BooksContactFactory,
    CrmRecordFactory,
    RecordLinkFactory,
    SyncFailureFactory,
)
from tests.views.conftest import HTMX, audited, record_target, sandbox_pair


def rows(response) -> list:
    return [r.record for r in response.context["table"].page.object_list]


@pytest.fixture
def acme(db):
    return RecordLinkFactory(
        crm_record__name="Acmezz Widgets Ltd", crm_record__email="Billing@Acmezz.test",
        crm_record__crm_id="3652397000000999001", books_contact__contact_id="460000000999001",
        books_contact__contact_name="Acmezz Widgets", books_contact__has_transaction=True,
        provenance=LinkProvenance.PUSHED,
    )  # fmt: skip


@pytest.mark.parametrize(
    "query",
    ["acmezz", "ACMEZZ wid", "billing@acmezz.test", "3652397000000999001", "460000000999001"],
)
def test_search_finds_by_name_prefix_email_or_either_id(query, acme, sales_client):
    RecordLinkFactory.create_batch(3)
    response = sales_client.get(reverse("mapping"), {"q": query}, **HTMX)
    assert rows(response) == [acme]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"state": "orphaned_books"}, 1),
        ({"provenance": "pushed"}, 1),
        ({"module": "Contacts"}, 1),
        ({"organisation": "20099000002"}, 1),
        ({"paused": "true"}, 1),
        ({"failing": "true"}, 1),
        ({"failing": "false"}, 4),
        ({"has_transactions": "true"}, 1),
        ({"crossed": "true"}, 1),
        ({"duplicate": "books_name"}, 2),
        ({"duplicate": "crm_name"}, 0),
    ],
)
def test_each_filter_counts_its_rows(query, expected, acme, sales_client):
    RecordLinkFactory(state=LinkState.ORPHANED_BOOKS, crm_record=None)
    RecordLinkFactory(crm_module="Contacts", crm_record__module="Contacts")
    RecordLinkFactory(books_organization_id="20099000002", paused=True, crossed=True)
    twin = RecordLinkFactory(books_contact__contact_name="acmezz widgets")
    SyncFailureFactory(link=twin, crm_record=twin.crm_record)
    response = sales_client.get(reverse("mapping"), query, **HTMX)
    assert len(rows(response)) == expected


def test_invalid_filter_value_is_reported(acme, sales_client):
    html = sales_client.get(reverse("mapping"), {"state": "nonsense"}).content.decode()
    assert "Select a valid choice" in html


def test_rows_link_to_the_record_page_and_show_open_failures(acme, sales_client):
    SyncFailureFactory(link=acme, crm_record=acme.crm_record)
    html = sales_client.get(reverse("mapping")).content.decode()
    assert reverse("record", args=[acme.pk]) in html
    assert f'?link={acme.pk}">1</a>' in html


@pytest.mark.parametrize(
    ("persona", "actions"),
    [("admin", ["pause", "resume", "push"]), ("sales", ["push"]), ("finance", [])],
    indirect=["persona"],
)
def test_bulk_actions_offered_by_role(persona, actions, acme, client):
    client.force_login(persona)
    assert client.get(reverse("mapping")).context["bulk_actions"] == actions


def test_admin_pauses_ticked_links_in_bulk_and_the_list_rerenders(acme, admin_client_, admin_user):
    other = RecordLinkFactory()
    response = admin_client_.post(
        reverse("mapping-bulk"),
        {"action": "pause", "ids": [acme.pk, other.pk], "reason": "month end", "next": "q=acmezz"},
        **HTMX,
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"') and "Pause: 2 done" in html
    assert rows(response) == [acme]  # the filter the user was looking at is kept
    for link in (acme, other):
        link.refresh_from_db()
        assert (link.paused, link.paused_reason, link.paused_by) == (True, "month end", admin_user)
    # Each link went through the single-record control, so each has its own audit event.
    assert sorted(e.target_id for e in audited("record_pause")) == sorted(
        record_target(link)[1] for link in (acme, other)
    )


def test_sales_may_push_in_bulk_but_not_pause(connected_org, sales_client):
    pair = sandbox_pair(connected_org, "Bulkpush Bearings Ltd")
    [renamed] = org_clients(connected_org).crm.update(
        module="Accounts",
        records=[{"id": pair.crm_record.crm_id, "Account_Name": "Bulkpush Bearings Group Ltd"}],
    )
    assert renamed.ok, renamed
    assert (
        sales_client.post(
            reverse("mapping-bulk"), {"action": "pause", "ids": [pair.pk]}
        ).status_code
        == 403
    )
    pair.refresh_from_db()
    assert not pair.paused and audited("record_pause") == []

    response = sales_client.post(reverse("mapping-bulk"), {"action": "push", "ids": [pair.pk]})

    assert response.status_code == 302
    books = org_clients(connected_org).books
    contact = books.contact(contact_id=pair.books_contact.contact_id)
    assert contact.contact_name == "Bulkpush Bearings Group Ltd"  # the push reached Books
    (event,) = audited("record_push_now")
    assert event.target_id == record_target(pair)[1]
    assert event.after == {"outcome": "updated", "reason": ""}


def test_the_bulk_form_offers_only_what_the_role_may_do(acme, sales_client, admin_client_):
    sales_page = sales_client.get(reverse("mapping")).content.decode()
    admin_page = admin_client_.get(reverse("mapping")).content.decode()

    assert 'value="push"' in sales_page and 'value="pause"' not in sales_page
    assert "Reason (pause)" not in sales_page  # no field for an action sales cannot take
    assert 'value="pause"' in admin_page and "Reason (pause)" in admin_page


def test_finance_may_not_push_in_bulk(acme, finance_client):
    response = finance_client.post(reverse("mapping-bulk"), {"action": "push", "ids": [acme.pk]})
    assert response.status_code == 403
    assert audited() == [] and not SyncEvent.objects.exists()  # nothing was attempted


def test_unlinked_records_on_either_side(db, sales_client):
    lone_crm = CrmRecordFactory(name="Zqqx Unpushed")
    lone_books = BooksContactFactory(contact_name="Zqqx Typed In Books")
    RecordLinkFactory()
    crm_rows = rows(sales_client.get(reverse("mapping-unlinked", args=["crm"]), **HTMX))
    books_rows = rows(sales_client.get(reverse("mapping-unlinked", args=["books"]), {"q": "zqqx"}))
    assert crm_rows == [lone_crm] and books_rows == [lone_books]


def _body(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_csv_export_streams_the_current_filter(acme, finance_client):
    RecordLinkFactory.create_batch(3)
    response = finance_client.get(reverse("mapping-csv"), {"q": "acmezz"})
    assert response.streaming and response["Content-Type"] == "text/csv"
    table = list(csv.DictReader(io.StringIO(_body(response))))
    assert [r["crm_record_name"] for r in table] == ["Acmezz Widgets Ltd"]
    assert table[0]["books_contact_contact_id"] == "460000000999001"


def test_json_backup_holds_every_link(acme, admin_client_):
    RecordLinkFactory.create_batch(3)
    response = admin_client_.get(reverse("mapping-backup"))
    backup = json.loads(_body(response))
    assert backup["format"] == "syncadmin.mapping" and len(backup["links"]) == 4
    assert {"crm_record_crm_id", "books_contact_contact_id", "provenance", "state"} <= set(
        backup["links"][0]
    )


def test_sales_cannot_export(acme, sales_client):
    assert sales_client.get(reverse("mapping-csv")).status_code == 403
    assert SyncFailure.objects.count() == 0


def test_every_filter_has_a_readable_label(db, sales_client):
    html = sales_client.get(reverse("mapping")).content.decode()
    assert "[invalid name]" not in html and "Failing" in html and "Duplicates" in html


def test_unfiltered_list_says_how_many_links_in_all(db, sales_client):
    RecordLinkFactory.create_batch(PAGE_SIZE + 1)
    html = sales_client.get(reverse("mapping")).content.decode()
    assert f"Page 1 · {PAGE_SIZE + 1} in all" in html
    # A filtered list is paged without counting: Next says there is more, not how much.
    filtered = sales_client.get(reverse("mapping"), {"state": "linked"}).content.decode()
    assert 'href="?state=linked&amp;page=2"' in filtered and "in all" not in filtered


def test_a_big_mapping_is_sized_by_the_planner_estimate_not_counted(db, django_assert_num_queries):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner estimate")
    RecordLinkFactory.create_batch(30)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE syncadmin_recordlink")
    with django_assert_num_queries(1):  # pg_class, no COUNT(*)
        total = selectors.link_total(exact_below=10)
    assert total == selectors.Total(30, exact=False)
    RecordLinkFactory()  # not analysed yet: a small table is counted exactly, in one query
    with django_assert_num_queries(1):
        assert selectors.link_total(exact_below=1000) == selectors.Total(31, exact=True)
