"""What one organisation may spend, and how the spending is counted.

Zoho does not say which plan or edition an organisation is on; the admin does. A Books plan
sets the daily cap (zoho-api.md §3.10), a CRM edition the credits per rolling 24 h and the
concurrency (§2.8). An unknown plan is an error: guessing "standard" would spend against a
cap the organisation may not have.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

Service = Literal["books", "crm"]

BOOKS_DAILY_CAPS = {
    "free": 1_000,
    "standard": 2_000,
    "professional": 5_000,
    "premium": 10_000,
    "elite": 10_000,
    "ultimate": 10_000,
}
CRM_EDITIONS = {  # edition → (credits per 24 h, concurrency)
    "free": (5_000, 5),
    "standard": (50_000, 10),
    "professional": (50_000, 15),
    "enterprise": (50_000, 20),
    "ultimate": (50_000, 25),
}
PLANS: dict[str, tuple[str, ...]] = {
    "books": tuple(BOOKS_DAILY_CAPS),
    "crm": tuple(CRM_EDITIONS),
}
CRM_CREDIT_BUCKET_SECONDS = 600
DAY_SECONDS = 86_400


class UnknownPlan(ValueError):
    """A plan or edition the service does not have; the message names the valid ones."""

    def __init__(self, service: str, plan: str) -> None:
        valid = ", ".join(PLANS.get(service, ()))
        super().__init__(f"Unknown {service} plan {plan!r}; valid plans: {valid}.")
        self.service, self.plan = service, plan


BACKGROUND_LANES = ("reconcile", "cleanup", "backfill")


def minute_allowance(per_minute: int, lane: str) -> int:
    """How many of the minute's calls ``lane`` may take. Background lanes leave a tenth
    of the minute to interactive and real-time work: lane priority alone decides only who
    gets the next free call, so a reconcile that spent the whole minute made a "Push now"
    or a new CRM record wait for that minute to pass."""
    if lane in BACKGROUND_LANES:
        return per_minute - per_minute // 10
    return per_minute


@dataclass(frozen=True)
class Limits:
    """What one organisation may spend. Zero means "no such limit"."""

    per_minute: int = 0  # requests per ``window_seconds`` (Books)
    window_seconds: float = 61.0
    daily_cap: int = 0  # requests per UTC day (Books)
    credits: int = 0  # credits per rolling 24 h (CRM)
    concurrency: int = 10
    lease_seconds: float = 60.0  # longer than any HTTP timeout: a lease outlives its request

    @classmethod
    def books(
        cls, *, plan: str = "standard", daily_cap: int | None = None, per_minute: int = 100
    ) -> Limits:
        """Books' published limits for ``plan``; ``daily_cap`` when Zoho raised it."""
        cap = daily_cap or BOOKS_DAILY_CAPS[plan]
        return cls(per_minute=per_minute, daily_cap=cap, concurrency=5 if plan == "free" else 10)

    @classmethod
    def crm(cls, *, credits: int = 50_000, concurrency: int = 10) -> Limits:
        """CRM credits per 24 h and concurrency; set them from the org's edition (§2.8)."""
        return cls(credits=credits, concurrency=concurrency)


def plans_for(service: Service) -> tuple[str, ...]:
    """The plans (Books) or editions (CRM) ``service`` has, cheapest first."""
    if service not in PLANS:
        raise ValueError(f"unknown service {service!r}; one of {tuple(PLANS)}")
    return PLANS[service]


def limits_for(
    service: Service, plan: str, daily_limit: int | None = None, *, books_per_minute: int = 100
) -> Limits:
    """The limits of ``plan`` on ``service``; ``daily_limit`` (Books requests or CRM
    credits per day) when Zoho raised the plan's figure, ``books_per_minute`` likewise.
    Raises ``UnknownPlan`` for a plan the service does not have, never falls back to a
    default."""
    if plan not in plans_for(service):
        raise UnknownPlan(service, plan)
    if service == "books":
        return Limits.books(plan=plan, daily_cap=daily_limit, per_minute=books_per_minute)
    credits, concurrency = CRM_EDITIONS[plan]
    return Limits.crm(credits=daily_limit or credits, concurrency=concurrency)


def default_limits(service: Service) -> Limits:
    return Limits.books() if service == "books" else Limits.crm()


@dataclass(frozen=True)
class Usage:
    """One organisation's budget right now (for the dashboard). For CRM, ``used_today`` and
    ``daily_cap`` are credits in the rolling 24 h."""

    used_this_minute: int
    used_today: int
    in_flight: int
    limit_per_minute: int
    daily_cap: int
    blocked_until: datetime | None
    waiting: dict[str, int]

    @classmethod
    def counted(
        cls,
        limits: Limits,
        now: float,
        *,
        minute: int,
        day: int,
        credits: dict[int, int],
        in_flight: int,
        blocks: list[float],
        waiting: dict[str, int],
    ) -> Usage:
        """The usage a store counted, in the limits' terms (credits for CRM)."""
        blocked = max((b for b in blocks if b > now), default=None)
        crm = limits.credits > 0
        return cls(
            used_this_minute=minute,
            used_today=credits_used(credits, now) if crm else day,
            in_flight=in_flight,
            limit_per_minute=limits.per_minute,
            daily_cap=limits.credits if crm else limits.daily_cap,
            blocked_until=datetime.fromtimestamp(blocked, UTC) if blocked else None,
            waiting=waiting,
        )


def kept_buckets(buckets: dict[int, int], now: float) -> dict[int, int]:
    """The credit buckets that may hold calls of the last 24 h: a bucket is forgotten only
    once its newest possible call is older than 24 h."""
    current = math.floor(now / CRM_CREDIT_BUCKET_SECONDS)
    oldest_kept = current - DAY_SECONDS // CRM_CREDIT_BUCKET_SECONDS - 1
    return {b: v for b, v in buckets.items() if b > oldest_kept}


def credits_used(buckets: dict[int, int], now: float) -> int:
    return sum(kept_buckets(buckets, now).values())
