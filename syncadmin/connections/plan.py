"""A connection's plan: which Books plan or CRM edition its organisation is on.

Zoho does not tell us; the admin does, on the Connections screen, and the shared API budget
spends accordingly (``connection_limits``).
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from syncadmin import budget, services
from syncadmin.connections.clients import connection_limits
from syncadmin.models import Connection, Service


def connection_plan_set(
    *,
    connection: Connection,
    plan: str,
    daily_limit: int | None,
    actor: AbstractBaseUser | None,
) -> Connection:
    """Set the plan (and, when Zoho raised it, the daily limit) the budget spends by.

    Guarantees: a plan the service does not have raises ``budget.UnknownPlan`` and nothing
    is saved; only ``plan`` and ``daily_limit`` are written (tokens and status stay as
    others left them); every change leaves one audit event with before and after, and
    saving the same values again changes and records nothing.
    """
    limits = budget.limits_for(connection.service, plan, daily_limit)
    before = {"plan": connection.plan, "daily_limit": connection.daily_limit}
    after = {"plan": plan, "daily_limit": daily_limit}
    if before == after:
        return connection
    with transaction.atomic():
        connection.plan, connection.daily_limit = plan, daily_limit
        connection.updated_at = timezone.now()
        connection.save(update_fields=["plan", "daily_limit", "updated_at"])
        services.audit_record(
            actor=actor,
            action="connection.plan",
            target_type="connection",
            target_id=connection.pk,
            target_label=str(connection),
            before=before,
            after=after,
            note=f"The budget now allows {limits_text(limits)}.",
        )
    return connection


def limits_text(limits: budget.Limits) -> str:
    """The limits in words, for people: "5000 requests per UTC day, 100 per minute, …"."""
    if limits.credits:
        return f"{limits.credits} credits per 24 h, {limits.concurrency} calls at once"
    return (
        f"{limits.daily_cap} requests per UTC day, {limits.per_minute} per minute, "
        f"{limits.concurrency} at once"
    )


class ConnectionPlanForm(forms.Form):
    """The plan of one connection, limited to its service's plans (or CRM editions)."""

    plan = forms.ChoiceField()
    daily_limit = forms.IntegerField(
        label="Raised daily limit",
        required=False,
        min_value=1,
        # Only when Zoho raised the plan's figure (Books requests or CRM credits per day).
        widget=forms.NumberInput(attrs={"placeholder": "the plan's own"}),
    )

    saved = False  # the view sets it after a save, so the fragment can say so

    def __init__(self, *args, connection: Connection, **kwargs) -> None:
        plans = budget.plans_for(connection.service)
        initial = {"plan": connection.plan if connection.plan in plans else None}
        initial["daily_limit"] = connection.daily_limit
        super().__init__(*args, initial=initial, prefix=f"plan-{connection.pk}", **kwargs)
        self.connection = connection
        self.fields["plan"].choices = [(p, p.title()) for p in plans]
        self.fields["plan"].label = "Edition" if connection.service == Service.CRM else "Plan"

    def current_limits(self) -> str:
        """What the budget allows by the saved plan, or why it cannot tell."""
        try:
            return limits_text(connection_limits(self.connection))
        except budget.UnknownPlan as exc:
            return str(exc)
