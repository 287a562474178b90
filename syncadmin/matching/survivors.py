"""Which copy survives a merge, and what stands in the way of merging.

Rules are explicit, ordered and configurable; each is a named sort key, applied in order
(the first that separates two copies decides), with the id as the last tie-breaker."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .records import Record, Side

# rule name → (sort key, descending?)
RULES: dict[str, tuple[Callable[[Record], object], bool]] = {
    "transactions": (lambda r: r.has_transactions, True),  # Books: invoices, payments
    "crm_linked": (lambda r: bool(r.crm_link), True),
    "oldest": (lambda r: r.created or "~", False),
    "deals": (lambda r: r.deals > 0, True),  # CRM: pipeline history
    "most_deals": (lambda r: r.deals, True),
    "most_recent": (lambda r: r.modified or "", True),
    "active": (lambda r: r.status.lower() != "inactive", True),
}


@dataclass(frozen=True, slots=True)
class SurvivorRules:
    books: tuple[str, ...] = ("transactions", "crm_linked", "oldest")
    crm: tuple[str, ...] = ("deals", "most_recent")

    def __post_init__(self) -> None:
        unknown = set(self.books + self.crm) - set(RULES)
        if unknown:
            raise ValueError(f"unknown survivor rules: {', '.join(sorted(unknown))}")


def survivor(records: Sequence[Record], rules: Sequence[str]) -> Record:
    ordered = sorted(records, key=lambda r: r.id)
    for name in reversed(rules):  # stable sorts, last rule first: the first rule wins
        key, descending = RULES[name]
        ordered.sort(key=key, reverse=descending)
    return ordered[0]


def survivors(records: Sequence[Record], rules: SurvivorRules) -> dict[str, Record]:
    """side → the record that survives on that side (the only one, when alone)."""
    chosen = {}
    for side, side_rules in ((Side.BOOKS, rules.books), (Side.CRM, rules.crm)):
        mine = [r for r in records if r.side == side]
        if mine:
            chosen[side.value] = survivor(mine, side_rules)
    return chosen


def blockers(records: Sequence[Record], chosen: dict[str, Record]) -> tuple[str, ...]:
    """What must be settled before the copies can be merged, in words."""
    found = []
    currencies = sorted({r.currency.upper() for r in records if r.currency})
    if len(currencies) > 1:
        found.append(f"different currencies: {' / '.join(currencies)}")
    books = [r for r in records if r.side == Side.BOOKS]
    with_tx = [r for r in books if r.has_transactions]
    if len(with_tx) > 1:
        found.append(
            f"{len(with_tx)} Books copies have transactions: re-point them to the survivor"
        )
    types = sorted({r.contact_type.lower() for r in books if r.contact_type})
    if len(types) > 1:
        found.append(f"customer and vendor: {' / '.join(types)}")
    for side, record in chosen.items():
        if record.status.lower() == "inactive":
            found.append(f"the {side} survivor {record.id} is inactive")
    return tuple(found)
