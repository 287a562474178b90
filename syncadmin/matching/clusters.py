"""Clusters: certain and likely pairs joined transitively, with a guard against chaining.

A likely pair joins two groups only when the groups hang together as a whole: at least
half of all the pairs across them were scored (any band). One weak link between two
otherwise unrelated groups does not merge them. Possible pairs never join anything.
Only groups that are duplicates are reported: two copies on one side, or a CRM record
and a Books customer that are not linked to each other.
"""

from collections.abc import Sequence

from .records import Band, Cluster, Pair, Record, Side
from .survivors import SurvivorRules, blockers, survivors

COHESION = 0.5
MAX_LIKELY_CLUSTER = 12


class _Groups:
    def __init__(self, refs: Sequence[str]) -> None:
        self.parent = {ref: ref for ref in refs}
        self.members = {ref: [ref] for ref in refs}

    def find(self, ref: str) -> str:
        root = ref
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[ref] != root:
            self.parent[ref], ref = root, self.parent[ref]
        return root

    def union(self, a: str, b: str) -> None:
        if len(self.members[a]) < len(self.members[b]):
            a, b = b, a
        self.parent[b] = a
        self.members[a] += self.members.pop(b)


def _cohesive(groups: _Groups, ra: str, rb: str, scored: set[tuple[str, str]]) -> bool:
    left, right = groups.members[ra], groups.members[rb]
    if len(left) + len(right) > MAX_LIKELY_CLUSTER:
        return False
    hits = sum(((a, b) if a < b else (b, a)) in scored for a in left for b in right)
    return hits >= COHESION * len(left) * len(right)


def _is_duplicate(members: list[Record]) -> bool:
    books = [r for r in members if r.side == Side.BOOKS]
    crm = [r for r in members if r.side == Side.CRM]
    if len(books) > 1 or len(crm) > 1:
        return True
    return bool(books and crm) and books[0].crm_link.removeprefix("zcrm_") != crm[0].id


def _direction(members: list[Record]) -> str:
    books = sum(r.side == Side.BOOKS for r in members)
    crm = len(members) - books
    if books > 1 and crm <= 1:
        return "books"
    if crm > 1 and books <= 1:
        return "crm"
    return "both"


def build_clusters(
    records: dict[str, Record], pairs: Sequence[Pair], rules: SurvivorRules
) -> list[Cluster]:
    scored = {(p.a, p.b) for p in pairs}
    groups = _Groups(list(records))
    weakest: dict[str, Band] = {}
    evidence: dict[str, list[str]] = {}
    joining = [p for p in pairs if p.band != Band.POSSIBLE]
    joining.sort(key=lambda p: (-p.band.rank, -p.score, p.a, p.b))
    for pair in joining:
        ra, rb = groups.find(pair.a), groups.find(pair.b)
        if ra == rb:
            continue
        if pair.band == Band.LIKELY and not _cohesive(groups, ra, rb, scored):
            continue
        bands = [pair.band, weakest.pop(ra, Band.CERTAIN), weakest.pop(rb, Band.CERTAIN)]
        words = evidence.pop(ra, []) + evidence.pop(rb, []) + list(pair.evidence)
        groups.union(ra, rb)
        root = groups.find(ra)
        weakest[root] = min(bands, key=lambda b: b.rank)
        evidence[root] = words
    return _clusters(records, groups, weakest, evidence, rules)


def _clusters(records, groups, weakest, evidence, rules) -> list[Cluster]:
    found = []
    roots = sorted(root for root, refs in groups.members.items() if len(refs) > 1)
    for root in roots:
        members = [records[ref] for ref in sorted(groups.members[root])]
        if not _is_duplicate(members):
            continue
        chosen = survivors(members, rules)
        found.append(
            Cluster(
                key=len(found) + 1,
                refs=tuple(r.ref for r in members),
                direction=_direction(members),
                band=weakest[root],
                survivors={side: r.ref for side, r in chosen.items()},
                blockers=blockers(members, chosen),
                evidence=tuple(dict.fromkeys(evidence[root])),
            )
        )
    return found
