"""match_csv on the sandbox's data exported in Zoho's column layouts reproduces the
clusters that matching the same data read through the APIs (as bench/matching.py does)
finds, and scores against the scenario's ground truth as well."""

import csv
import io
import json

from django.core.management import call_command

from syncadmin.matching import match_records
from tests.matching.sandbox_records import (
    books_export,
    crm_accounts_export,
    read_sandbox,
    to_records,
)


def test_match_csv_reproduces_the_api_clusters(messy_sandbox, tmp_path):
    sandbox, truth_path = messy_sandbox
    raw = read_sandbox(sandbox)
    from_api = match_records(to_records(raw))
    expected = {frozenset(c.refs) for c in from_api.clusters}

    (tmp_path / "books.csv").write_bytes(books_export(raw["books"]))
    (tmp_path / "crm.csv").write_bytes(crm_accounts_export(raw["accounts"]))
    out = tmp_path / "matches.csv"
    call_command(
        "match_csv", tmp_path / "books.csv", tmp_path / "crm.csv", "--out", out, "--region", "IN"
    )
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == len(raw["books"]) + len(raw["accounts"])
    clusters: dict[str, set[str]] = {}
    for row in rows:
        if row["cluster"]:
            clusters.setdefault(row["cluster"], set()).add(f"{row['side']}:{row['id']}")
    assert {frozenset(c) for c in clusters.values()} == expected

    # and they are the truth's duplicates: every truth cluster with a duplicate is found
    truth = json.loads(truth_path.read_text())
    found = {ref for refs in expected for ref in refs}
    for cluster in truth["clusters"]:
        if cluster["duplicate"]:
            assert {f"books:{i}" for i in cluster["books_contact_ids"]} <= found
