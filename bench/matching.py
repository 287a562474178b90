"""Benchmark: duplicate matching, scored against the sandbox's ground truth.

Default (--size 10000): seed the sandbox's messy scenario in a fresh sandbox process,
read Books contacts and CRM Accounts / Contacts / Deals through its HTTP API, match, and
score the clusters against the truth file. --size 100000: 100 000 CRM records against
100 000 Books customers, generated here with the drifts the sandbox uses plus typos
(the sandbox seeds 200 000 records at most, all kinds together), timed against brute
force. Prints the figures; the last line is one JSON object of them all.

    .venv/bin/python bench/matching.py                  # messy scenario, 10 000 records
    .venv/bin/python bench/matching.py --size 100000    # speed and pair completeness

How pairs are counted: records are Books contacts and live CRM accounts; two records
are a true pair when the truth file puts them in one cluster, except a CRM account and
the Books customer carrying its id (that is the sync working, not a duplicate). The
matcher's pairs are those inside its clusters, with the same exception. Pair
completeness: the share of true pairs that blocking puts before the scorer at all.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter
from itertools import combinations
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_DIR))

from syncadmin.matching import Band, MatchResult, Record, Side, match_records  # noqa: E402
from syncadmin.matching.blocking import candidate_pairs  # noqa: E402
from syncadmin.matching.features import features  # noqa: E402

LIMIT_100K_SECONDS = 20
ORGS = {"in": "20000002", "uk": "20000001"}
BANDS = [Band.CERTAIN, Band.LIKELY, Band.POSSIBLE]


# ------------------------------------------------------------------ pairs and figures


def _key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def _is_link(records: dict[str, Record], a: str, b: str) -> bool:
    ra, rb = records[a], records[b]
    if ra.side == rb.side:
        return False
    books, crm = (ra, rb) if ra.side == Side.BOOKS else (rb, ra)
    return books.crm_link.removeprefix("zcrm_") == crm.id


def _pairs_of(groups, records: dict[str, Record]) -> set[tuple[str, str]]:
    pairs = set()
    for refs in groups:
        present = sorted(r for r in refs if r in records)
        for a, b in combinations(present, 2):
            if not _is_link(records, a, b):
                pairs.add((a, b))
    return pairs


def _prf(tp: int, predicted: int, actual: int) -> dict:
    p = tp / predicted if predicted else 1.0
    r = tp / actual if actual else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def evaluate(result: MatchResult, truth_groups: list[list[str]], candidates: set) -> dict:
    records = result.records
    truth = _pairs_of(truth_groups, records)
    direct = {(p.a, p.b): p.band for p in result.pairs}
    found: dict[tuple[str, str], Band] = {}
    for cluster in result.clusters:
        for pair in _pairs_of([cluster.refs], records):
            found[pair] = direct.get(pair, cluster.band)
    tp = sum(p in truth for p in found)
    figures = {"true_pairs": len(truth), "predicted_pairs": len(found), "true_positives": tp}
    figures["overall"] = _prf(tp, len(found), len(truth))
    bands = {}
    for band in BANDS[:2]:
        mine = [p for p, b in found.items() if b == band]
        hits = sum(p in truth for p in mine)
        bands[band.value] = {"pairs": len(mine), "true": hits, **_prf(hits, len(mine), len(truth))}
    review = [
        (p.a, p.b) for p in result.pairs if p.band == Band.POSSIBLE and (p.a, p.b) not in found
    ]
    hits = sum(p in truth for p in review)
    bands["possible"] = {"pairs": len(review), "true": hits, **_prf(hits, len(review), len(truth))}
    figures["bands"] = bands
    figures["pair_completeness"] = round(len(truth & candidates) / len(truth), 4) if truth else 1
    figures["missed_examples"] = [
        [records[a].name, records[b].name] for a, b in sorted(truth - set(found))[:8]
    ]
    figures["false_examples"] = [
        [records[a].name, records[b].name] for a, b in sorted(set(found) - truth)[:8]
    ]
    return figures


def _timed_match(records: list[Record]) -> tuple[MatchResult, float, set, dict]:
    started, cpu = time.perf_counter(), time.process_time()
    result = match_records(records)
    seconds = time.perf_counter() - started
    machine = {
        "cpu_seconds": round(time.process_time() - cpu, 2),
        "load_average_1m": round(os.getloadavg()[0], 2),  # other work on the machine
        "stage_seconds": result.stats.seconds,
    }
    candidates, _, _ = candidate_pairs([features(r) for r in records])
    return result, seconds, candidates, machine


# ------------------------------------------------------------------ the messy scenario


def sandbox_data(size: int, seed: int, org: str, keep: Path | None) -> tuple[dict, dict]:
    from tests.matching.sandbox_records import read_sandbox
    from tests.sandbox_process import SandboxProcess

    with tempfile.TemporaryDirectory(prefix="match-bench-") as tmp, SandboxProcess() as sandbox:
        truth_path = Path(tmp) / "truth.json"
        body = {"scenario": "messy", "size": size, "seed": seed, "truth": str(truth_path)}
        body["org"] = org
        started = time.monotonic()
        sandbox.client.post("/_sandbox/seed", json=body, timeout=900).raise_for_status()
        seeded = time.monotonic() - started
        raw = read_sandbox(sandbox, ORGS[org])
        truth = json.loads(truth_path.read_text())
    raw["seed_seconds"] = round(seeded, 2)
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
        (keep / "raw.json").write_text(json.dumps(raw))
        (keep / "truth.json").write_text(json.dumps(truth))
    return raw, truth


def truth_groups(truth: dict) -> list[list[str]]:
    return [
        [f"books:{i}" for i in c["books_contact_ids"]] + [f"crm:{i}" for i in c["crm_account_ids"]]
        for c in truth["clusters"]
    ]


def run_messy(args) -> dict:
    from tests.matching.sandbox_records import to_records

    if args.reuse:
        raw = json.loads((args.reuse / "raw.json").read_text())
        truth = json.loads((args.reuse / "truth.json").read_text())
    else:
        raw, truth = sandbox_data(args.size, args.seed, args.org, args.keep)
    records = to_records(raw, ORGS[args.org])
    result, seconds, candidates, machine = _timed_match(records)
    figures = {"mode": "messy", "size": args.size, "seed": args.seed, "org": args.org, **machine}
    figures["records"] = {"books": len(raw["books"]), "crm_accounts": len(raw["accounts"])}
    figures["match_seconds"] = round(seconds, 3)
    figures["clusters"] = len(result.clusters)
    figures["directions"] = dict(Counter(c.direction for c in result.clusters))
    figures["candidates"] = len(candidates)
    figures["brute_force_pairs"] = result.stats.brute_force_pairs
    figures["by_source"] = {k: v for k, v in result.stats.by_source.items() if "ignored" not in k}
    figures["placeholders_ignored"] = sum("ignored" in k for k in result.stats.by_source)
    figures |= evaluate(result, truth_groups(truth), candidates)
    bands = figures["bands"]
    figures["targets_met"] = {
        "certain_precision>=0.995": bands["certain"]["precision"] >= 0.995,
        "recall>=0.97": figures["overall"]["recall"] >= 0.97,
        "f1>=0.97": figures["overall"]["f1"] >= 0.97,
    }
    return figures


# ------------------------------------------------------------------ 100 000 × 100 000

# 8 000 consonant-vowel(-consonant) syllables: enough that a word's one-edit neighbours
# are mostly not other companies' names, as in a real customer list
SYLLABLES = [c + v + e for c in "bcdfghjklmnprstvwz" for v in "aeiou" for e in ("", "n", "r", "l")]
_TRADE_WORDS = (
    "Traders Textiles Logistics Foods Pharma Engineering Motors Electricals Steel Plastics "
    "Chemicals Packaging Exports Software Systems Solutions Consulting Builders Interiors "
    "Furniture Garments Agro Dairy Spices Printers Optics Hardware Medical Hotels Travels "
    "Media Finance Realty Energy Solar Labs"
)
TRADES = _TRADE_WORDS.split()
SUFFIXES = ("Ltd", "Limited", "Pvt Ltd", "Private Limited", "LLP", "Inc", "PLC", "")
DRIFTS = ("ltd", "ampersand", "the", "dot", "case", "space", "typo", "accent")


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def _drift(rng: random.Random, name: str, kind: str) -> str:
    if kind == "ltd":
        return name.replace(" Ltd", " Limited") if name.endswith(" Ltd") else name + " Limited"
    if kind == "ampersand":
        return name.replace(" & ", " and ") if " & " in name else name
    if kind == "the":
        return "The " + name
    if kind == "dot":
        return name + "."
    if kind == "case":
        return name.upper()
    if kind == "space":
        return name.replace(" ", "  ", 1) + " "
    if kind == "accent":
        return name.replace("e", "é", 1)
    i = rng.randrange(1, max(2, len(name.split()[0])))  # a typo in the first word
    op = rng.choice(("delete", "swap", "replace", "insert"))
    if op == "delete":
        return name[:i] + name[i + 1 :]
    if op == "swap":
        return name[: i - 1] + name[i] + name[i - 1] + name[i + 1 :]
    if op == "replace":
        return name[:i] + rng.choice("aeioustrn") + name[i + 1 :]
    return name[:i] + rng.choice("aeioustrn") + name[i:]


def synthetic(size: int, seed: int) -> tuple[list[Record], list[list[str]]]:
    """`size` CRM accounts and `size` Books customers: most linked 1:1, the rest
    duplicated within or across the systems under drifted names."""
    rng = random.Random(seed)
    crm: list[Record] = []
    books: list[Record] = []
    groups: list[list[str]] = []
    used: set[str] = set()
    n = 0
    while len(crm) < size or len(books) < size:
        n += 1
        core = f"{_word(rng)} {rng.choice(TRADES)}"
        if rng.random() < 0.15:
            core = f"{_word(rng)} & {core}"
        if core.lower() in used:  # one party per name: other parties' names differ
            continue
        used.add(core.lower())
        name = f"{core} {rng.choice(SUFFIXES)}".strip()
        domain = f"{core.lower().replace(' ', '').replace('&', '')}{n}.example"
        phone = f"+91 {rng.randint(7000000000, 9999999999)}"
        cid, bid = f"{n}1", f"{n}2"
        pattern = rng.choices(
            ("linked", "unlinked", "reconnect", "books_twin", "crm_twin", "crm_only", "books_only"),
            (70, 10, 5, 5, 3, 4, 3),
        )[0]
        kind = rng.choice(DRIFTS)
        drifted = _drift(rng, name, kind)
        mail = (f"{_word(rng).lower()}.{_word(rng).lower()}@{domain}",)  # a person's address
        members = []
        if pattern != "books_only" and len(crm) < size:
            crm.append(Record(Side.CRM, cid, name, emails=mail, phones=(phone,), region="IN"))
            members.append(f"crm:{cid}")
        if pattern == "crm_twin" and len(crm) < size:
            crm.append(Record(Side.CRM, cid + "9", drifted, emails=mail, region="IN"))
            members.append(f"crm:{cid}9")
        if pattern != "crm_only" and len(books) < size:
            link = cid if pattern in ("linked", "reconnect", "books_twin", "crm_twin") else ""
            shown = drifted if pattern in ("unlinked", "books_only") else name
            books.append(Record(Side.BOOKS, bid, shown, emails=mail, crm_link=link))
            members.append(f"books:{bid}")
        if pattern in ("reconnect", "books_twin") and len(books) < size:
            link = cid if pattern == "reconnect" else ""
            books.append(Record(Side.BOOKS, bid + "9", drifted, emails=mail, crm_link=link))
            members.append(f"books:{bid}9")
        if len(members) > 1:
            groups.append(members)
    return crm + books, groups


def brute_force_seconds(records: list[Record], sample: int = 500) -> float:
    """Every CRM name against every Books name with rapidfuzz (score_cutoff 90), timed on
    `sample` CRM names and scaled up."""
    from rapidfuzz import fuzz, process

    crm = [r.name for r in records if r.side == Side.CRM]
    books = [r.name for r in records if r.side == Side.BOOKS]
    started = time.perf_counter()
    for query in crm[:sample]:
        process.extract(query, books, scorer=fuzz.ratio, score_cutoff=90, limit=None)
    return (time.perf_counter() - started) * len(crm) / sample


def run_large(args) -> dict:
    records, groups = synthetic(args.size, args.seed)
    result, seconds, candidates, machine = _timed_match(records)
    sides = Counter(r.side.value for r in records)
    brute = brute_force_seconds(records)
    figures = {"mode": "synthetic", "size": args.size, "seed": args.seed, **machine}
    figures["records"] = {"books": sides["books"], "crm": sides["crm"]}
    figures["match_seconds"] = round(seconds, 2)
    figures["brute_force_seconds_estimated"] = round(brute, 1)
    figures["candidates"] = len(candidates)
    figures["brute_force_pairs"] = result.stats.brute_force_pairs
    figures["brute_force_cross_pairs"] = sides["books"] * sides["crm"]
    figures["by_source"] = {k: v for k, v in result.stats.by_source.items() if "ignored" not in k}
    figures["clusters"] = len(result.clusters)
    figures |= evaluate(result, groups, candidates)
    figures["targets_met"] = {
        f"match_seconds<={LIMIT_100K_SECONDS}": seconds <= LIMIT_100K_SECONDS,
        "pair_completeness>=0.995": figures["pair_completeness"] >= 0.995,
    }
    return figures


# ------------------------------------------------------------------ output


def report(f: dict) -> None:
    print(f"{f['mode']} size {f['size']} seed {f['seed']}: records {f['records']}")
    print(
        f"  matched in {f['match_seconds']} s (CPU {f['cpu_seconds']} s, load average "
        f"{f['load_average_1m']}; stages {f['stage_seconds']}); clusters {f['clusters']}"
    )
    if "brute_force_seconds_estimated" in f:
        print(
            f"  brute force (rapidfuzz, every CRM × every Books name): "
            f"~{f['brute_force_seconds_estimated']} s estimated"
        )
    print(
        f"  candidates {f['candidates']} of {f['brute_force_pairs']} possible pairs; "
        f"pair completeness {f['pair_completeness']}"
    )
    print(
        f"  true pairs {f['true_pairs']}, predicted {f['predicted_pairs']}, "
        f"true positives {f['true_positives']}"
    )
    for band, b in f["bands"].items():
        print(
            f"  {band:9} pairs {b['pairs']:6}  precision {b['precision']:.4f}  "
            f"recall {b['recall']:.4f}  f1 {b['f1']:.4f}"
        )
    o = f["overall"]
    print(f"  overall   precision {o['precision']:.4f}  recall {o['recall']:.4f}  f1 {o['f1']:.4f}")
    for name, ok in f["targets_met"].items():
        print(f"  target {name}: {'ok' if ok else 'MISSED'}")
    print(json.dumps(f))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--org", choices=sorted(ORGS), default="in", help="messy: Books org")
    parser.add_argument("--keep", type=Path, help="save the sandbox's answers and truth here")
    parser.add_argument("--reuse", type=Path, help="score data saved by --keep (no sandbox)")
    args = parser.parse_args()
    report(run_large(args) if args.size > 20_000 else run_messy(args))


if __name__ == "__main__":
    main()
