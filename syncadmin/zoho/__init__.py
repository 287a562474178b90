"""Framework-free Zoho clients (Accounts OAuth, CRM v8, Books v3). No Django here.

Build a client with ``crm_client(...)`` / ``books_client(...)``: they wire the shared
``httpx.Client``, a token provider and a budget gate into an ``Api`` for that service.
"""

from __future__ import annotations

import httpx

from syncadmin.zoho import books, crm
from syncadmin.zoho.accounts import AccountsClient
from syncadmin.zoho.books import BooksClient
from syncadmin.zoho.crm import CrmClient
from syncadmin.zoho.http import Api, Gate, TokenProvider, new_http_client


def crm_client(
    *, http: httpx.Client, api_domain: str, tokens: TokenProvider, gate: Gate | None = None
) -> CrmClient:
    base = f"{api_domain.rstrip('/')}/crm/v8"
    return CrmClient(Api(http=http, base_url=base, tokens=tokens, check=crm.check, gate=gate))


def books_client(
    *,
    http: httpx.Client,
    api_domain: str,
    tokens: TokenProvider,
    organization_id: str = "",
    gate: Gate | None = None,
) -> BooksClient:
    base = f"{api_domain.rstrip('/')}/books/v3"
    api = Api(http=http, base_url=base, tokens=tokens, check=books.check, gate=gate)
    return BooksClient(api, organization_id=organization_id)


__all__ = [
    "AccountsClient",
    "BooksClient",
    "CrmClient",
    "books_client",
    "crm_client",
    "new_http_client",
]
