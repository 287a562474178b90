"""Acceptance for issue 11: a planted access token, refresh token and client secret appear
on no page (every URL the resolver knows, every role, full page and htmx fragment), no
Django admin page, no log line at DEBUG, no CSV export and no error page. Our own pages
also carry no inline script or style (the CSP would block them).

The URLs come from the resolver, as in tests/views/test_url_access.py, so a new screen
is scanned without anyone editing this file.
"""

import itertools
import logging
import re

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, get_resolver, reverse

from syncadmin.models import Connection, Service
from tests.conftest import SANDBOX_CLIENT_SECRET, client_for
from tests.factories import (
    AuditEventFactory,
    RecordLinkFactory,
    SyncFailureFactory,
    SyncRunFactory,
    UserFactory,
)
from tests.zoho_helpers import sandbox_connection

pytestmark = pytest.mark.django_db
INLINE_CODE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=\"|\son[a-z]+=\"", re.I)
LOGGERS = ["", "django", "syncadmin", "axes", "celery"]


@pytest.fixture
def planted(zoho, caplog):
    """Two sandbox-backed connections; returns them and the secrets they hold."""
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    books = sandbox_connection(zoho)
    crm = sandbox_connection(zoho, service=Service.CRM)
    link = RecordLinkFactory(books_organization_id=books.organization_id)
    SyncFailureFactory(link=link, crm_record=link.crm_record, run=SyncRunFactory())
    AuditEventFactory()
    return books, crm


def secrets_of(*connections: Connection) -> set[str]:
    found = {SANDBOX_CLIENT_SECRET}
    for connection in connections:
        connection.refresh_from_db()
        found |= {v for v in (connection.access_token, connection.refresh_token) if v}
    return found


def body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def every_url(int_values: list[int], str_values: list[str]) -> list[str]:
    """Every named URL, with each argument tried from the given candidates."""
    resolver, urls = get_resolver(), []
    for name in (n for n in resolver.reverse_dict if isinstance(n, str)):
        for possibility, _pattern, _defaults, converters in resolver.reverse_dict.getlist(name):
            for _, params in possibility:
                options = [
                    int_values if type(converters.get(p)).__name__ == "IntConverter" else str_values
                    for p in params
                ]
                for values in itertools.product(*options):
                    try:
                        urls.append(reverse(name, kwargs=dict(zip(params, values, strict=True))))
                    except NoReverseMatch:
                        continue
    return sorted(set(urls))


def admin_urls() -> list[str]:
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        urls.append(reverse("admin:{}_{}_add".format(*info)))
        for obj in model.objects.all()[:2]:
            for view in ("change", "history", "delete"):
                urls.append(reverse("admin:{}_{}_{}".format(*info, view), args=[obj.pk]))
    return urls


def test_no_secret_on_any_page_log_export_or_error(
    planted, caplog, admin_user, finance_user, sales_user
):
    books, crm = planted
    admin_client = client_for(admin_user)
    # Work that touches the tokens, so the logs have something to say: a health check
    # (with a refresh) of each connection, then a disconnect that revokes.
    Connection.objects.filter(pk=books.pk).update(access_token_expires_at=None)
    for connection in (books, crm):
        admin_client.post(reverse("connection-check", args=[connection.pk]))
    secrets = secrets_of(books, crm)
    assert len(secrets) >= 5

    ints = sorted({books.pk, crm.pk, 1, 999999})
    strs = [books.organization_id, "crm", "books", "x"]
    users = {"admin": admin_user, "finance": finance_user, "sales": sales_user}
    clients = {"anonymous": Client(), **{r: client_for(u) for r, u in users.items()}}
    for client in clients.values():
        client.raise_request_exception = False
    superuser = client_for(UserFactory(username="root", is_staff=True, is_superuser=True))
    superuser.raise_request_exception = False

    leaks, inline = [], []
    pages = [(role, url, {}) for role in clients for url in every_url(ints, strs)]
    pages += [("admin", url, {"HTTP_HX_REQUEST": "true"}) for url in every_url(ints, strs)]
    pages += [(role, "/no-such-page/", {}) for role in clients]
    for role, url, headers in pages:
        response = clients[role].get(url, **headers)
        text = body(response)
        leaks += [(role, url, response.status_code) for s in secrets if s in text]
        if "html" in response.get("Content-Type", "") and INLINE_CODE.search(text):
            inline.append((role, url, INLINE_CODE.search(text).group(0)))
    for url in admin_urls():
        text = body(superuser.get(url))
        leaks += [("superuser", url, "admin") for s in secrets if s in text]

    connections_disconnected = [
        admin_client.post(reverse("connection-disconnect", args=[c.pk])) for c in (books, crm)
    ]
    assert all(r.status_code in (200, 302) for r in connections_disconnected)
    leaks += [("log", record.name, "") for record in caplog.records
              for s in secrets if s in record.getMessage()]  # fmt: skip

    assert not leaks, leaks
    assert not inline, inline
    assert len(pages) > 100  # the scan really walked the site


def test_no_secret_in_sql_logged_with_debug_on(zoho, caplog, settings, admin_client_):
    # With DEBUG on, Django logs every query with its parameters: only ciphertext may show.
    settings.DEBUG = True
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    books = sandbox_connection(zoho)
    Connection.objects.filter(pk=books.pk).update(access_token_expires_at=None)
    admin_client_.post(reverse("connection-check", args=[books.pk]))
    secrets = secrets_of(books)
    admin_client_.post(reverse("connection-disconnect", args=[books.pk]))

    assert any("syncadmin_connection" in r.getMessage() for r in caplog.records)
    assert not [s for s in secrets for r in caplog.records if s in r.getMessage()]
