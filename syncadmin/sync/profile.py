"""Which connections serve a Books organisation, and the clients every sync path uses."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from syncadmin import budget
from syncadmin.connections import books_for, crm_for
from syncadmin.models import Connection, ConnectionStatus, Service, SyncSettings
from syncadmin.zoho import BooksClient, CrmClient
from syncadmin.zoho.errors import ZohoError


class NotConnected(Exception):
    """The organisation has no working CRM or Books connection; nothing can be sent."""


@dataclass(frozen=True)
class OrgClients:
    settings: SyncSettings
    crm: CrmClient
    books: BooksClient


def sync_settings_ensure(*, books_organization_id: str) -> SyncSettings:
    """The organisation's sync settings, created on first use with a fresh webhook secret
    and bound to its Books connection and the connected CRM connection."""
    found, created = SyncSettings.objects.select_related(
        "crm_connection", "books_connection"
    ).get_or_create(
        books_organization_id=books_organization_id,
        defaults={"webhook_secret": secrets.token_urlsafe(32)},
    )
    changed = _bind(found, books_organization_id)
    if changed:
        found.save(update_fields=[*changed, "updated_at"])
    if created or not found.books_country:
        sync_settings_learn_country(found)
    return found


def sync_settings_learn_country(settings: SyncSettings) -> None:
    """Ask Books for the organisation's country (its mandatory tax fields). Best effort:
    without a working connection it stays unknown and is asked again next time."""
    books = settings.books_connection
    if books is None or books.status != ConnectionStatus.CONNECTED:
        return
    try:
        orgs = books_for(books, organization_id="", lane="interactive").organizations()
    except ZohoError:
        return
    org = next((o for o in orgs if o.organization_id == settings.books_organization_id), None)
    if org and org.country:
        settings.books_country = org.country
        SyncSettings.objects.filter(pk=settings.pk).update(books_country=org.country)


def _bind(found: SyncSettings, books_organization_id: str) -> list[str]:
    changed = []
    if found.books_connection_id is None:
        found.books_connection = Connection.objects.filter(
            service=Service.BOOKS, organization_id=books_organization_id
        ).first()
        changed.append("books_connection")
    if found.crm_connection_id is None:
        found.crm_connection = (
            Connection.objects.filter(service=Service.CRM)
            .exclude(organization_id="")
            .order_by("-status", "pk")  # a connected one first
            .first()
        )
        changed.append("crm_connection")
    return [f for f in changed if getattr(found, f"{f}_id") is not None]


def org_clients(settings: SyncSettings, *, lane: budget.Lane = "realtime") -> OrgClients:
    """CRM and Books clients for the organisation, spending from its shared budget.

    Raises ``NotConnected`` when either side is missing or not connected, so callers
    record a visible failure instead of calling Zoho with a dead connection.
    """
    crm, books = settings.crm_connection, settings.books_connection
    for side, connection in (("CRM", crm), ("Books", books)):
        if connection is None or connection.status != ConnectionStatus.CONNECTED:
            raise NotConnected(f"Zoho {side} is not connected for this organisation.")
    return OrgClients(
        settings=settings,
        crm=crm_for(crm, lane=lane),
        books=books_for(books, organization_id=settings.books_organization_id, lane=lane),
    )


def sync_settings_list() -> list[SyncSettings]:
    """Every organisation syncadmin syncs, with its connections."""
    return list(
        SyncSettings.objects.select_related("crm_connection", "books_connection").order_by(
            "books_organization_id"
        )
    )
