"""Why a record did not sync, in words an admin can act on.

The Zoho error taxonomy (``syncadmin.zoho.errors.REASONS``) covers what Zoho answers; this
catalogue adds what syncadmin itself decides (a paused record, a look-alike held for
review, a write-back field that is missing …). Every failure row carries one code from here.
"""

from __future__ import annotations

from syncadmin.zoho.errors import REASONS as ZOHO_REASONS
from syncadmin.zoho.errors import Kind, Reason

T, A, P = Kind.TRANSIENT, Kind.AUTH, Kind.PERMANENT

SYNC_REASONS: dict[str, Reason] = {
    r.code: r
    for r in [
        Reason("missing_currency", P, "The CRM record has no currency and this Books organisation needs one for a foreign customer.",
               "Set the currency on the CRM record (or in the form here), then retry."),
        Reason("paused", P, "Sync is paused for this record or for the whole organisation.",
               "Resume the record (or the organisation) when it should sync again."),
        Reason("out_of_scope", P, "The record is outside the sync scope set in Settings (e.g. not ticked \"Sync to Books\").",
               "Change the record so it is in scope, or widen the scope in Settings."),
        Reason("needs_review", P, "Books already has a customer that looks like this record, but not surely the same party.",
               "Open the record and link it to the existing customer, or push it as a new customer."),
        Reason("native_duplicate", P, "Zoho's native integration created a second Books customer for a record syncadmin had already pushed.",
               "In Books › Settings › Integrations › Zoho CRM set duplicate handling to Skip (or sync a selective view), then deactivate the extra copy."),
        Reason("orphaned_link", P, "One side of this link no longer exists (deleted, inactive or merged away).",
               "Relink to the surviving record, or unlink if the customer is gone for good."),
        Reason("crossed_mapping", P, "One Books customer is linked to two CRM records (an account and a contact, or two of the same kind).",
               "Decide which CRM record the customer belongs to and unlink the other."),
        Reason("writeback_field_missing", P, "CRM has no field to hold the Books customer id, so CRM users cannot see the link.",
               "In CRM › Setup › Modules › Accounts (and Contacts) add a single-line field named \"Books Contact ID\" (API name Books_Contact_ID)."),
        Reason("webhook_missing", P, "No CRM workflow webhook or notification channel is delivering changes, so pushes wait for the next reconcile.",
               "Add a workflow rule on create/edit with a webhook to the URL shown in Settings, or let syncadmin renew its notification channel."),
        Reason("not_connected", A, "Zoho CRM or Books is not connected (or needs re-authorisation) for this organisation.",
               "Open Connections and connect or re-authorise; nothing is lost meanwhile."),
        Reason("plan_unknown", A, "The connection's plan is not one Zoho offers, so syncadmin cannot tell its API limits.",
               "Set the plan on Connections."),
        Reason("account_not_in_books", T, "This CRM contact belongs to an account that is not a Books customer yet.",
               "Nothing to do: it is retried after the account is pushed (push the account now to hurry it)."),
        Reason("invalid_record", P, "The CRM record cannot become a Books customer as it is (no name, or an id Zoho never issues).",
               "Fix the record in CRM; syncadmin retries when it changes."),
    ]
}  # fmt: skip

REASONS: dict[str, Reason] = {**ZOHO_REASONS, **SYNC_REASONS}


def reason(code: str) -> Reason:
    """The catalogue entry for ``code``; an unknown code reads as Zoho's ``unknown``."""
    return REASONS.get(code) or REASONS["unknown"]


def label(code: str) -> str:
    """A short heading for a reason code ("display_name_taken" → "Display name taken")."""
    return code.replace("_", " ").capitalize()
