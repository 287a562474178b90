"""Books v3 limits: per minute (44), daily (45), in flight (1070), all HTTP 429 and all
logged for /_sandbox/stats (zoho-api.md §3.10)."""

from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.sandbox.books_client import IN_ORG, UK_ORG, Books
from tests.sandbox_process import SandboxProcess

MESSAGE_44 = (
    "For security reasons your organization has been blocked as it have exceeded the maximum "
    "number of requests per minute that can originate from an organization."
)
MESSAGE_1070 = (
    "You have reached the maximum number of in process requests allowed. "
    "Kindly try again after some time."
)


def _codes(sandbox: SandboxProcess, org: str = UK_ORG) -> dict[str, int]:
    rows = sandbox.stats(service="books", org_id=org)["calls"]
    return {f"{r['http_status']}/{r['code']}": r["count"] for r in rows}


def test_the_101st_call_in_a_minute_answers_44(clean_sandbox: SandboxProcess) -> None:
    books = Books(clean_sandbox)
    statuses = [books.get("contacts", per_page=1).status_code for _ in range(100)]
    assert set(statuses) == {200}
    refused = books.get("contacts")
    assert refused.status_code == 429
    assert refused.json() == {"code": 44, "message": MESSAGE_44}
    # another organisation has its own allowance
    assert Books(clean_sandbox, org=IN_ORG).get("contacts").status_code == 200


def test_the_minute_window_rolls_on(clean_sandbox: SandboxProcess) -> None:
    clean_sandbox.knobs(books_per_minute=5)
    books = Books(clean_sandbox)
    assert [books.get("contacts").status_code for _ in range(6)] == [200] * 5 + [429]
    clean_sandbox.advance_clock(30)
    assert books.get("contacts").status_code == 429  # rolling: still within 60 s
    clean_sandbox.advance_clock(31)
    assert books.get("contacts").status_code == 200
    assert _codes(clean_sandbox)["429/44"] == 2


def test_fixed_minute_window_resets_on_the_clock_minute(clean_sandbox: SandboxProcess) -> None:
    clean_sandbox.knobs(books_per_minute=3, books_minute_window="fixed")
    books = Books(clean_sandbox)
    assert [books.get("contacts").status_code for _ in range(4)] == [200] * 3 + [429]
    clean_sandbox.advance_clock(60)  # surely the next clock minute
    assert books.get("contacts").status_code == 200


def test_daily_cap_answers_45_with_the_cap_in_the_message(clean_sandbox: SandboxProcess) -> None:
    clean_sandbox.knobs(books_daily_cap=3)
    books = Books(clean_sandbox)
    assert [books.get("contacts").status_code for _ in range(3)] == [200] * 3
    refused = books.get("contacts")
    assert refused.status_code == 429
    assert refused.json() == {
        "code": 45,
        "message": "The API call for this organization has exceeded the maximum call rate "
        "limit of 3.",
    }
    clean_sandbox.advance_clock(24 * 3600)  # the next day has a fresh allowance
    fresh = Books(clean_sandbox)  # the old token expired meanwhile
    assert fresh.get("contacts").status_code == 200
    assert _codes(clean_sandbox)["429/45"] == 1


def test_daily_cap_of_the_standard_plan_reads_2000(clean_sandbox: SandboxProcess) -> None:
    # the real cap would take 2 000 calls; the forced knob shows the default message
    clean_sandbox.knobs(forced_429="books_daily")
    response = Books(clean_sandbox).get("contacts")
    assert response.status_code == 429
    assert response.json()["message"].endswith("limit of 2,000.")


def _hold(books: Books, n: int) -> list[httpx.Response]:
    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(lambda _: books.get("contacts"), range(n)))


def test_calls_beyond_the_concurrency_limit_answer_1070(clean_sandbox: SandboxProcess) -> None:
    clean_sandbox.knobs(books_concurrency=2, latency_ms=700)
    books = Books(clean_sandbox)
    answers = _hold(books, 6)
    refused = [r for r in answers if r.status_code == 429]
    assert len([r for r in answers if r.status_code == 200]) >= 2
    assert refused and all(r.json() == {"code": 1070, "message": MESSAGE_1070} for r in refused)
    assert _codes(clean_sandbox)["429/1070"] == len(refused)


def test_ten_calls_in_flight_are_allowed_on_a_paid_plan(clean_sandbox: SandboxProcess) -> None:
    clean_sandbox.knobs(latency_ms=700)
    books = Books(clean_sandbox)
    answers = _hold(books, 10)
    assert [r.status_code for r in answers] == [200] * 10


def test_refused_calls_are_not_counted_against_the_minute(clean_sandbox: SandboxProcess) -> None:
    clean_sandbox.knobs(books_per_minute=2)
    books = Books(clean_sandbox)
    statuses = [books.get("contacts").status_code for _ in range(5)]
    assert statuses == [200, 200, 429, 429, 429]
    clean_sandbox.advance_clock(61)
    assert books.get("contacts").status_code == 200
    assert _codes(clean_sandbox) == {"200/0": 3, "429/44": 3}
