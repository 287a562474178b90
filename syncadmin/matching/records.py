"""The plain data matching works on and hands back. No Django, no HTTP."""

from dataclasses import dataclass, field
from enum import StrEnum


class Side(StrEnum):
    BOOKS = "books"
    CRM = "crm"


class Band(StrEnum):
    """How sure a pair is. Clusters are built from certain and likely pairs only;
    possible pairs are shown for review but never merged on their own."""

    CERTAIN = "certain"
    LIKELY = "likely"
    POSSIBLE = "possible"

    @property
    def rank(self) -> int:
        return {"certain": 3, "likely": 2, "possible": 1}[self.value]


@dataclass(frozen=True, slots=True)
class Record:
    """One Books contact or one CRM record (Account or Contact), as plain values.

    `crm_link` is, on a Books contact, the CRM account (or contact) id it carries
    (`zcrm_account_id`); empty when the contact is not linked. Times are ISO-8601 strings
    (compared as strings, so give them in one time zone)."""

    side: Side
    id: str
    name: str
    company_name: str = ""
    first_name: str = ""
    last_name: str = ""
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    website: str = ""
    tax_id: str = ""  # GSTIN or VAT number
    currency: str = ""
    status: str = "active"
    contact_type: str = "customer"  # Books: customer / vendor
    crm_link: str = ""
    has_transactions: bool = False
    deals: int = 0  # CRM: pipeline history
    created: str = ""
    modified: str = ""  # CRM: the last activity we know of
    region: str = ""  # ISO country for national phone numbers ("IN", "GB")
    is_person: bool = False  # a CRM Contact / individual customer

    @property
    def ref(self) -> str:
        """Unique across both systems."""
        return f"{self.side}:{self.id}"


@dataclass(frozen=True, slots=True)
class Pair:
    """A scored candidate pair with the reasons for its band."""

    a: str  # Record.ref, a < b
    b: str
    score: float  # 0..1
    band: Band
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Cluster:
    """Records that are one party. `direction` says where the extra copies are:
    "books" (two or more Books customers), "crm" (two or more CRM records) or "both"
    (copies on both sides, or one CRM record and one Books customer not linked)."""

    key: int
    refs: tuple[str, ...]
    direction: str
    band: Band  # the weakest link that holds the cluster together
    survivors: dict[str, str] = field(default_factory=dict)  # side → ref
    blockers: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BlockingStats:
    records: int
    candidates: int  # distinct pairs scored
    brute_force_pairs: int  # what comparing every pair would have cost
    by_source: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # per stage, wall clock


@dataclass(frozen=True, slots=True)
class MatchResult:
    records: dict[str, Record]  # ref → record
    pairs: list[Pair]  # every scored pair of band possible or better
    clusters: list[Cluster]
    stats: BlockingStats

    def cluster_of(self) -> dict[str, Cluster]:
        return {ref: c for c in self.clusters for ref in c.refs}
