"""Validation of what the clients put into URL paths, before any request is made.

A record id, contact id or module name that reaches a path unchecked could point a call
somewhere else (``../../settings``); Zoho ids are digit strings and the sync touches a
known handful of modules, so anything else is refused at the boundary.
"""

from __future__ import annotations

CRM_MODULES = ("Accounts", "Contacts", "Vendors", "Leads", "Deals")
CRM_IMPORT_KINDS = ("account", "contact", "vendor")
MAX_ID_LENGTH = 30  # Zoho ids are 15 (Books) to 19 (CRM) digits


class InvalidZohoId(ValueError):
    """A value that may not go into a Zoho URL path."""


def zoho_id(value: str) -> str:
    """``value`` if it is a Zoho id (ASCII digits only), else ``InvalidZohoId``."""
    if not isinstance(value, str) or not (
        value.isascii() and value.isdigit() and len(value) <= MAX_ID_LENGTH
    ):
        raise InvalidZohoId(f"{value!r} is not a Zoho id (expected up to 30 digits)")
    return value


def crm_module(value: str) -> str:
    """The module's API name from the allow-list (case-insensitive), else
    ``InvalidZohoId``."""
    for module in CRM_MODULES:
        if isinstance(value, str) and value.lower() == module.lower():
            return module
    raise InvalidZohoId(f"{value!r} is not a CRM module syncadmin uses ({', '.join(CRM_MODULES)})")


def crm_import_kind(value: str) -> str:
    """A Books CRM-import kind (``account``, ``contact``, ``vendor``), else
    ``InvalidZohoId``."""
    if value not in CRM_IMPORT_KINDS:
        raise InvalidZohoId(f"{value!r} is not a CRM import kind ({', '.join(CRM_IMPORT_KINDS)})")
    return value
