"""A burst of new CRM accounts against a raised Books limit: how close to the limit the
push runs, with no 429 and no duplicate.

Sets the Books limit to ``--limit`` requests/min in the sandbox and in syncadmin's budget
(``BOOKS_REQUESTS_PER_MINUTE``), creates ``--n`` CRM accounts through CRM's bulk insert
(100 per call, workflows on, so each fires the webhook), and waits until every one is
linked. ``minutes`` runs from the first create to the last link saved.

    .venv/bin/python bench/burst.py [--n 5000] [--limit 1000] [--workers 8]

The last line is one JSON object of all figures.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.push import books_customer_count, wait_for_links
from bench.stack import Stack


def bulk_create(stack: Stack, n: int, prefix: str) -> list[str]:
    ids: list[str] = []
    url = f"{stack.sandbox.base_url}/crm/v8/Accounts"
    headers = stack.crm_token()
    with httpx.Client(timeout=60) as http:
        for start in range(0, n, 100):
            records = [
                {"Account_Name": f"{prefix} {i:05d} Ltd", "VAT_Treatment": "uk"}
                for i in range(start, min(n, start + 100))
            ]
            answer = http.post(
                url, json={"data": records, "trigger": ["workflow"]}, headers=headers
            )
            answer.raise_for_status()
            ids += [element["details"]["id"] for element in answer.json()["data"]]
    return ids


def per_minute(started: float, saved: dict[str, float]) -> list[int]:
    """Links saved in each minute since the first create."""
    counts: list[int] = []
    for at in saved.values():
        minute = int((at - started) // 60)
        counts += [0] * (minute + 1 - len(counts))
        counts[minute] += 1
    return counts


def steady_rate(saved: dict[str, float]) -> float | None:
    """Links per minute between the 10th and the 90th percentile link: the sustained rate,
    without the ramp while the first webhooks arrive and the tail of the last ones."""
    times = sorted(saved.values())
    low, high = int(len(times) * 0.1), int(len(times) * 0.9)
    span = times[high] - times[low] if len(times) > 10 else 0
    return (high - low) / span * 60 if span else None


def books_429s(calls: list[dict]) -> int:
    return sum(c["count"] for c in calls if c["service"] == "books" and c["http_status"] == 429)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--latency-ms", type=int, default=0)
    args = parser.parse_args()
    with Stack(latency_ms=args.latency_ms, books_limit=args.limit, workers=args.workers) as stack:
        before = books_customer_count(stack)
        # Those counting calls went to Books behind the budget's back: let them leave Books'
        # minute window first, or Books refuses the burst's last call of its first minute.
        time.sleep(61)
        mark = stack.sandbox.stats()["now"]
        started = time.time()
        ids = bulk_create(stack, args.n, f"Burst {datetime.now(UTC):%H%M%S}")
        created_s = time.time() - started
        saved = wait_for_links(stack, set(ids), timeout=args.n / args.limit * 60 * 3 + 120)
        finished = max(saved.values()) if saved else time.time()
        stats = stack.sandbox.stats(since=mark)
        after = books_customer_count(stack)
    minutes = (finished - started) / 60
    steady = steady_rate(saved)
    books_calls = stats["by_service"].get("books", 0)
    figures = {
        "n": args.n,
        "limit_per_min": args.limit,
        "linked": len(saved),
        "crm_create_s": round(created_s, 1),
        "minutes": round(minutes, 2),
        "records_per_min": round(len(saved) / minutes, 1) if minutes else None,
        "books_calls": books_calls,
        "books_calls_per_min": round(books_calls / minutes, 1) if minutes else None,
        "pct_of_limit": round(100 * books_calls / minutes / args.limit, 1) if minutes else None,
        "steady_records_per_min": round(steady, 1) if steady else None,
        "steady_pct_of_limit": round(100 * steady / args.limit, 1) if steady else None,
        "links_per_minute": per_minute(started, saved),
        "books_429": books_429s(stats["calls"]),
        "duplicates": (after - before) - len(saved),
    }
    for key, value in figures.items():
        print(f"{key:>20}: {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
