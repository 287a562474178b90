"""A small Books v3 caller for the contract tests (HTTP only, no Django)."""

from typing import Any

import httpx

from tests.sandbox_process import SandboxProcess

ADMIN = "admin@zylker.test"
UK_ORG = "20000001"
IN_ORG = "20000002"
FULL_ACCESS = ["ZohoBooks.fullaccess.all"]


class Books:
    """Calls /books/v3 as one user, adding the auth header and `organization_id`."""

    def __init__(
        self,
        sandbox: SandboxProcess,
        org: str = UK_ORG,
        scopes: list[str] | None = None,
        email: str = ADMIN,
    ) -> None:
        self.sandbox = sandbox
        self.org = org
        self.headers = sandbox.auth(email, scopes or FULL_ACCESS)

    def call(self, method: str, path: str, params: dict | None = None, **kw: Any) -> httpx.Response:
        query = {"organization_id": self.org, **(params or {})}
        headers = {**self.headers, **kw.pop("headers", {})}
        return self.sandbox.client.request(
            method, f"/books/v3/{path}", params=query, headers=headers, **kw
        )

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.call("GET", path, params)

    def post(self, path: str, body: dict | None = None, **params: Any) -> httpx.Response:
        return self.call("POST", path, params, json=body or {})

    def put(self, path: str, body: dict, **params: Any) -> httpx.Response:
        return self.call("PUT", path, params, json=body)

    def delete(self, path: str) -> httpx.Response:
        return self.call("DELETE", path)

    def contact(self, name: str, **body: Any) -> dict:
        """Create a contact (asserting 201) and answer its `contact` object."""
        response = self.post("contacts", {"contact_name": name, **body})
        assert response.status_code == 201, response.text
        return response.json()["contact"]

    def invoice(self, customer_id: str, rate: float = 100, **body: Any) -> dict:
        lines = [{"name": "Consulting", "rate": rate, "quantity": 1}]
        response = self.post("invoices", {"customer_id": customer_id, "line_items": lines, **body})
        assert response.status_code == 201, response.text
        return response.json()["invoice"]

    def names(self, **params: Any) -> list[str]:
        response = self.get("contacts", **params)
        assert response.status_code == 200, response.text
        return [c["contact_name"] for c in response.json()["contacts"]]
