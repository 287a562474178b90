"""Database-level guarantees of the mapping table."""

import pytest
from django.db import IntegrityError, transaction

from syncadmin.models import LinkState
from tests.factories import BooksContactFactory, CrmRecordFactory, RecordLinkFactory

pytestmark = pytest.mark.django_db


def test_second_live_link_for_same_crm_record_in_same_org_is_refused():
    link = RecordLinkFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        # A second Books customer for the same CRM record: the duplicate we exist to stop.
        RecordLinkFactory(crm_record=link.crm_record, books_organization_id="20099000001")


def test_same_crm_record_may_link_once_in_each_books_org():
    link = RecordLinkFactory(books_organization_id="20099000001")
    other = RecordLinkFactory(crm_record=link.crm_record, books_organization_id="20099000002")
    assert other.pk


def test_superseded_link_does_not_block_a_new_one():
    old = RecordLinkFactory(state=LinkState.SUPERSEDED)
    new = RecordLinkFactory(crm_record=old.crm_record, books_contact=BooksContactFactory())
    assert new.state == LinkState.LINKED


def test_books_contact_cannot_carry_two_live_links_for_one_module():
    link = RecordLinkFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RecordLinkFactory(books_contact=link.books_contact, crm_record=CrmRecordFactory())


def test_link_needs_at_least_one_side():
    with pytest.raises(IntegrityError), transaction.atomic():
        RecordLinkFactory(crm_record=None, books_contact=None)


def test_stored_tokens_are_encrypted_at_rest():
    from django.db import connection

    from tests.factories import ConnectionFactory

    conn = ConnectionFactory(refresh_token="1000.plain-refresh-token")
    with connection.cursor() as cursor:
        cursor.execute("SELECT refresh_token FROM syncadmin_connection WHERE id = %s", [conn.pk])
        stored = cursor.fetchone()[0]
    assert "plain-refresh-token" not in stored
    conn.refresh_from_db()
    assert conn.refresh_token == "1000.plain-refresh-token"
