"""The Books client against the sandbox over real HTTP: every public call, by its outcome."""

import httpx
import pytest

from syncadmin.zoho import books_client, crm_client, new_http_client
from syncadmin.zoho.errors import PermanentZohoError, ZohoError

ADMIN = "admin@zylker.test"
UK, INDIA = "20000001", "20000002"
BOOKS_SCOPES = ["ZohoBooks.fullaccess.all"]
CRM_SCOPES = ["ZohoCRM.modules.ALL"]


@pytest.fixture
def http():
    with new_http_client(timeout=10) as client:
        yield client


@pytest.fixture
def token(zoho) -> str:
    return zoho.token(ADMIN, BOOKS_SCOPES)


@pytest.fixture
def books(zoho, http, token):
    return books_client(
        http=http,
        api_domain=zoho.base_url,
        tokens=lambda *, force_refresh=False: token,
        organization_id=UK,
    )


@pytest.fixture
def crm(zoho, http):
    crm_token = zoho.token(ADMIN, CRM_SCOPES)
    return crm_client(
        http=http, api_domain=zoho.base_url, tokens=lambda *, force_refresh=False: crm_token
    )


def create(books, name: str, **fields):
    return books.contact_create(payload={"contact_name": name, **fields})


def invoice(zoho, token: str, customer_id: str) -> dict:
    """An invoice raised over the real Books API, as a person in Books would."""
    answer = httpx.post(
        f"{zoho.base_url}/books/v3/invoices",
        params={"organization_id": UK},
        headers={"Authorization": f"Zoho-oauthtoken {token}"},
        json={"customer_id": customer_id, "line_items": [{"name": "Work", "rate": 100}]},
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["invoice"]


def crm_accounts(crm, *names: str) -> list[str]:
    results = crm.insert(module="Accounts", records=[{"Account_Name": n} for n in names])
    assert all(r.ok for r in results), results
    return [r.id for r in results]


# ---------------------------------------------------------------- organisations and user


def test_organizations_are_the_users_books_orgs(books):
    orgs = {o.organization_id: o for o in books.organizations()}
    assert set(orgs) == {UK, INDIA}
    assert (orgs[UK].currency_code, orgs[INDIA].currency_code) == ("GBP", "INR")
    assert sum(o.is_default for o in orgs.values()) == 1


def test_current_user_is_the_token_owner(books):
    user = books.current_user()
    assert user.email == ADMIN and user.active and user.id


# ---------------------------------------------------------------- contacts: reads


def test_contact_reads_one_contact(books):
    created = create(books, "Zylker Trading", company_name="Zylker")
    contact = books.contact(contact_id=created.contact_id)
    assert (contact.contact_id, contact.contact_name) == (created.contact_id, "Zylker Trading")
    assert contact.status == "active" and contact.data["company_name"] == "Zylker"
    assert contact.last_modified_time is not None


def test_contacts_filter_by_name_and_status(books):
    create(books, "Acme Ltd")
    create(books, "Acme Holdings")
    gone = create(books, "Bolt & Co")
    books.contact_mark_inactive(contact_id=gone.contact_id)
    assert [c.contact_name for c in books.contacts(contact_name="Acme Ltd")] == ["Acme Ltd"]
    assert {c.contact_name for c in books.contacts(contact_name_startswith="Acme")} == {
        "Acme Ltd",
        "Acme Holdings",
    }
    assert [c.contact_id for c in books.contacts(filter_by="Status.Inactive")] == [gone.contact_id]


def test_contacts_page_past_two_hundred(books, crm, zoho):
    # 210 Books contacts, made quickly: CRM accounts carried over by the native sync
    crm_accounts(crm, *(f"Native {i:03d}" for i in range(210)))
    answer = httpx.post(f"{zoho.base_url}/_sandbox/native/run", json={"books_org": UK})
    assert answer.status_code == 200, answer.text
    names = [c.contact_name for c in books.contacts()]
    assert len(names) == 210 and len(set(names)) == 210


def test_contacts_filter_by_zcrm_account_id(books, crm):
    wanted, other = crm_accounts(crm, "Linked Co", "Other Co")
    contact_id = books.crm_import(kind="account", crm_id=wanted)
    books.crm_import(kind="account", crm_id=other)
    found = books.contacts(zcrm_account_id=wanted)
    assert [c.contact_id for c in found] == [contact_id]


def test_contacts_modified_after_stops_at_the_watermark_and_keeps_equal_times(books, zoho):
    create(books, "Old")
    zoho.advance_clock(60)
    edge = create(books, "Edge")
    zoho.advance_clock(60)
    create(books, "New One")
    create(books, "New Two")
    found = books.contacts(modified_after=edge.last_modified_time)
    # a second can hold several changes: the contact at the watermark is read again
    assert {c.contact_name for c in found} == {"Edge", "New One", "New Two"}


def test_contacts_linked_to_a_crm_account(books, crm):
    [account_id] = crm_accounts(crm, "Linked Ltd")
    assert books.contacts_linked_to(zcrm_account_id=account_id) == []
    contact_id = books.crm_import(kind="account", crm_id=account_id)
    [linked] = books.contacts_linked_to(zcrm_account_id=account_id)
    assert linked.contact_id == contact_id and linked.zcrm_account_id == account_id


def test_contact_missing_is_record_gone(books):
    with pytest.raises(ZohoError) as caught:
        books.contact(contact_id="460000000099999")
    assert caught.value.reason.code == "record_gone"


# ---------------------------------------------------------------- contacts: writes


def test_contact_create_answers_the_new_contact(books):
    created = create(
        books,
        "People Co",
        contact_persons=[{"first_name": "Ann", "email": "ann@people.test"}],
    )
    assert created.contact_id and created.contact_name == "People Co"
    assert created.data["email"] == "ann@people.test"  # mirrors the primary person


def test_contact_update_changes_the_given_keys(books):
    created = create(books, "Before Ltd", notes="keep me")
    updated = books.contact_update(
        contact_id=created.contact_id, payload={"contact_name": "After Ltd"}
    )
    assert updated.contact_name == "After Ltd"
    assert books.contact(contact_id=created.contact_id).data["notes"] == "keep me"


def test_contact_update_replaces_the_contact_persons(books):
    created = create(
        books,
        "People Co",
        contact_persons=[
            {"first_name": "Ann", "email": "ann@people.test", "is_primary_contact": True},
            {"first_name": "Bob", "email": "bob@people.test"},
        ],
    )
    ann = next(
        p for p in books.contact_persons(contact_id=created.contact_id) if p["first_name"] == "Ann"
    )
    books.contact_update(
        contact_id=created.contact_id,
        payload={
            "contact_persons": [
                {"contact_person_id": ann["contact_person_id"], "first_name": "Ann"},
                {"first_name": "Cy", "email": "cy@people.test"},
            ]
        },
    )
    # persons left out of the list are removed; Ann keeps her id
    persons = books.contact_persons(contact_id=created.contact_id)
    assert {p["first_name"] for p in persons} == {"Ann", "Cy"}
    assert ann["contact_person_id"] in {p["contact_person_id"] for p in persons}


def test_contact_mark_inactive_and_active(books):
    created = create(books, "Sleepy Co")
    books.contact_mark_inactive(contact_id=created.contact_id)
    assert books.contact(contact_id=created.contact_id).status == "inactive"
    books.contact_mark_active(contact_id=created.contact_id)
    assert books.contact(contact_id=created.contact_id).status == "active"


def test_contact_delete_removes_the_contact(books):
    created = create(books, "Short Lived")
    books.contact_delete(contact_id=created.contact_id)
    with pytest.raises(ZohoError) as caught:
        books.contact(contact_id=created.contact_id)
    assert caught.value.reason.code == "record_gone"


def test_contact_delete_with_transactions_is_refused(books, zoho, token):
    created = create(books, "Has Invoices")
    invoice(zoho, token, created.contact_id)
    with pytest.raises(PermanentZohoError):
        books.contact_delete(contact_id=created.contact_id)
    assert books.contact(contact_id=created.contact_id).contact_name == "Has Invoices"


# ---------------------------------------------------------------- contact persons


def test_contact_person_create_adds_a_person(books):
    created = create(books, "People Co", contact_persons=[{"first_name": "Ann"}])
    person = books.contact_person_create(
        contact_id=created.contact_id,
        payload={"first_name": "Bob", "email": "bob@people.test"},
    )
    assert person["contact_person_id"] and person["email"] == "bob@people.test"
    persons = books.contact_persons(contact_id=created.contact_id)
    assert [p["first_name"] for p in persons] == ["Ann", "Bob"]  # primary first


def test_contact_persons_of_a_contact_without_any_is_empty(books):
    created = create(books, "Nobody Home")
    assert books.contact_persons(contact_id=created.contact_id) == []


# ---------------------------------------------------------------- invoices


def test_invoice_count_counts_only_that_customers_invoices(books, zoho, token):
    buyer, other = create(books, "Buyer Ltd"), create(books, "Other Ltd")
    assert books.invoice_count(customer_id=buyer.contact_id) == 0
    for _ in range(3):
        invoice(zoho, token, buyer.contact_id)
    invoice(zoho, token, other.contact_id)
    assert books.invoice_count(customer_id=buyer.contact_id) == 3
    assert books.invoice_count(customer_id=other.contact_id) == 1


@pytest.mark.parametrize("key", ["total", "count"])
def test_invoice_count_reads_whichever_page_context_key_zoho_answers(books, zoho, token, key):
    # where Zoho puts the response_option=2 count is UNCERTAIN (§3.6); the sandbox knob
    # moves it and the client must still count right
    zoho.knobs(books_invoice_count_key=key)
    buyer = create(books, "Buyer Ltd")
    for _ in range(2):
        invoice(zoho, token, buyer.contact_id)
    assert books.invoice_count(customer_id=buyer.contact_id) == 2


# ---------------------------------------------------------------- CRM import


def test_crm_import_of_an_account_links_the_contact(books, crm):
    [account_id] = crm_accounts(crm, "Imported Ltd")
    contact_id = books.crm_import(kind="account", crm_id=account_id)
    contact = books.contact(contact_id=contact_id)
    assert contact.contact_name == "Imported Ltd"
    assert contact.zcrm_account_id == account_id


def test_crm_import_twice_answers_the_same_contact(books, crm):
    [account_id] = crm_accounts(crm, "Twice Ltd")
    first = books.crm_import(kind="account", crm_id=account_id)
    assert books.crm_import(kind="account", crm_id=account_id) == first
    assert len(list(books.contacts(contact_name="Twice Ltd"))) == 1


def test_crm_import_of_a_missing_account_is_record_gone(books):
    with pytest.raises(ZohoError) as caught:
        books.crm_import(kind="account", crm_id="1234567890123456789")
    assert caught.value.reason.code == "record_gone"


def test_contacts_page_starts_where_a_resumed_reader_stopped(books):
    for n in range(3):
        create(books, f"Paged {n}")
    first, more_after_first = books.contacts_page(page=1, per_page=2)
    second, _ = books.contacts_page(page=2, per_page=2)

    assert more_after_first
    assert len(first) == 2
    assert not {c["contact_id"] for c in first} & {c["contact_id"] for c in second}


def test_invoices_page_filters_and_reports_its_context(books):
    customer = create(books, "Invoiced Once")
    line = {"name": "Work", "rate": 10, "quantity": 1}
    books.api.call(
        "POST", "/invoices", params={"organization_id": UK},
        json={"customer_id": customer.contact_id, "line_items": [line]},
    )  # fmt: skip

    invoices, context = books.invoices_page(customer_id=customer.contact_id)

    assert [i["customer_id"] for i in invoices] == [customer.contact_id]
    assert context["page"] == 1
