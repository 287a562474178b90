"""Benchmark: dashboard page times on a million links in PostgreSQL, and export memory.

Seeds (once; ``--reseed`` to redo) 1 000 000 CRM records, Books customers and links, with
mirrors, failures (3 %), runs and events (one per link) in proportion, straight into
PostgreSQL with ``generate_series``. Then times 50 requests of each page through Django's
test client in this process (server time: view, queries, template; no network), and
streams the CSV export and the JSON backup of every link in a child process whose peak
RSS is the export's memory. The last line is one JSON object of the figures.

    .venv/bin/python bench/pages.py [--links 1000000] [--requests 50] \
        [--db postgres://postgres@127.0.0.1:5432/syncadmin_bench_pages] [--reseed]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_DIR))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/syncadmin_bench_pages"
TARGET_MS = 150
EXPORT_LIMIT_MB = 200
ORG = "20099000001"
WORDS = [
    "Acme",
    "Zenith",
    "Northwind",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Hooli",
    "Vandelay",
    "Wonka",
    "Gringotts",
    "Oscorp",
    "Aperture",
    "Monarch",
    "Pied",
    "Dunder",
]
TRADES = [
    "Bakery",
    "Logistics",
    "Dental",
    "Motors",
    "Textiles",
    "Analytics",
    "Foods",
    "Builders",
    "Pharma",
    "Studios",
    "Travel",
    "Robotics",
    "Farms",
    "Legal",
    "Media",
    "Energy",
    "Optics",
    "Marine",
    "Print",
    "Labs",
]


def setup_django(db_url: str) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("SYNCADMIN_DEMO", "1")
    os.environ.setdefault("SYNCADMIN_VAR_DIR", tempfile.mkdtemp(prefix="bench-pages-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "syncadmin.settings"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    import django

    django.setup()


def ensure_database(db_url: str) -> None:
    import psycopg

    base, name = db_url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


# ------------------------------------------------------------------ seeding


def _filler(table: str, given: dict[str, str]) -> tuple[str, str]:
    """Columns and SQL expressions for one row: ``given`` plus a neutral value for every
    other NOT NULL column without a database default (Django keeps defaults in Python)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s"
            " AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'",
            [table],
        )
        required = cursor.fetchall()
    neutral = {
        "boolean": "false",
        "integer": "0",
        "bigint": "0",
        "numeric": "0",
        "jsonb": "'{}'::jsonb",
        "timestamp with time zone": "now()",
        "date": "current_date",
    }
    values = dict(given)
    for column, kind in required:
        values.setdefault(column, neutral.get(kind, "''"))
    return ", ".join(f'"{c}"' for c in values), ", ".join(values.values())


def _insert(table: str, n: int, given: dict[str, str], *, start: int = 1) -> None:
    from django.db import connection

    columns, values = _filler(table, given)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {values} "
            f"FROM generate_series({start}, {start + n - 1}) AS i"
        )


def seed(n: int) -> dict[str, float]:
    from django.contrib.auth.models import Group, User
    from django.db import connection

    timings = {}
    words = "ARRAY[" + ",".join(f"'{w}'" for w in WORDS) + "]"
    trades = "ARRAY[" + ",".join(f"'{w}'" for w in TRADES) + "]"
    name = f"({words})[1 + i % 20] || ' ' || ({trades})[1 + (i / 20) % 20] || ' ' || i"
    started = time.monotonic()
    _insert(
        "syncadmin_crmrecord",
        n,
        {
            "module": "CASE WHEN i % 10 = 0 THEN 'Contacts' ELSE 'Accounts' END",
            "crm_id": "(3652397000000000000 + i)::text",
            "name": name,
            "email": "'c' || i || '@example.test'",
            "currency": "'GBP'",
            "crm_org_id": "'800001'",
            "deal_count": "i % 4",
            "raw": "'{}'::jsonb",
            "modified_time": "now() - (i || ' seconds')::interval",
        },
    )
    _insert(
        "syncadmin_bookscontact",
        n,
        {
            "organization_id": f"'{ORG}'",
            "contact_id": "(460000000000000 + i)::text",
            "contact_name": name,
            "email": "'c' || i || '@example.test'",
            "currency_code": "'GBP'",
            "status": "'active'",
            "contact_type": "'customer'",
            "zcrm_account_id": "(3652397000000000000 + i)::text",
            "has_transaction": "i % 3 = 0",
            "invoice_count": "i % 7",
            "outstanding_receivable": "(i % 1000)::numeric",
            "raw": "'{}'::jsonb",
            "created_time": "now() - ((i % 400) || ' days')::interval",
        },
    )
    timings["seed_mirrors_s"] = time.monotonic() - started
    started = time.monotonic()
    states = (
        "CASE WHEN i % 50 = 0 THEN 'orphaned_books' WHEN i % 97 = 0 THEN 'books_inactive'"
        " ELSE 'linked' END"
    )
    provenance = (
        "(ARRAY['native_name_match','native_id_map','pushed','imported','manual'])[1 + i % 5]"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id) FROM syncadmin_crmrecord")
        crm0 = cursor.fetchone()[0] - 1
        cursor.execute("SELECT min(id) FROM syncadmin_bookscontact")
        books0 = cursor.fetchone()[0] - 1
    _insert(
        "syncadmin_recordlink",
        n,
        {
            "books_organization_id": f"'{ORG}'",
            "crm_module": "CASE WHEN i % 10 = 0 THEN 'Contacts' ELSE 'Accounts' END",
            "crm_record_id": f"{crm0} + i",
            "books_contact_id": f"{books0} + i",
            "provenance": provenance,
            "state": states,
            "paused": "i % 200 = 0",
            "crossed": "i % 5000 = 0",
            "written_back": "true",
            "last_pushed_at": "now() - ((i % 1000) || ' minutes')::interval",
            "created_at": "now() - ((i % 400) || ' days')::interval",
            "updated_at": "now() - (i || ' seconds')::interval",
        },
    )
    timings["seed_links_s"] = time.monotonic() - started
    started = time.monotonic()
    runs = max(1, n // 1000)
    _insert(
        "syncadmin_syncrun",
        runs,
        {
            "kind": "(ARRAY['push','mirror_crm','mirror_books','reconcile'])[1 + i % 4]",
            "trigger": "'schedule'",
            "status": "'succeeded'",
            "organization_id": f"'{ORG}'",
            "cursor": "'{}'::jsonb",
            "processed": "1000",
            "created_count": "10",
            "updated_count": "980",
            "skipped_count": "0",
            "failed_count": "10",
            "created_at": "now() - ((i % 60) || ' days')::interval",
            "started_at": "now() - ((i % 60) || ' days')::interval",
            "finished_at": "now() - ((i % 60) || ' days')::interval + interval '3 minutes'",
        },
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id) FROM syncadmin_syncrun")
        run0 = cursor.fetchone()[0]
        cursor.execute("SELECT min(id) FROM syncadmin_recordlink")
        link0 = cursor.fetchone()[0] - 1
    _insert(
        "syncadmin_syncevent",
        n,
        {
            "run_id": f"{run0} + (i % {runs})",
            "outcome": "CASE WHEN i % 33 = 0 THEN 'failed' ELSE 'updated' END",
            "crm_record_id": f"{crm0} + i",
            "books_contact_id": f"{books0} + i",
            "link_id": f"{link0} + i",
            "message": "''",
            "idempotency_key": "''",
            "at": "now() - ((i % 60) || ' days')::interval",
        },
    )
    reasons = (
        "(ARRAY['display_name_taken','missing_place_of_supply','missing_vat_treatment',"
        "'currency_invalid','needs_review','books_minute_limit','record_locked'])[1 + i % 7]"
    )
    failures = n * 3 // 100
    _insert(
        "syncadmin_syncfailure",
        failures,
        {
            "crm_record_id": f"{crm0} + i * 33",
            "link_id": f"{link0} + i * 33",
            "operation": "'push'",
            "organization_id": f"'{ORG}'",
            "reason_code": reasons,
            "open_key": f"'{ORG}:Accounts:' || i || ':' || {reasons}",
            "explanation": "'Books refused it.'",
            "suggested_fix": "'Fix it.'",
            "details": "'{}'::jsonb",
            "attempts": "1 + i % 4",
            "first_seen_at": "now() - ((i % 30) || ' days')::interval",
            "last_seen_at": "now() - ((i % 1440) || ' minutes')::interval",
            "resolved_at": "CASE WHEN i % 4 = 0 THEN now() ELSE NULL END",
        },
    )
    timings["seed_history_s"] = time.monotonic() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    user = User.objects.create_user("bench-admin", "bench@example.test", "pw")
    user.groups.add(Group.objects.get(name="admin"))
    from syncadmin.models import SyncSettings

    SyncSettings.objects.get_or_create(
        books_organization_id=ORG, defaults={"writeback_field_present": True, "books_country": "uk"}
    )
    return timings


# ------------------------------------------------------------------ timing


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)], 1)


def time_pages(requests: int) -> dict[str, float]:
    from django.contrib.auth.models import User
    from django.test import Client

    from syncadmin.models import RecordLink

    client = Client()
    client.force_login(User.objects.get(username="bench-admin"))
    first, last = (
        RecordLink.objects.order_by("id").values_list("id", flat=True)[:1][0],
        RecordLink.objects.order_by("-id").values_list("id", flat=True)[:1][0],
    )
    step = max(1, (last - first) // requests)
    crm_ids = [str(3652397000000000000 + 1 + k * 19_937) for k in range(requests)]
    names = [f"{WORDS[k % 20]} {TRADES[(k * 7) % 20]}" for k in range(requests)]
    pages = {
        "mapping_first_page": lambda k: "/mapping/",
        "mapping_filtered": lambda k: [
            "/mapping/?state=orphaned_books",
            "/mapping/?provenance=pushed&paused=false",
            "/mapping/?failing=true",
            "/mapping/?has_transactions=true&module=Accounts",
        ][k % 4],
        "mapping_search_name": lambda k: f"/mapping/?q={names[k].replace(' ', '+')}",
        "mapping_search_id": lambda k: f"/mapping/?q={crm_ids[k]}",
        "failures": lambda k: "/failures/",
        "overview": lambda k: "/",
        "record": lambda k: f"/records/{first + k * step}/",
    }
    figures = {}
    facts_started = time.perf_counter()
    client.post("/checklist/refresh/")  # the facts scan; the beat refreshes it every minute
    figures["checklist_facts_ms"] = round((time.perf_counter() - facts_started) * 1000, 1)
    for label, url_for in pages.items():
        for k in range(3):  # warm the connection and PostgreSQL's cache
            client.get(url_for(k))
        times, cpu = [], []
        for k in range(requests):
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(url_for(k))
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
            assert response.status_code == 200, (url_for(k), response.status_code)
        figures[f"{label}_p95_ms"] = p95(times)
        # This process's CPU only (the database's work is not in it): steadier than wall
        # time on a machine other jobs are loading.
        figures[f"{label}_p95_cpu_ms"] = p95(cpu)
        print(
            f"{label:24} p95 {figures[f'{label}_p95_ms']:7.1f} ms  "
            f"median {sorted(times)[len(times) // 2]:7.1f} ms",
            flush=True,
        )
    return figures


def export_in_child(db_url: str, kind: str) -> tuple[float, float, int]:
    """Peak RSS (MB), seconds and bytes of one streamed export, in a fresh process."""
    done = subprocess.run(
        [sys.executable, __file__, "--db", db_url, "--export-only", kind],
        capture_output=True,
        text=True,
        cwd=REPO_DIR,
    )
    if done.returncode != 0:
        sys.exit(f"export {kind} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["peak_mb"], result["seconds"], result["bytes"]


def export_only(kind: str) -> None:
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client()
    client.force_login(User.objects.get(username="bench-admin"))
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    response = client.get("/mapping/export.csv" if kind == "csv" else "/mapping/backup.json")
    size = sum(len(chunk) for chunk in response.streaming_content)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "peak_mb": round(peak, 1),
                "baseline_mb": round(baseline, 1),
                "seconds": round(seconds, 1),
                "bytes": size,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--export-only", choices=["csv", "json"])
    parser.add_argument("--no-export", action="store_true", help="time the pages only")
    args = parser.parse_args()
    if args.export_only:
        setup_django(args.db)
        export_only(args.export_only)
        return
    if args.reseed:
        import psycopg

        base, name = args.db.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    ensure_database(args.db)
    setup_django(args.db)
    from django.core.management import call_command

    from syncadmin.models import RecordLink

    call_command("migrate", verbosity=0)
    figures: dict[str, float] = {"links": args.links}
    if RecordLink.objects.count() != args.links:
        if RecordLink.objects.exists():
            sys.exit("The bench database holds another size; run with --reseed.")
        print(f"Seeding {args.links} links…", flush=True)
        figures.update({k: round(v, 1) for k, v in seed(args.links).items()})
    figures["load_average_before"] = round(os.getloadavg()[0], 2)
    figures.update(time_pages(args.requests))
    figures["load_average_after"] = round(os.getloadavg()[0], 2)
    if args.no_export:
        print(json.dumps(figures))
        return
    csv_mb, csv_s, csv_bytes = export_in_child(args.db, "csv")
    json_mb, json_s, json_bytes = export_in_child(args.db, "json")
    figures.update(
        {
            "export_csv_s": csv_s,
            "export_csv_mb_out": round(csv_bytes / 2**20, 1),
            "backup_json_s": json_s,
            "backup_json_mb_out": round(json_bytes / 2**20, 1),
            "export_csv_peak_mb": csv_mb,
            "backup_json_peak_mb": json_mb,
            "export_peak_mb": max(csv_mb, json_mb),
        }
    )
    slow = [k for k, v in figures.items() if k.endswith("_p95_ms") and v > TARGET_MS]
    figures["pages_within_target"] = not slow
    figures["export_within_target"] = figures["export_peak_mb"] < EXPORT_LIMIT_MB
    print(f"export: CSV {csv_mb} MB peak in {csv_s} s, JSON {json_mb} MB peak in {json_s} s")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
