"""Acceptance benchmark for the shared API budget (syncadmin/budget/).

Starts the Zoho sandbox, then runs N worker processes (default 8, two requesting threads
each: more requesters than the 10 in-flight slots), each with its own httpx client and its
own Redis-backed gate, hammering one Books organisation with
``GET /contacts?per_page=1`` for ``--seconds`` (default 180). Workers are spread over the
four lanes, so the lane split shows the priorities at work. Afterwards it reads the
sandbox's call log and prints the figures; the last line is one JSON object of them all.

    .venv/bin/python bench/budget.py [--seconds 180] [--workers 8] [--redis URL]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_DIR))

from syncadmin import zoho  # noqa: E402
from syncadmin.budget import LANES, BudgetExhausted, Limits, OrgGate, RedisBackend  # noqa: E402
from syncadmin.zoho.errors import ZohoError  # noqa: E402
from tests.sandbox_process import SandboxProcess  # noqa: E402

ORG = "20000001"
ADMIN = "admin@zylker.test"
BOOKS_SCOPES = ["ZohoBooks.fullaccess.all"]
LIMITS = Limits.books(plan="premium", daily_cap=1_000_000)


class RecordingGate:
    """Wraps a gate and records when each slot was held (client-side view of in-flight)."""

    def __init__(self, inner: OrgGate) -> None:
        self.inner = inner
        self.held: list[tuple[float, float]] = []

    @contextlib.contextmanager
    def slot(self, cost: int = 1) -> Iterator[None]:
        with self.inner.slot(cost=cost):
            start = time.time()
            try:
                yield
            finally:
                self.held.append((start, time.time()))

    def penalise(self, error) -> None:
        self.inner.penalise(error)


def worker(
    base_url: str, token: str, redis_url: str, prefix: str, lane: str, end: float, threads: int
):
    """One process (``threads`` requesters sharing one httpx client and one gate): requests
    until ``end``; returns its lane, slot intervals and outcomes."""
    import redis

    inner = OrgGate(
        RedisBackend(redis.Redis.from_url(redis_url)),
        service="books",
        org_id=ORG,
        limits=LIMITS,
        lane=lane,
        prefix=prefix,
    )
    gate = RecordingGate(inner)
    outcomes: Counter[str] = Counter()
    with zoho.new_http_client() as http:
        client = zoho.books_client(
            http=http,
            api_domain=base_url,
            tokens=lambda *, force_refresh=False: token,
            organization_id=ORG,
            gate=gate,
        )
        with ThreadPoolExecutor(threads) as pool:
            for counts in pool.map(lambda _: requester(client, inner, end), range(threads)):
                outcomes.update(counts)
    return lane, gate.held, dict(outcomes)


def requester(client: zoho.BooksClient, inner: OrgGate, end: float) -> Counter[str]:
    outcomes: Counter[str] = Counter()
    while (remaining := end - time.time()) > 0:
        inner.timeout = remaining  # a slot granted after the end would not count
        try:
            list(client.contacts(per_page="1"))
            outcomes["ok"] += 1
        except BudgetExhausted:
            outcomes["budget_exhausted"] += 1
        except ZohoError as error:
            outcomes[f"{error.reason.code}:{error.zoho_code}"] += 1
    return outcomes


def max_overlap(intervals: list[tuple[float, float]]) -> int:
    events = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals])
    level = peak = 0
    for _, step in events:
        level += step
        peak = max(peak, level)
    return peak


def max_in_window(starts: list[float], window: float = 60.0) -> int:
    starts, first, peak = sorted(starts), 0, 0
    for last, at in enumerate(starts):
        while at - starts[first] >= window:
            first += 1
        peak = max(peak, last - first + 1)
    return peak


def run(args: argparse.Namespace) -> dict:
    with SandboxProcess() as sandbox:
        sandbox.reset()
        # the daily cap must not interfere: only the minute and in-flight limits are tested
        sandbox.knobs(books_daily_cap=1_000_000, latency_ms=args.latency_ms)
        token = sandbox.token(ADMIN, BOOKS_SCOPES)
        since = sandbox.stats()["now"]
        prefix = f"bench:budget:{uuid.uuid4().hex}"
        end = time.time() + args.seconds
        jobs = [
            (sandbox.base_url, token, args.redis, prefix, LANES[i % len(LANES)], end, args.threads)
            for i in range(args.workers)
        ]
        with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
            results = pool.starmap(worker, jobs)
        stats = sandbox.stats(since=since, service="books", org_id=ORG)
    return figures(args, results, stats)


def figures(args: argparse.Namespace, results: list, stats: dict) -> dict:
    codes = Counter()
    for row in stats["calls"]:
        codes[row["code"]] += row["count"]
    held = [interval for _, intervals, _ in results for interval in intervals]
    lanes = Counter()
    outcomes = Counter()
    for lane, intervals, worker_outcomes in results:
        lanes[lane] += len(intervals)
        outcomes.update(worker_outcomes)
    books_429 = sum(row["count"] for row in stats["calls"] if row["http_status"] == 429)
    return {
        "seconds": args.seconds,
        "workers": args.workers,
        "threads_per_worker": args.threads,
        "latency_ms": args.latency_ms,
        "total_requests": stats["total"],
        "succeeded": codes["0"],
        "achieved_per_min": round(codes["0"] / (args.seconds / 60), 1),
        "max_in_any_60s": max_in_window([start for start, _ in held]),
        "books_429": books_429,
        "code_44": codes["44"],
        "code_45": codes["45"],
        "code_1070": codes["1070"],
        "max_in_flight": max_overlap(held),
        "lanes": {lane: lanes[lane] for lane in LANES},
        "client_outcomes": dict(outcomes),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="requesters per worker")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--latency-ms", type=int, default=250, help="sandbox answer delay")
    args = parser.parse_args()
    result = run(args)
    for name, value in result.items():
        print(f"{name:>18}: {value}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
