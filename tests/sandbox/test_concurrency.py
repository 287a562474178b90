"""Concurrent writers over real HTTP: no lost updates, no resurrected records, 412 holds.

Each test releases a bounded number of requests together behind a barrier and asserts
the end state; none measures time."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.sandbox.books_client import Books
from tests.sandbox.crm_support import Crm
from tests.sandbox_process import SandboxProcess

PAIRS = 30


@pytest.fixture
def roomy(clean_sandbox: SandboxProcess) -> SandboxProcess:
    """Limits high enough that no concurrent call is refused with 429/1070/44."""
    clean_sandbox.knobs(crm_concurrency=500, books_concurrency=500, books_per_minute=100_000)
    return clean_sandbox


def run_together(calls: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    """Start every call at once (barrier) and return the answers in order."""
    barrier = threading.Barrier(len(calls), timeout=30)

    def go(call: Callable[[], httpx.Response]) -> httpx.Response:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(go, calls))


def _accounts(crm: Crm, count: int) -> list[str]:
    return crm.insert("Accounts", *({"Account_Name": f"Race {i}"} for i in range(count)))


def test_put_racing_delete_never_brings_a_deleted_record_back(roomy: SandboxProcess) -> None:
    crm = Crm(roomy)
    ids = _accounts(crm, PAIRS)
    calls = []
    for record_id in ids:
        calls.append(
            lambda r=record_id: crm.call("PUT", f"Accounts/{r}", json={"data": [{"Phone": "1"}]})
        )
        calls.append(lambda r=record_id: crm.call("DELETE", f"Accounts/{r}"))
    answers = run_together(calls)
    for index, record_id in enumerate(ids):
        put, delete = answers[2 * index], answers[2 * index + 1]
        assert delete.status_code == 200, delete.text
        # the PUT either came first or found the record gone, as Zoho words it
        element = put.json()["data"][0]
        assert element["code"] in ("SUCCESS", "INVALID_DATA"), put.text
        if element["code"] == "INVALID_DATA":
            assert element["message"] == "the id given seems to be invalid"
        gone = crm.get(f"Accounts/{record_id}")
        assert gone.status_code == 400, f"a deleted record came back: {gone.text}"
        assert gone.json()["code"] == "INVALID_DATA"


def test_books_put_racing_inactive_keeps_the_contact_inactive(roomy: SandboxProcess) -> None:
    books = Books(roomy)
    ids = [
        books.post("contacts", {"contact_name": f"Race {i}"}).json()["contact"]["contact_id"]
        for i in range(PAIRS)
    ]
    calls = []
    for contact_id in ids:
        calls.append(lambda c=contact_id: books.put(f"contacts/{c}", {"website": "w.test"}))
        calls.append(lambda c=contact_id: books.call("POST", f"contacts/{c}/inactive"))
    answers = run_together(calls)
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
    for contact_id in ids:
        contact = books.get(f"contacts/{contact_id}").json()["contact"]
        # both writes answered success, so both must be visible
        assert (contact["status"], contact["website"]) == ("inactive", "w.test")


def test_two_puts_with_the_same_if_unmodified_since_let_only_one_through(
    roomy: SandboxProcess,
) -> None:
    crm = Crm(roomy)
    ids = _accounts(crm, 10)
    seen = {r: crm.get(f"Accounts/{r}").json()["data"][0]["Modified_Time"] for r in ids}
    # the first write lands in a later second than the Modified_Time the callers read
    roomy.advance_clock(5)
    calls = []
    for record_id in ids:
        for phone in ("1", "2"):
            calls.append(
                lambda r=record_id, p=phone: crm.call(
                    "PUT",
                    f"Accounts/{r}",
                    json={"data": [{"Phone": p}]},
                    headers={"If-Unmodified-Since": seen[r]},
                )
            )
    answers = run_together(calls)
    for index in range(len(ids)):
        pair = sorted(a.status_code for a in answers[2 * index : 2 * index + 2])
        assert pair == [200, 412], [a.text for a in answers[2 * index : 2 * index + 2]]
