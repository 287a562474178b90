"""BooksClient.invoices against the sandbox: a customer's invoices, every page of them."""

import pytest

from syncadmin.zoho import books_client, new_http_client
from tests.zoho.test_books_client import ADMIN, BOOKS_SCOPES, UK, create, invoice


@pytest.fixture
def token(zoho) -> str:
    return zoho.token(ADMIN, BOOKS_SCOPES)


@pytest.fixture
def books(zoho, token):
    with new_http_client(timeout=10) as http:
        yield books_client(
            http=http,
            api_domain=zoho.base_url,
            tokens=lambda *, force_refresh=False: token,
            organization_id=UK,
        )


def test_invoices_lists_only_that_customers_invoices_with_their_balance(books, zoho, token):
    buyer, other = create(books, "Invoice Buyer Ltd"), create(books, "Someone Else Ltd")
    raised = [invoice(zoho, token, buyer.contact_id)["invoice_id"] for _ in range(3)]
    invoice(zoho, token, other.contact_id)

    found = list(books.invoices(customer_id=buyer.contact_id))

    assert sorted(i["invoice_id"] for i in found) == sorted(raised)
    assert {float(i["balance"]) for i in found} == {100.0}  # unpaid: balance is the total


def test_invoices_reads_every_page(books, zoho, token):
    buyer = create(books, "Many Invoices Ltd")
    for _ in range(5):
        invoice(zoho, token, buyer.contact_id)

    # two a page: three pages, read to the end
    assert len(list(books.invoices(customer_id=buyer.contact_id, per_page="2"))) == 5
