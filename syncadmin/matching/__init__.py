"""Duplicate matching: pure Python over plain records (no ORM, no HTTP).

result = match_records(books_records + crm_records)
result.clusters   # duplicate clusters with direction, band, survivors, blockers
result.pairs      # every scored pair (certain / likely / possible) with evidence
predict_first_sync(crm_records, books_records)  # what a reconnect would do today
"""

import gc
import time
from collections.abc import Iterable

from .blocking import candidate_pairs
from .clusters import build_clusters
from .features import features, without
from .predictor import NativeOutcome, duplicates_after_reconnect, predict_first_sync
from .records import Band, BlockingStats, Cluster, MatchResult, Pair, Record, Side
from .scoring import score_pair
from .survivors import SurvivorRules

__all__ = [
    "Band",
    "BlockingStats",
    "Cluster",
    "MatchResult",
    "NativeOutcome",
    "Pair",
    "Record",
    "Side",
    "SurvivorRules",
    "duplicates_after_reconnect",
    "match_records",
    "predict_first_sync",
]


def match_records(records: Iterable[Record], *, rules: SurvivorRules | None = None) -> MatchResult:
    """Block, score and cluster `records` (both sides together). Deterministic: the same
    records give the same pairs and clusters, whatever their order."""
    collecting = gc.isenabled()
    gc.disable()  # hundreds of thousands of small objects: the collector would rescan them
    try:
        return _match(records, rules or SurvivorRules())
    finally:
        if collecting:
            gc.enable()


def _match(records: Iterable[Record], rules: SurvivorRules) -> MatchResult:
    clock = _Clock()
    by_ref = {r.ref: r for r in records}
    feats = {ref: features(r) for ref, r in sorted(by_ref.items())}
    clock.lap("features")
    candidates, by_source, placeholders = candidate_pairs(list(feats.values()))
    clock.lap("blocking")
    ignored = set(placeholders)
    feats = {ref: without(f, ignored) for ref, f in feats.items()}
    pairs = []
    for a, b in sorted(candidates):
        pair = score_pair(feats[a], feats[b])
        if pair is not None:
            pairs.append(pair)
    clock.lap("scoring")
    clusters = build_clusters(by_ref, pairs, rules)
    clock.lap("clustering")
    stats = BlockingStats(
        records=len(by_ref),
        candidates=len(candidates),
        brute_force_pairs=len(by_ref) * (len(by_ref) - 1) // 2,
        by_source={**by_source, **{f"ignored {a}:{v}": n for (a, v), n in placeholders.items()}},
        seconds=clock.laps,
    )
    return MatchResult(records=by_ref, pairs=pairs, clusters=clusters, stats=stats)


class _Clock:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self._last, 3)
        self._last = now
