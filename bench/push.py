"""Real-time push: CRM create → workflow webhook → syncadmin → Books customer, linked.

Runs the whole stack (bench/stack.py: sandbox with ``--latency-ms`` on every Zoho call,
gunicorn, a Celery worker, PostgreSQL, Redis), creates ``--n`` CRM accounts one after
another through CRM's API (workflows on, as a person's create would), and measures for
each the time from CRM answering the create to syncadmin's link row being saved. Then it
counts the Books and CRM calls syncadmin made (the sandbox's call log, minus the
benchmark's own creates) and the Books customers beyond one per record.

    .venv/bin/python bench/push.py [--n 500] [--latency-ms 100]

The last line is one JSON object of all figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stack import ORG, Stack


def create_accounts(stack: Stack, n: int, prefix: str, rate: float = 0) -> dict[str, float]:
    """CRM ids → the moment CRM answered each create (epoch seconds); at most ``rate``
    creates a minute when given."""
    created: dict[str, float] = {}
    start = time.monotonic()
    headers = stack.crm_token()
    url = f"{stack.sandbox.base_url}/crm/v8/Accounts"
    with httpx.Client(timeout=30) as http:
        for i in range(n):
            record = {"Account_Name": f"{prefix} {i:05d} Ltd", "VAT_Treatment": "uk",
                      "Phone": f"+44 20 7946 {i:04d}", "Billing_City": "Leeds"}  # fmt: skip
            body = {"data": [record], "trigger": ["workflow"]}
            if rate:
                time.sleep(max(0.0, start + i * 60 / rate - time.monotonic()))
            answer = http.post(url, json=body, headers=headers)
            answer.raise_for_status()
            created[answer.json()["data"][0]["details"]["id"]] = time.time()
    return created


def wait_for_links(stack: Stack, ids: set[str], timeout: float) -> dict[str, float]:
    """CRM ids → when their link row was saved, waiting until all are (or ``timeout``)."""
    deadline = time.monotonic() + timeout
    saved: dict[str, float] = {}
    while time.monotonic() < deadline:
        rows = stack.sql(
            "SELECT r.crm_id, l.created_at FROM syncadmin_recordlink l "
            "JOIN syncadmin_crmrecord r ON r.id = l.crm_record_id WHERE l.state = 'linked'"
        )
        saved = {crm_id: at.timestamp() for crm_id, at in rows if crm_id in ids}
        if len(saved) == len(ids):
            break
        time.sleep(0.5)
    return saved


def wait_for_writeback(stack: Stack, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    owed = -1
    while time.monotonic() < deadline:
        owed = stack.sql("SELECT count(*) FROM syncadmin_pushledger WHERE writeback_due")[0][0]
        if owed == 0:
            break
        time.sleep(0.5)
    return owed


def books_customer_count(stack: Stack) -> int:
    headers = stack.sandbox.auth("admin@zylker.test", ["ZohoBooks.fullaccess.all"])
    total, page = 0, 1
    with httpx.Client(timeout=30) as http:
        while True:
            answer = http.get(
                f"{stack.sandbox.base_url}/books/v3/contacts",
                params={"organization_id": ORG, "per_page": 200, "page": page},
                headers=headers,
            ).json()
            if answer.get("code") == 44:  # the benchmark's reads share the minute limit
                time.sleep(5)
                continue
            total += len(answer["contacts"])
            if not answer["page_context"]["has_more_page"]:
                return total
            page += 1


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--latency-ms", type=int, default=100)
    # Books takes 100 requests a minute per organisation; faster creates queue for the
    # budget (bench/burst.py measures that), so the latency figure is taken below it.
    parser.add_argument("--rate", type=float, default=90, help="creates per minute")
    args = parser.parse_args()
    with Stack(latency_ms=args.latency_ms) as stack:
        customers_before = books_customer_count(stack)
        mark = stack.sandbox.stats()["now"]
        started = time.time()
        prefix = f"Push Bench {datetime.now(UTC):%H%M%S}"
        created = create_accounts(stack, args.n, prefix, rate=args.rate)
        saved = wait_for_links(stack, set(created), timeout=300)
        owed = wait_for_writeback(stack, timeout=60)
        calls = stack.sandbox.stats(since=mark)["by_service"]
        elapsed = time.time() - started
        customers_after = books_customer_count(stack)
        distinct = stack.sql("SELECT count(DISTINCT books_contact_id) FROM syncadmin_recordlink")
    latencies = [saved[i] - created[i] for i in created if i in saved]
    linked = len(latencies)
    figures = {
        "n": args.n,
        "latency_ms_per_zoho_call": args.latency_ms,
        "creates_per_min": args.rate,
        "linked": linked,
        "p50_s": round(statistics.median(latencies), 3) if latencies else None,
        "p95_s": round(p(latencies, 0.95), 3) if latencies else None,
        "max_s": round(max(latencies), 3) if latencies else None,
        "books_calls_per_record": round(calls.get("books", 0) / max(1, linked), 3),
        # the benchmark's own creates are CRM calls too; they are not syncadmin's
        "crm_calls_per_record": round((calls.get("crm", 0) - args.n) / max(1, linked), 3),
        "writebacks_owed_at_end": owed,
        "duplicates": (customers_after - customers_before) - linked,
        "distinct_customers_linked": distinct[0][0],
        "elapsed_s": round(elapsed, 1),
    }
    for key, value in figures.items():
        print(f"{key:>28}: {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
