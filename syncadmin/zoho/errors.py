"""Every Zoho answer that is not a success becomes one of these, classified once, here.

Downstream code keys off the exception class (transient / auth / permanent) and the
stable ``reason`` code, never off raw HTTP statuses or Zoho's numbers. Each reason carries
a one-line explanation and fix for humans (the failure log shows them verbatim).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    TRANSIENT = "transient"  # retry later, with backoff
    AUTH = "auth"  # a person must re-authorise or fix the connection
    PERMANENT = "permanent"  # the same request will fail again until data changes


@dataclass(frozen=True)
class Reason:
    code: str
    kind: Kind
    explanation: str
    fix: str


def _r(code: str, kind: Kind, explanation: str, fix: str) -> Reason:
    return Reason(code, kind, explanation, fix)


T, A, P = Kind.TRANSIENT, Kind.AUTH, Kind.PERMANENT
REASONS: dict[str, Reason] = {
    r.code: r
    for r in [
        _r("display_name_taken", P, "Books already has a customer with this display name.",
           "Link this record to the existing Books customer, or rename one of the two."),
        _r("missing_place_of_supply", P, "Books needs a place of supply for this GST customer.",
           "Fill in the billing state (place of supply) on the CRM record, then push again."),
        _r("missing_gst_treatment", P, "Books needs a GST treatment for a business customer.",
           "Set the GST treatment on the CRM record (e.g. registered business), then push again."),
        _r("missing_vat_treatment", P, "Books needs a VAT treatment for this customer.",
           "Set the VAT treatment on the CRM record (UK, EU VAT registered or overseas), then push again."),
        _r("currency_invalid", P, "The currency is missing or not enabled in this Books organisation.",
           "Enable the currency in Books (Settings › Currencies) or correct it on the CRM record."),
        _r("contact_persons_missing", P, "Books needs a contact person for this customer.",
           "Add a contact (name and email) to the CRM record, then push again."),
        _r("record_gone", P, "The record no longer exists in Zoho (deleted or merged away).",
           "Re-link the mapping to the surviving record, or mark the link superseded."),
        _r("wrong_organisation", A, "The connected user is not a member of this Books organisation.",
           "Reconnect Books and pick an organisation the connecting user belongs to."),
        _r("not_authorised", A, "Zoho refused the operation for this connection (missing scope or permission).",
           "Reconnect with all requested scopes, as a user allowed to do this."),
        _r("token_invalid", A, "The connection's token is no longer valid (user deactivated, password changed or access revoked).",
           "Re-authorise the connection as an active Zoho user; the mapping is kept."),
        _r("client_invalid", A, "Zoho does not accept this app's client id, secret or redirect URI.",
           "Check the client id, secret and redirect URI in the Zoho API console and reconnect."),
        _r("token_throttled", T, "Zoho's accounts server is throttling token requests.",
           "Wait; syncadmin caches tokens and retries later (it clears after ~15–30 minutes)."),
        _r("books_minute_limit", T, "Books' limit of 100 requests per minute for this organisation was hit.",
           "Nothing to do: syncadmin backs off and retries within the budget."),
        _r("books_daily_limit", T, "Books' daily API limit for this organisation's plan is used up.",
           "Wait for the daily reset, or ask Zoho to raise the daily limit."),
        _r("books_concurrency_limit", T, "Too many Books requests were in flight at once.",
           "Nothing to do: syncadmin retries with fewer requests in flight."),
        _r("crm_limit", T, "CRM API credits for the day or the concurrency limit are used up.",
           "Wait for credits to free up; raise the CRM edition's limits if this recurs."),
        _r("record_locked", P, "The record was changed or locked in Zoho since it was read.",
           "Refresh the record and try again; unlock it in CRM if it is under review."),
        _r("invalid_value", P, "Zoho rejected a value in the request.",
           "Correct the value named in Zoho's message on the record, then push again."),
        _r("malformed_request", P, "Zoho could not read the request (malformed JSON).",
           "This is a syncadmin bug: report it with the failure details."),
        _r("rate_limited", T, "Zoho asked syncadmin to slow down.",
           "Nothing to do: syncadmin backs off and retries within the budget."),
        _r("budget_exhausted", T, "syncadmin's API budget for this organisation is spent for now.",
           "Nothing to do: the work resumes when the budget frees up; raise the connection's daily limit if Zoho raised yours."),
        _r("server_error", T, "Zoho answered with a server error.",
           "Nothing to do: syncadmin retries with backoff; check status.zoho.com if it persists."),
        _r("network_error", T, "Zoho could not be reached (timeout or connection error).",
           "Nothing to do: syncadmin retries with backoff; check the network if it persists."),
        _r("unknown", P, "Zoho refused the request for a reason syncadmin does not recognise.",
           "Read Zoho's message below; report it so syncadmin learns this case."),
    ]
}  # fmt: skip


class ZohoError(Exception):
    """A classified Zoho failure. ``reason`` is stable; the rest is Zoho's own words."""

    def __init__(
        self,
        reason: str,
        *,
        zoho_code: str = "",
        zoho_message: str = "",
        http_status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.reason = REASONS[reason]
        self.zoho_code = zoho_code
        self.zoho_message = zoho_message
        self.http_status = http_status
        self.retry_after = retry_after
        super().__init__(f"{reason} ({zoho_code}): {zoho_message or self.reason.explanation}")

    @property
    def transient(self) -> bool:
        return self.reason.kind is Kind.TRANSIENT

    @property
    def fix(self) -> str:
        return self.reason.fix


class TransientZohoError(ZohoError):
    """Retry later with backoff."""


class RateLimited(TransientZohoError):
    """A Zoho limit answered 429 (or its equivalent); the budget should slow down."""


class AuthZohoError(ZohoError):
    """The connection needs a person: re-authorise, reconnect or fix the app."""


class PermanentZohoError(ZohoError):
    """The same request will fail again until the data or configuration changes."""


RATE_LIMIT_REASONS = {"books_minute_limit", "books_daily_limit", "books_concurrency_limit",
                      "crm_limit", "token_throttled", "rate_limited"}  # fmt: skip


def error_for(reason: str, **kwargs) -> ZohoError:
    """The exception of the right class for ``reason``."""
    kind = REASONS[reason].kind
    if reason in RATE_LIMIT_REASONS:
        return RateLimited(reason, **kwargs)
    cls = {Kind.TRANSIENT: TransientZohoError, Kind.AUTH: AuthZohoError}.get(
        kind, PermanentZohoError
    )
    return cls(reason, **kwargs)


# --- Books: numeric ``code`` in every body ------------------------------------------

BOOKS_CODES = {
    3062: "display_name_taken",
    1002: "record_gone",
    6041: "wrong_organisation",
    57: "not_authorised",
    14: "token_invalid",
    44: "books_minute_limit",
    45: "books_daily_limit",
    1070: "books_concurrency_limit",
    1038: "malformed_request",
    1000: "server_error",
}

# Books' codes for edition-specific validation are not documented anywhere we found, so
# these are recognised by what the message talks about (first match wins).
BOOKS_MESSAGE_PATTERNS = [
    (re.compile(r"place of (supply|contact)|place_of_contact", re.I), "missing_place_of_supply"),
    (re.compile(r"gst[ _]treatment", re.I), "missing_gst_treatment"),
    (re.compile(r"vat[ _]treatment", re.I), "missing_vat_treatment"),
    (re.compile(r"currency", re.I), "currency_invalid"),
    (re.compile(r"contact[ _]person", re.I), "contact_persons_missing"),
]


def books_error(http_status: int, code: int, message: str) -> ZohoError:
    reason = BOOKS_CODES.get(code)
    if reason is None:
        reason = next((r for rx, r in BOOKS_MESSAGE_PATTERNS if rx.search(message)), None)
    if reason is None:
        reason = reason_for_status(http_status, default="invalid_value" if code == 2 else "unknown")
    return error_for(reason, zoho_code=str(code), zoho_message=message, http_status=http_status)


# --- CRM: string ``code`` keywords ---------------------------------------------------

CRM_CODES = {
    "INVALID_TOKEN": "token_invalid",
    "AUTHENTICATION_FAILURE": "token_invalid",
    "OAUTH_SCOPE_MISMATCH": "not_authorised",
    "NO_PERMISSION": "not_authorised",
    "AUTHORIZATION_FAILED": "not_authorised",
    "TOO_MANY_REQUESTS": "crm_limit",
    "ALREADY_MODIFIED": "record_locked",
    "RECORD_LOCKED": "record_locked",
    "NOT_APPROVED": "record_locked",
    "INTERNAL_ERROR": "server_error",
}


def crm_error(http_status: int, code: str, message: str) -> ZohoError:
    reason = CRM_CODES.get(code)
    if reason is None and code == "INVALID_DATA" and "id given seems to be invalid" in message:
        reason = "record_gone"
    if reason is None:
        reason = reason_for_status(
            http_status, default="invalid_value" if http_status == 400 else "unknown"
        )
    return error_for(reason, zoho_code=code, zoho_message=message, http_status=http_status)


# --- Accounts (OAuth): ``error`` strings, usually with HTTP 200 ------------------------

OAUTH_ERRORS = {
    "invalid_code": "token_invalid",
    "invalid_grant": "token_invalid",
    "access_denied": "token_throttled",
    "Access Denied": "token_throttled",
    "invalid_client": "client_invalid",
    "invalid_client_secret": "client_invalid",
    "invalid_redirect_uri": "client_invalid",
    "redirect_uri_mismatch": "client_invalid",
}


def oauth_error(http_status: int, error: str, description: str = "") -> ZohoError:
    reason = OAUTH_ERRORS.get(error) or reason_for_status(http_status, default="unknown")
    return error_for(reason, zoho_code=error, zoho_message=description, http_status=http_status)


def reason_for_status(http_status: int, *, default: str) -> str:
    """What an answer means when Zoho's body does not say."""
    if http_status >= 500:
        return "server_error"
    return {401: "token_invalid", 408: "network_error", 429: "rate_limited"}.get(
        http_status, default
    )
