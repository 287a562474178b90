"""Acting as the person at Zoho's consent screen, and wiring connections to the sandbox."""

from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import httpx
from django.utils import timezone

from syncadmin.connections import SCOPES
from syncadmin.models import Connection, ConnectionStatus, Service
from tests.conftest import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET

ADMIN = "admin@zylker.test"
BOOKS_UK = "20000001"


class _ConsentForm(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action, self.hidden = "", {}

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.action = a.get("action", "")
        elif tag == "input" and a.get("type") == "hidden":
            self.hidden[a["name"]] = a.get("value", "")


def consent(auth_url: str, *, decision: str = "approve", user: str = ADMIN) -> str:
    """Open Zoho's consent page at ``auth_url``, decide, and return where Zoho redirects."""
    with httpx.Client() as browser:
        page = browser.get(auth_url)
        assert page.status_code == 200, page.text
        form = _ConsentForm()
        form.feed(page.text)
        base = f"{urlsplit(auth_url).scheme}://{urlsplit(auth_url).netloc}"
        answer = browser.post(
            base + form.action if form.action.startswith("/") else auth_url,
            data={**form.hidden, "user": user, "decision": decision},
        )
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


def local_path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def sandbox_connection(
    sandbox, *, service: str = Service.BOOKS, email: str = ADMIN, **fields
) -> Connection:
    """A connection holding real sandbox tokens, as if connected through the UI."""
    tokens = sandbox.tokens(email, SCOPES[service], client_id=SANDBOX_CLIENT_ID)
    defaults = {
        "organization_id": BOOKS_UK if service == Service.BOOKS else "800000001",
        "organization_name": "Zylker",
        "data_centre": "eu",
        "accounts_server": sandbox.base_url,
        "api_domain": tokens["api_domain"],
        "client_id": SANDBOX_CLIENT_ID,
        "client_secret": SANDBOX_CLIENT_SECRET,
        "refresh_token": tokens["refresh_token"],
        "access_token": tokens["access_token"],
        "access_token_expires_at": timezone.now() + timedelta(seconds=tokens["expires_in"]),
        "status": ConnectionStatus.CONNECTED,
    }
    return Connection.objects.create(service=service, **{**defaults, **fields})
