"""What Zoho's native first sync would do with the two sides as they are today.

The first run after connecting (or a disconnect + reconnect, which wipes the hidden id
map) walks the CRM records oldest first and pairs each with the Books customer of exactly
the same display name: as typed in CRM, untrimmed, case counting. A customer pairs once.
Anything unpaired becomes a new Books customer, unless its trimmed name is already taken
(Books compares ignoring ASCII case, or exactly), which fails with 3062. So:

* "pair"        – linked to `books_id`, no new customer;
* "create"      – a new Books customer: a duplicate when the party is already in Books
                  under another spelling (Books may still refuse the record's data, e.g. a
                  missing place of supply: that is not a naming question);
* "name_clash"  – fails with 3062 against `books_id` (or a record created earlier in the
                  same run, `crm:<id>`);
* `ambiguous`   – more than one CRM record wants the same Books customer: the oldest
                  pairs, the others clash or create.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from .records import MatchResult, Record, Side

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
MAX_NAME = 200


@dataclass(frozen=True, slots=True)
class NativeOutcome:
    crm_id: str
    outcome: str  # pair / create / name_clash / refused
    books_id: str = ""
    ambiguous: bool = False
    reason: str = ""


def _key(name: str, name_match: str) -> str:
    return name if name_match == "exact" else name.translate(_ASCII_LOWER)


def predict_first_sync(
    crm: Sequence[Record],
    books: Sequence[Record],
    *,
    name_match: str = "normalised",
    customers_only: bool = True,
) -> list[NativeOutcome]:
    """One outcome per CRM record, in the order the sync meets them (created, id)."""
    customers = [b for b in books if not customers_only or b.contact_type == "customer"]
    exact = {b.name: b.id for b in customers}
    owner = {_key(b.name, name_match): b.id for b in customers}
    wanted: dict[str, int] = {}
    for record in crm:
        if record.name in exact:
            wanted[exact[record.name]] = wanted.get(exact[record.name], 0) + 1
    paired: set[str] = set()
    outcomes = []
    for record in sorted(crm, key=lambda r: (r.created, r.id)):
        match = exact.get(record.name)
        ambiguous = match is not None and wanted[match] > 1
        if match is not None and match not in paired:
            paired.add(match)
            reason = f'exact name "{record.name}"'
            outcomes.append(NativeOutcome(record.id, "pair", match, ambiguous, reason))
            continue
        outcomes.append(_unpaired(record, owner, name_match, ambiguous))
    return outcomes


def _unpaired(record: Record, owner: dict[str, str], name_match: str, ambiguous: bool):
    name = record.name.strip()
    if not name or len(name) > MAX_NAME:
        return NativeOutcome(record.id, "refused", "", ambiguous, "invalid contact_name")
    holder = owner.get(_key(name, name_match))
    if holder is not None:
        reason = f'3062: "{name}" already exists'
        return NativeOutcome(record.id, "name_clash", holder, ambiguous, reason)
    owner[_key(name, name_match)] = f"{Side.CRM}:{record.id}"
    return NativeOutcome(record.id, "create", "", ambiguous, "no Books customer of that name")


def duplicates_after_reconnect(
    outcomes: Sequence[NativeOutcome], result: MatchResult
) -> dict[str, tuple[str, ...]]:
    """CRM id → the Books customers (refs) already standing for that party, for every
    record the first sync would create anew: the duplicates a reconnect would make today.
    "Standing for" = linked to it (`zcrm_account_id`) or in its duplicate cluster."""
    cluster_of = result.cluster_of()
    linked: dict[str, list[str]] = {}
    for record in result.records.values():
        if record.side == Side.BOOKS and record.crm_link:
            linked.setdefault(record.crm_link.removeprefix("zcrm_"), []).append(record.ref)
    found = {}
    for outcome in outcomes:
        if outcome.outcome != "create":
            continue
        cluster = cluster_of.get(f"{Side.CRM}:{outcome.crm_id}")
        books = set(linked.get(outcome.crm_id, []))
        if cluster is not None:
            books.update(ref for ref in cluster.refs if ref.startswith(f"{Side.BOOKS}:"))
        if books:
            found[outcome.crm_id] = tuple(sorted(books))
    return found
