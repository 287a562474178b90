"""CRM credits and concurrency (zoho-api.md §2.8): 429 TOO_MANY_REQUESTS and the
X-API-CREDITS-REMAINING header."""

import threading

import pytest

from tests.sandbox.crm_support import Crm
from tests.sandbox_process import SandboxProcess

TOO_MANY = {
    "code": "TOO_MANY_REQUESTS",
    "details": {},
    "message": (
        "Number of API requests for the 24 hour period is exceeded or the concurrency "
        "limit of the user for the app is exceeded."
    ),
    "status": "error",
}


@pytest.fixture
def crm(clean_sandbox: SandboxProcess) -> Crm:
    return Crm(clean_sandbox)


def _list(crm: Crm):
    return crm.get("Accounts?fields=Account_Name")


def test_spent_daily_credits_answer_429_and_are_logged(crm: Crm) -> None:
    crm.sandbox.knobs(crm_daily_credits=4)
    statuses = [_list(crm).status_code for _ in range(5)]
    assert statuses == [204, 204, 204, 204, 429]
    assert _list(crm).json() == TOO_MANY
    calls = crm.sandbox.stats(service="crm")["calls"]
    assert {"http_status": 429, "code": "TOO_MANY_REQUESTS"}.items() <= next(
        c for c in calls if c["http_status"] == 429
    ).items()


def test_credits_come_back_as_the_24_hour_window_rolls(crm: Crm) -> None:
    crm.sandbox.knobs(crm_daily_credits=2)
    _list(crm), _list(crm)
    assert _list(crm).status_code == 429
    crm.sandbox.advance_clock(24 * 3600 + 1)
    fresh = Crm(crm.sandbox)  # the first token expired meanwhile
    assert _list(fresh).status_code == 204


def test_writes_cost_one_credit_per_ten_records(crm: Crm) -> None:
    crm.sandbox.knobs(crm_daily_credits=100)
    crm.insert("Accounts", *({"Account_Name": f"A{i}"} for i in range(25)))  # 3 credits
    response = _list(crm)
    # 3 + 1 = 4 of 100 used: below half, no header yet
    assert "X-API-CREDITS-REMAINING" not in response.headers
    calls = crm.sandbox.stats(service="crm")["calls"]
    assert [(c["http_status"], c["credits"]) for c in calls] == [(200, 1), (201, 3)]


def test_credits_header_appears_once_half_the_credits_are_used(crm: Crm) -> None:
    crm.sandbox.knobs(crm_daily_credits=6)
    seen = [_list(crm).headers.get("X-API-CREDITS-REMAINING") for _ in range(4)]
    assert seen == [None, None, "3", "2"]


def test_default_credits_follow_the_enterprise_edition_formula(crm: Crm) -> None:
    # baseline org: Enterprise, 10 users → 50 000 + 1 000 × 10 = 60 000 credits; no header
    assert "X-API-CREDITS-REMAINING" not in _list(crm).headers


def test_calls_beyond_the_concurrency_limit_answer_429(crm: Crm) -> None:
    crm.sandbox.knobs(crm_concurrency=2)
    busy = threading.Thread(
        target=crm.sandbox.client.post,
        args=("/_sandbox/crm/busy",),
        kwargs={"json": {"count": 2, "seconds": 1.5}},
    )
    busy.start()
    try:
        refused = None
        for _ in range(50):  # until the holders are in place
            response = _list(crm)
            if response.status_code == 429:
                refused = response
                break
        assert refused is not None and refused.json() == TOO_MANY
    finally:
        busy.join()


def test_slow_calls_hold_their_slot_against_the_edition_limit(crm: Crm) -> None:
    # the real Enterprise figure: 20 concurrent calls per org and app
    crm.sandbox.knobs(latency_ms=600)
    results: list[int] = []

    def call() -> None:
        results.append(_list(crm).status_code)

    threads = [threading.Thread(target=call) for _ in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(429) >= 1
    assert results.count(204) <= 20


def test_forced_429_knob_answers_too_many_requests(crm: Crm) -> None:
    crm.sandbox.knobs(forced_429="crm")
    response = _list(crm)
    assert (response.status_code, response.json()) == (429, TOO_MANY)


def _hundred(crm: Crm, tag: str):
    records = [{"Account_Name": f"{tag} {i}"} for i in range(100)]
    return crm.call("POST", "Accounts", json={"data": records})


def test_a_write_that_does_not_fit_the_remaining_credits_is_refused(crm: Crm) -> None:
    crm.sandbox.knobs(crm_daily_credits=25)
    assert _hundred(crm, "a").status_code == 201  # 10 credits
    assert _hundred(crm, "b").status_code == 201  # 20
    # 20 + 10 > 25: refused whole, although a 1-credit call still fits
    refused = _hundred(crm, "c")
    assert (refused.status_code, refused.json()) == (429, TOO_MANY)
    assert _list(crm).status_code == 200


def test_concurrent_writes_cannot_together_overspend_the_credits(crm: Crm) -> None:
    crm.sandbox.knobs(crm_daily_credits=25, crm_concurrency=50)
    barrier = threading.Barrier(6, timeout=30)
    answers: list[int] = []

    def write(tag: str) -> None:
        barrier.wait()
        answers.append(_hundred(crm, tag).status_code)

    threads = [threading.Thread(target=write, args=(str(i),)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # 10 credits each: only two fit in 25, whatever the interleaving
    assert sorted(answers) == [201, 201, 429, 429, 429, 429]
    charged = sum(row["credits"] for row in crm.sandbox.stats(service="crm")["calls"])
    assert charged == 20
