"""Books v3 invoices: transactions, receivables and counts (zoho-api.md §3.6)."""

import pytest

from tests.sandbox.books_client import Books
from tests.sandbox_process import SandboxProcess


@pytest.fixture
def books(clean_sandbox: SandboxProcess) -> Books:
    return Books(clean_sandbox)


def test_post_invoice_answers_201_and_gives_the_customer_a_transaction(books: Books) -> None:
    cid = books.contact("Buyer Ltd")["contact_id"]
    response = books.post(
        "invoices",
        {"customer_id": cid, "line_items": [{"name": "Chairs", "rate": 40, "quantity": 3}]},
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["code"], body["message"]) == (0, "The invoice has been created.")
    invoice = body["invoice"]
    assert invoice["customer_id"] == cid and invoice["total"] == 120
    assert invoice["invoice_number"] == "INV-000001"
    contact = books.get(f"contacts/{cid}").json()["contact"]
    assert contact["has_transaction"] is True
    assert contact["outstanding_receivable_amount"] == 120
    listed = books.get("contacts", contact_name="Buyer Ltd").json()["contacts"][0]
    assert listed["outstanding_receivable_amount"] == 120


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"line_items": [{"name": "x", "rate": 1}]}, "customer_id"),
        ({"customer_id": "460000000999999", "line_items": [{"name": "x"}]}, "customer_id"),
        ({"customer_id": "CUSTOMER"}, "line_items"),
        ({"customer_id": "CUSTOMER", "line_items": []}, "line_items"),
    ],
)
def test_post_invoice_requires_customer_and_line_items(
    books: Books, body: dict, param: str
) -> None:
    cid = books.contact("Buyer Ltd")["contact_id"]
    if body.get("customer_id") == "CUSTOMER":
        body = {**body, "customer_id": cid}
    response = books.post("invoices", body)
    assert response.status_code == 400
    assert response.json() == {"code": 2, "message": f"Invalid value passed for {param}"}


def test_list_invoices_by_customer_and_count_only(books: Books) -> None:
    buyer = books.contact("Buyer Ltd")["contact_id"]
    other = books.contact("Other Ltd")["contact_id"]
    for _ in range(3):
        books.invoice(buyer)
    books.invoice(other)
    listed = books.get("invoices", customer_id=buyer).json()
    assert len(listed["invoices"]) == 3
    assert {i["customer_id"] for i in listed["invoices"]} == {buyer}
    assert listed["page_context"]["has_more_page"] is False
    counted = books.get("invoices", customer_id=buyer, response_option=2).json()
    # count only: no invoices, the count in page_context (key UNCERTAIN, §3.6)
    assert "invoices" not in counted
    assert counted["code"] == 0 and counted["page_context"]["total"] == 3
    assert books.get("invoices", response_option=9).json()["code"] == 2


def test_get_invoice_and_unknown_invoice(books: Books) -> None:
    invoice = books.invoice(books.contact("Buyer Ltd")["contact_id"], rate=55)
    got = books.get(f"invoices/{invoice['invoice_id']}").json()["invoice"]
    assert got["total"] == 55 and got["line_items"][0]["name"] == "Consulting"
    missing = books.get("invoices/460000000999999")
    assert missing.status_code == 404
    assert missing.json() == {"code": 1002, "message": "Invoice does not exist."}


def test_inactive_customer_cannot_be_invoiced(books: Books) -> None:
    cid = books.contact("Dormant Ltd")["contact_id"]
    books.post(f"contacts/{cid}/inactive")
    response = books.post("invoices", {"customer_id": cid, "line_items": [{"name": "x"}]})
    assert response.json()["code"] != 0


def test_filter_by_unpaid_invoices_finds_customers_with_balances(books: Books) -> None:
    cid = books.contact("Debtor Ltd")["contact_id"]
    books.contact("Clean Ltd")
    books.invoice(cid, send="true")
    assert books.names(filter_by="Invoice.Unpaid") == ["Debtor Ltd"]


@pytest.mark.parametrize("key", ["total", "count"])
def test_count_only_answers_the_count_under_the_knob_key(
    books: Books, clean_sandbox: SandboxProcess, key: str
) -> None:
    clean_sandbox.knobs(books_invoice_count_key=key)
    buyer = books.contact("Buyer Ltd")["contact_id"]
    books.invoice(buyer)
    books.invoice(buyer)
    context = books.get("invoices", customer_id=buyer, response_option=2).json()["page_context"]
    assert context[key] == 2 and context["total_pages"] == 1
    # exactly one count key, so a client cannot read the figure from the wrong place
    assert {"total", "count"} & context.keys() == {key}
