"""The native sync's duplicate-handling setting (knob `native_sync_duplicates`: skip,
overwrite, create) and Books customers that already carry the CRM id in `cf_crm_ref`,
as syncadmin's own push leaves them (the coexistence problem)."""

import pytest

from tests.sandbox.test_native_sync import Zoho
from tests.sandbox_process import SandboxProcess


@pytest.fixture
def zoho(clean_sandbox: SandboxProcess) -> Zoho:
    return Zoho(clean_sandbox)


def pushed(zoho: Zoho, name: str, crm_id: str) -> str:
    """A Books customer as syncadmin pushes it: CRM id in cf_crm_ref, not linked."""
    return zoho.books_customer(name, custom_fields=[{"api_name": "cf_crm_ref", "value": crm_id}])


def later_run(zoho: Zoho) -> None:
    """One run with nothing to do, so the id map is no longer empty (not a first run)."""
    zoho.account("Warm Up Ltd")
    zoho.run()


def test_skip_pairs_with_the_pushed_customer_on_a_later_run(zoho: Zoho) -> None:
    later_run(zoho)
    acme = zoho.account("Acme Ltd")
    books_id = pushed(zoho, "Acme Ltd", acme)
    run = zoho.run()
    assert (run["created"], run["skipped"], run["failure_count"]) == (0, 1, 0)
    (linked,) = zoho.linked_to(acme)
    assert linked["contact_id"] == books_id  # no duplicate
    assert zoho.names() == ["Acme Ltd", "Warm Up Ltd"]


def test_skip_recognises_cf_crm_ref_even_under_another_name(zoho: Zoho) -> None:
    acme = zoho.account("Acme Ltd")
    books_id = pushed(zoho, "ACME (pushed)", acme)
    zoho.run()
    (linked,) = zoho.linked_to(acme)
    assert linked["contact_id"] == books_id
    assert linked["contact_name"] == "ACME (pushed)"  # skip keeps the Books data


def test_overwrite_pairs_and_takes_crm_data(zoho: Zoho) -> None:
    zoho.sandbox.knobs(native_sync_duplicates="overwrite")
    acme = zoho.account("Acme Ltd", Website="www.acme.example")
    books_id = pushed(zoho, "Acme (old)", acme)
    run = zoho.run()
    assert (run["created"], run["updated"]) == (0, 1)
    (linked,) = zoho.linked_to(acme)
    assert linked["contact_id"] == books_id and linked["contact_name"] == "Acme Ltd"


def test_create_duplicates_the_pushed_customer(zoho: Zoho) -> None:
    zoho.sandbox.knobs(native_sync_duplicates="create")
    acme = zoho.account("Acme Ltd")
    books_id = pushed(zoho, "Acme Ltd", acme)
    run = zoho.run()
    assert (run["created"], run["failure_count"]) == (1, 0)
    (linked,) = zoho.linked_to(acme)
    assert linked["contact_id"] != books_id
    # the copy needs a free display name (3062): suffixed (UNCERTAIN naming)
    assert zoho.names() == ["Acme Ltd", "Acme Ltd (2)"]


def test_create_also_duplicates_a_same_name_customer_on_the_first_run(zoho: Zoho) -> None:
    zoho.sandbox.knobs(native_sync_duplicates="create")
    zoho.books_customer("Globex")
    zoho.books_customer("Globex (2)")
    zoho.account("Globex")
    zoho.run()
    assert zoho.names() == ["Globex", "Globex (2)", "Globex (3)"]
