"""Scoring one candidate pair: its evidence, in words, and its band.

The rules, strongest first (the first that applies sets the band):
1. the same CRM id (a link, or two Books customers carrying one CRM account) → certain;
2. different legal forms ("Acme Ltd" / "Acme LLP") are two companies → possible at
   most, likely only with the same tax id;
3. the same normalised name: certain when the legal forms agree, or when one side states
   none and a phone or tax id agrees; likely with the same e-mail; possible otherwise;
4. similar names (≥ SIMILAR): likely with an agreeing tax id, e-mail or phone, else
   possible;
5. any other name with the same tax id (and some name likeness) → likely; the same
   e-mail or phone alone → possible.
A shared role mailbox (accounts@, info@ …) counts as a shared domain: evidence, no band.
"""

from rapidfuzz import fuzz

from .features import Features
from .normalise import forms_compatible
from .records import Band, Pair, Side

SIMILAR = 0.90
# Shared role mailboxes (accounts@, info@ …) say as much as a shared domain, no more.
ROLE_MAILBOXES = frozenset(
    [
        "accounts",
        "account",
        "accountspayable",
        "ap",
        "ar",
        "billing",
        "info",
        "sales",
        "admin",
        "office",
        "contact",
        "hello",
        "enquiries",
        "enquiry",
        "support",
        "finance",
        "invoices",
        "invoice",
        "orders",
        "mail",
        "team",
        "purchase",
        "purchasing",
    ]
)
SOME_LIKENESS = 0.60


def name_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    return max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b)) / 100


def _shared(a: Features, b: Features) -> dict[str, str]:
    shared = {}
    if a.crm_ids & b.crm_ids:
        crm_id = min(a.crm_ids & b.crm_ids)
        if Side.CRM in (a.side, b.side):
            shared["link"] = f"linked by the integration (CRM id {crm_id})"
        else:
            shared["link"] = f"same CRM account id {crm_id}"
    if a.tax_id and a.tax_id == b.tax_id:
        kind = "GSTIN" if len(a.tax_id) == 15 and a.tax_id[:2].isdigit() else "VAT number"
        shared["tax"] = f"same {kind} {a.tax_id}"
    both = a.emails & b.emails
    personal = {e for e in both if e.partition("@")[0] not in ROLE_MAILBOXES}
    if personal:
        shared["email"] = f"same e-mail {min(personal)}"
    elif both:  # accounts@ serves a group of companies, or their agent: a domain at best
        shared["mailbox"] = f"same role mailbox {min(both)}"
    if a.phones & b.phones:
        shared["phone"] = f"same phone {min(a.phones & b.phones)}"
    if a.domains & b.domains:
        shared["domain"] = f"same company domain {min(a.domains & b.domains)}"
    return shared


def _form_words(a: Features, b: Features, fit: str) -> str:
    if fit == "same":
        return f"same legal form ({' '.join(a.form)})" if a.form else ""
    if fit == "missing":
        return "legal form stated on one side only"
    return f"different legal form ({' '.join(a.form)} / {' '.join(b.form)})"


def _band(fit: str, sim: float, shared: dict[str, str]) -> Band | None:
    if "link" in shared:
        return Band.CERTAIN
    strong = "tax" in shared or "phone" in shared
    if fit == "different":
        if "tax" in shared:
            return Band.LIKELY
        return Band.POSSIBLE if sim >= SIMILAR else None
    if sim == 1.0:
        if fit == "same" or strong:
            return Band.CERTAIN
        return Band.LIKELY if "email" in shared else Band.POSSIBLE
    if sim >= SIMILAR:
        return Band.LIKELY if strong or "email" in shared else Band.POSSIBLE
    if "tax" in shared and sim >= SOME_LIKENESS:
        return Band.LIKELY
    if "email" in shared or "phone" in shared or "tax" in shared:
        return Band.POSSIBLE
    return None


def score_pair(a: Features, b: Features, sim: float | None = None) -> Pair | None:
    """The pair with its evidence and band, or None when nothing ties the two. `sim`:
    the name similarity when already known (it depends on the names only)."""
    if sim is None:
        sim = name_similarity(a.key, b.key)
    fit = forms_compatible(a.form, b.form)
    shared = _shared(a, b)
    band = _band(fit, sim, shared)
    if band is None:
        return None
    name = "same normalised name" if sim == 1.0 else f"name similarity {sim:.2f}"
    evidence = [shared.pop("link", ""), name, _form_words(a, b, fit), *shared.values()]
    first, second = (a, b) if a.ref < b.ref else (b, a)
    return Pair(first.ref, second.ref, round(sim, 3), band, tuple(e for e in evidence if e))
