"""Drive the sandbox's Zoho Accounts server as a browser and a client would (zoho-api.md §1)."""

from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.sandbox_process import SandboxProcess

CLIENT_ID = "1000.SANDBOXCLIENT00000000000000000"
CLIENT_SECRET = "sandbox-client-secret"
REDIRECT_URI = "http://127.0.0.1:8000/connections/oauth/callback/"
ADMIN = "admin@zylker.test"
SYNC = "sync@zylker.test"
SCOPES = ["ZohoCRM.users.READ", "ZohoBooks.settings.READ"]


class FormParser(HTMLParser):
    """The inputs, select options and submit buttons of the HTML forms on a page."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden: dict[str, str] = {}
        self.options: list[str] = []
        self.buttons: dict[str, str] = {}  # value → label-less marker
        self.action = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.action = a.get("action", "")
        elif tag == "input" and a.get("type") == "hidden":
            self.hidden[a["name"]] = a.get("value", "")
        elif tag == "option":
            self.options.append(a.get("value", ""))
        elif tag == "button" and a.get("name") == "decision":
            self.buttons[a["value"]] = a["name"]


def auth_params(**over: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": ",".join(SCOPES),
        "access_type": "offline",
        "prompt": "consent",
        "state": "st-42",
    }
    return {k: v for k, v in {**params, **over}.items() if v is not None}


def consent_page(sandbox: SandboxProcess, **over: str) -> tuple[httpx.Response, FormParser]:
    response = sandbox.client.get("/oauth/v2/auth", params=auth_params(**over))
    form = FormParser()
    form.feed(response.text)
    return response, form


def decide(
    sandbox: SandboxProcess, decision: str = "approve", user: str = ADMIN, **over: str
) -> dict[str, str]:
    """Open the consent page, submit its form as a person would, and answer the callback's
    query parameters (the redirect is not followed: the product is not running)."""
    page, form = consent_page(sandbox, **over)
    assert page.status_code == 200, page.text
    response = sandbox.client.post(
        form.action, data={**form.hidden, "user": user, "decision": decision}
    )
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(over.get("redirect_uri", REDIRECT_URI))
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def code_for(sandbox: SandboxProcess, user: str = ADMIN, **over: str) -> str:
    return decide(sandbox, user=user, **over)["code"]


def exchange(sandbox: SandboxProcess, code: str, **over: str) -> httpx.Response:
    data = {
        "grant_type": "authorization_code",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uri": REDIRECT_URI,
        "code": code,
    }
    return sandbox.client.post("/oauth/v2/token", data={**data, **over})


def refresh(sandbox: SandboxProcess, refresh_token: str, **over: str) -> httpx.Response:
    data = {
        "grant_type": "refresh_token",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "refresh_token": refresh_token,
    }
    return sandbox.client.post("/oauth/v2/token", data={**data, **over})


def offline_tokens(sandbox: SandboxProcess, user: str = ADMIN) -> dict:
    """A token answer with a refresh token, through the real consent flow."""
    return exchange(sandbox, code_for(sandbox, user=user)).json()


def crm_current_user(sandbox: SandboxProcess, access_token: str) -> httpx.Response:
    headers = {"Authorization": f"Zoho-oauthtoken {access_token}"}
    return sandbox.client.get("/crm/v8/users", params={"type": "CurrentUser"}, headers=headers)


def books_organizations(sandbox: SandboxProcess, access_token: str) -> httpx.Response:
    headers = {"Authorization": f"Zoho-oauthtoken {access_token}"}
    return sandbox.client.get("/books/v3/organizations", headers=headers)
