"""Zoho's published limits as pure functions (zoho-api.md §2.8, §3.10)."""

from .models.books import BooksOrg, BooksPlan
from .models.crm import CrmEdition, CrmOrg

BOOKS_PER_MINUTE = 100
_BOOKS_DAILY = {
    BooksPlan.FREE: 1_000,
    BooksPlan.STANDARD: 2_000,
    BooksPlan.PROFESSIONAL: 5_000,
    BooksPlan.PREMIUM: 10_000,
    BooksPlan.ELITE: 10_000,
    BooksPlan.ULTIMATE: 10_000,
}

# edition: (base credits, per licensed user, maximum or None, concurrency)
_CRM = {
    CrmEdition.FREE: (5_000, 0, 5_000, 5),
    CrmEdition.STANDARD: (50_000, 250, 100_000, 10),
    CrmEdition.PROFESSIONAL: (50_000, 500, 3_000_000, 15),
    CrmEdition.ENTERPRISE: (50_000, 1_000, 5_000_000, 20),
    CrmEdition.ULTIMATE: (50_000, 2_000, None, 25),
}
CRM_HEAVY_CONCURRENCY = 10  # search, COQL … sub-limit


def books_daily_cap(org: BooksOrg) -> int:
    return org.daily_cap_override or _BOOKS_DAILY[BooksPlan(org.plan)]


def books_concurrency(org: BooksOrg) -> int:
    return 5 if org.plan == BooksPlan.FREE else 10


def crm_daily_credits(org: CrmOrg) -> int:
    base, per_user, ceiling, _ = _CRM[CrmEdition(org.edition)]
    credits = base + per_user * org.licensed_users
    return min(credits, ceiling) if ceiling else credits


def crm_concurrency(org: CrmOrg) -> int:
    return _CRM[CrmEdition(org.edition)][3]
