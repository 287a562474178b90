"""Zoho Accounts (OAuth 2.0): authorisation URL, code exchange, refresh, revoke (§1)."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx

from syncadmin.zoho.errors import oauth_error
from syncadmin.zoho.http import json_body, send
from syncadmin.zoho.types import TokenSet


class AccountsClient:
    def __init__(self, *, http: httpx.Client, client_id: str, client_secret: str) -> None:
        self.http = http
        self.client_id = client_id
        self.client_secret = client_secret

    def authorization_url(
        self, *, accounts_url: str, scopes: list[str], redirect_uri: str, state: str
    ) -> str:
        """Offline access with forced consent, so Zoho always issues a refresh token."""
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "scope": ",".join(scopes),
            "redirect_uri": redirect_uri,
            "access_type": "offline",
            "prompt": "consent",
            "state": state,
        }
        return f"{accounts_url.rstrip('/')}/oauth/v2/auth?{urlencode(query)}"

    def exchange_code(self, *, accounts_url: str, code: str, redirect_uri: str) -> TokenSet:
        """Trade a grant code at the accounts server Zoho named on the callback."""
        return self._token(
            accounts_url,
            grant_type="authorization_code",
            code=code,
            redirect_uri=redirect_uri,
        )

    def refresh(self, *, accounts_url: str, refresh_token: str) -> TokenSet:
        return self._token(accounts_url, grant_type="refresh_token", refresh_token=refresh_token)

    def revoke(self, *, accounts_url: str, refresh_token: str) -> None:
        url = f"{accounts_url.rstrip('/')}/oauth/v2/token/revoke"
        response = send(self.http, "POST", url, params={"token": refresh_token})
        body = json_body(response)
        if body.get("status") != "success":
            raise oauth_error(response.status_code, str(body.get("error", "unknown")))

    def _token(self, accounts_url: str, **params: str) -> TokenSet:
        data = {"client_id": self.client_id, "client_secret": self.client_secret, **params}
        url = f"{accounts_url.rstrip('/')}/oauth/v2/token"
        response = send(self.http, "POST", url, data=data)
        body = json_body(response)
        # Zoho reports token errors in an HTTP 200 body: no access_token means failure.
        if "access_token" not in body:
            error = str(body.get("error", "unknown"))
            raise oauth_error(response.status_code, error, str(body.get("error_description", "")))
        return TokenSet(
            access_token=body["access_token"],
            expires_in=int(body.get("expires_in_sec") or body.get("expires_in") or 3600),
            api_domain=body.get("api_domain", ""),
            scope=body.get("scope", ""),
            refresh_token=body.get("refresh_token"),
        )
