"""Selectors and the knob form behind the sandbox admin page (`GET /_sandbox/`). Read-only
views of the state; the page's buttons go through the control API."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import Count, Sum

from . import clock, knobs, limits
from .models import (
    ApiCall,
    BooksContact,
    BooksInvoice,
    BooksOrg,
    CrmOrg,
    CrmRecord,
    Knobs,
    NativeSyncRun,
    SandboxUser,
    WebhookDelivery,
)
from .models.control import Service

RECENT = 20


class KnobsForm(forms.ModelForm):
    """Every Knobs field, with the model's own validation (choices, ranges)."""

    class Meta:
        model = Knobs
        # every knob, including ones other sandbox areas add later
        fields = [f.name for f in Knobs._meta.concrete_fields if not f.primary_key]


@dataclass
class CrmOrgState:
    org: CrmOrg
    records: dict[str, int]
    credits_used_24h: int
    credits_per_day: int


@dataclass
class BooksOrgState:
    org: BooksOrg
    contacts: int
    invoices: int
    requests_last_minute: int
    requests_today: int
    daily_cap: int


@dataclass
class AdminState:
    now: datetime
    crm_orgs: list[CrmOrgState] = field(default_factory=list)
    books_orgs: list[BooksOrgState] = field(default_factory=list)
    users: list[SandboxUser] = field(default_factory=list)
    refusals: list[dict] = field(default_factory=list)
    webhook_deliveries: list[WebhookDelivery] = field(default_factory=list)
    sync_runs: list[NativeSyncRun] = field(default_factory=list)


def admin_state() -> AdminState:
    """Everything the admin page shows, read at one sandbox instant."""
    now = clock.now()
    return AdminState(
        now=now,
        crm_orgs=[_crm_org_state(org, now) for org in CrmOrg.objects.order_by("org_id")],
        books_orgs=[
            _books_org_state(org, now) for org in BooksOrg.objects.order_by("organization_id")
        ],
        users=list(SandboxUser.objects.order_by("email")),
        refusals=_refusals(now),
        webhook_deliveries=list(
            WebhookDelivery.objects.select_related("rule").order_by("-created_at", "-id")[:RECENT]
        ),
        sync_runs=list(
            NativeSyncRun.objects.select_related("books_org").order_by("-started_at", "-id")[
                :RECENT
            ]
        ),
    )


def _crm_org_state(org: CrmOrg, now: datetime) -> CrmOrgState:
    records = dict(
        CrmRecord.objects.filter(org=org, deleted_time__isnull=True)
        .values_list("module")
        .annotate(n=Count("id"))
        .order_by("module")
    )
    used = ApiCall.objects.filter(
        service=Service.CRM, org_id=org.org_id, at__gte=now - timedelta(hours=24)
    ).aggregate(s=Sum("credits"))["s"]
    per_day = knobs.get().crm_daily_credits or limits.crm_daily_credits(org)
    return CrmOrgState(org, records, used or 0, per_day)


def _books_org_state(org: BooksOrg, now: datetime) -> BooksOrgState:
    midnight = now.astimezone(ZoneInfo(org.time_zone)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    calls = ApiCall.objects.filter(service=Service.BOOKS, org_id=org.organization_id)
    return BooksOrgState(
        org=org,
        contacts=BooksContact.objects.filter(org=org).count(),
        invoices=BooksInvoice.objects.filter(org=org).count(),
        requests_last_minute=calls.filter(at__gte=now - timedelta(minutes=1)).count(),
        requests_today=calls.filter(at__gte=midnight).count(),
        daily_cap=knobs.get().books_daily_cap or limits.books_daily_cap(org),
    )


def _refusals(now: datetime) -> list[dict]:
    """429 answers in the last 24 h by service, org and code (44/45/1070, TOO_MANY_…)."""
    return list(
        ApiCall.objects.filter(http_status=429, at__gte=now - timedelta(hours=24))
        .values("service", "org_id", "code")
        .annotate(count=Count("id"))
        .order_by("service", "org_id", "code")
    )
