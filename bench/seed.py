"""Benchmark: seed the messy scenario at 200 000 records (acceptance: under 2 minutes).

Runs `python -m syncadmin.sandbox seed` in a subprocess against a fresh SQLite file in a
temp dir (migrate included, as a user would run it), then prints the figures; the last
line is one JSON object of them all.

    .venv/bin/python bench/seed.py [--size 200000] [--seed 1] [--org in]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[1]
LIMIT_SECONDS = 120


def _run(size: int, seed: int, org: str, tmp: Path) -> tuple[dict, float]:
    env = {
        **os.environ,
        "SANDBOX_DATABASE_URL": f"sqlite:///{tmp / 'sandbox.sqlite3'}",
        "SANDBOX_NATIVE_SCHEDULE": "0",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = [sys.executable, "-m", "syncadmin.sandbox", "seed", "--scenario", "messy"]
    command += ["--size", str(size), "--seed", str(seed), "--org", org]
    command += ["--truth", str(tmp / "truth.json")]
    started = time.monotonic()
    done = subprocess.run(command, cwd=REPO_DIR, env=env, capture_output=True, text=True)
    wall = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"seed failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout), wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--org", default="in")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="seed-bench-") as tmp:
        summary, wall = _run(args.size, args.seed, args.org, Path(tmp))
        truth = json.loads((Path(tmp) / "truth.json").read_text())
        truth_bytes = (Path(tmp) / "truth.json").stat().st_size
    records = summary["records"]
    figures = {
        "size": args.size,
        "seed": args.seed,
        "org": summary["org"],
        "wall_seconds": round(wall, 2),  # process start, migrate, seed, truth file
        "seed_seconds": summary["seconds"],
        "records_per_second": round(records["total"] / summary["seconds"]),
        "under_2_minutes": wall < LIMIT_SECONDS,
        "records": records,
        "timings": summary["timings"],
        "patterns": summary["patterns"],
        "native_runs": [
            {k: r[k] for k in ("created", "updated", "skipped", "failure_count")}
            for r in summary["runs"]
        ],
        "truth_clusters": len(truth["clusters"]),
        "truth_duplicate_clusters": sum(c["duplicate"] for c in truth["clusters"]),
        "truth_bytes": truth_bytes,
    }
    verdict = "ok" if figures["under_2_minutes"] else "TOO SLOW"
    print(
        f"seeded {records['total']} records in {summary['seconds']} s "
        f"({figures['records_per_second']}/s); wall {figures['wall_seconds']} s "
        f"(limit {LIMIT_SECONDS} s: {verdict})"
    )
    for name, value in records.items():
        print(f"  {name:24} {value}")
    print("phases: " + ", ".join(f"{k} {v}s" for k, v in summary["timings"].items()))
    for name, counts in summary["patterns"].items():
        print(
            f"  {name:16} entities {counts['entities']:6}  duplicate clusters "
            f"{counts['duplicate_clusters']:6}  extra Books {counts['extra_books']:6}"
        )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
