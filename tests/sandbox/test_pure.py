"""Django-free parts of the sandbox: scope matching and id generation."""

import random
import threading

import pytest

from syncadmin.sandbox.ids import BOOKS_PREFIX, CRM_PREFIX, IdSequence
from syncadmin.sandbox.scopes import has_scope, scope_covers


@pytest.mark.parametrize(
    ("granted", "required", "covered"),
    [
        ("ZohoCRM.modules.ALL", "ZohoCRM.modules.accounts.READ", True),
        ("ZohoCRM.modules.all", "ZohoCRM.modules.Contacts.UPDATE", True),
        ("ZohoCRM.modules.accounts.ALL", "ZohoCRM.modules.accounts.READ", True),
        ("ZohoCRM.modules.accounts.ALL", "ZohoCRM.modules.contacts.READ", False),
        ("ZohoCRM.modules.accounts.READ", "ZohoCRM.modules.accounts.UPDATE", False),
        ("ZohoCRM.modules.accounts.WRITE", "ZohoCRM.modules.accounts.UPDATE", True),
        ("ZohoCRM.modules.accounts.WRITE", "ZohoCRM.modules.accounts.DELETE", False),
        ("ZohoCRM.settings.ALL", "ZohoCRM.settings.automation_actions.READ", True),
        ("ZohoCRM.modules.ALL", "ZohoCRM.users.READ", False),
        # search needs its own scope even with every module granted
        ("ZohoCRM.modules.ALL", "ZohoSearch.securesearch.READ", False),
        ("ZohoBooks.fullaccess.all", "ZohoBooks.contacts.CREATE", True),
        ("ZohoBooks.fullaccess.all", "ZohoBooks.settings.READ", True),
        ("ZohoBooks.fullaccess.all", "ZohoCRM.users.READ", False),
        ("ZohoBooks.contacts.READ", "ZohoBooks.contacts.CREATE", False),
    ],
)
def test_scope_covers(granted: str, required: str, covered: bool) -> None:
    assert scope_covers(granted, required) is covered


def test_has_scope_needs_only_one_covering_grant() -> None:
    assert has_scope(["ZohoBooks.contacts.READ", "ZohoCRM.users.ALL"], "ZohoCRM.users.READ")
    assert not has_scope([], "ZohoCRM.users.READ")


def test_ids_have_zoho_shapes_and_increase() -> None:
    crm, books = IdSequence(CRM_PREFIX), IdSequence(BOOKS_PREFIX)
    crm_ids, books_ids = crm.take(1000), books.take(1000)
    assert all(len(i) == 19 and i.isdigit() for i in crm_ids)
    assert all(len(i) == 15 and i.isdigit() for i in books_ids)
    assert crm_ids == sorted(set(crm_ids))


def test_ids_are_unique_across_threads() -> None:
    sequence, found = IdSequence(CRM_PREFIX), []
    threads = [threading.Thread(target=lambda: found.extend(sequence.take(2000))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(found)) == 16000


def test_seeded_ids_repeat_and_stay_below_clock_ids() -> None:
    first = IdSequence(CRM_PREFIX, random.Random(7)).take(500)
    again = IdSequence(CRM_PREFIX, random.Random(7)).take(500)
    assert first == again
    # disjoint ranges: seeded ids never collide with ids the server mints from the clock
    assert max(first) < IdSequence(CRM_PREFIX).next()


def test_prime_continues_above_stored_ids() -> None:
    sequence = IdSequence(BOOKS_PREFIX)
    stored = f"{BOOKS_PREFIX}{9 * 10**11:012d}"
    sequence.prime(stored)
    assert sequence.next() > stored
