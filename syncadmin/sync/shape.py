"""A CRM record's fields → the Books customer payload, and the edition's mandatory fields.

Pure: plain dicts in, plain dicts out. The mapping follows what Zoho's own integration
does (Account_Name → contact_name, Billing_* → billing_address, GST_Treatment /
Place_of_Supply / GST_No for India, VAT_Treatment / VAT_Reg_No for the UK, Currency →
currency_code), overridable per organisation with ``field_mapping`` (CRM API name → Books
key). Checking the mandatory fields here means a record Books would refuse costs no call.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

INDIAN_STATE_CODES = {
    "andhra pradesh": "AP", "arunachal pradesh": "AR", "assam": "AS", "bihar": "BR",
    "chhattisgarh": "CG", "delhi": "DL", "goa": "GA", "gujarat": "GJ", "haryana": "HR",
    "himachal pradesh": "HP", "jammu and kashmir": "JK", "jharkhand": "JH",
    "karnataka": "KA", "kerala": "KL", "madhya pradesh": "MP", "maharashtra": "MH",
    "manipur": "MN", "meghalaya": "ML", "mizoram": "MZ", "nagaland": "NL", "odisha": "OD",
    "punjab": "PB", "rajasthan": "RJ", "sikkim": "SK", "tamil nadu": "TN",
    "telangana": "TS", "tripura": "TR", "uttar pradesh": "UP", "uttarakhand": "UK",
    "west bengal": "WB", "chandigarh": "CH", "puducherry": "PY", "ladakh": "LA",
}  # fmt: skip
GST_TREATMENTS = ("business_gst", "business_none", "overseas", "consumer")
VAT_TREATMENTS = ("uk", "eu_vat_registered", "overseas")


@dataclass(frozen=True)
class Shaped:
    payload: dict[str, Any]
    missing: str = ""  # a reason code when a mandatory field is missing
    detail: str = ""

    @property
    def hash(self) -> str:
        """Stable over key order: an update is sent only when this changes."""
        text = json.dumps(self.payload, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def display_name(module: str, fields: dict[str, Any]) -> str:
    if module == "Contacts":
        full = fields.get("Full_Name") or " ".join(
            str(p) for p in (fields.get("First_Name"), fields.get("Last_Name")) if p
        )
        return str(full).strip()
    return str(fields.get("Account_Name") or "").strip()


def books_payload(
    *, module: str, fields: dict[str, Any], country: str = "", overrides: dict | None = None
) -> Shaped:
    """The Books contact body for a CRM Accounts/Contacts record, checked for the
    edition's mandatory fields (``missing`` names the reason when one is absent)."""
    name = display_name(module, fields)
    if not name:
        return Shaped({}, "invalid_record", "The CRM record has no name.")
    business = module == "Accounts"
    prefix = "Billing" if business else "Mailing"
    payload: dict[str, Any] = {
        "contact_name": name,
        "company_name": name if business else _lookup_name(fields.get("Account_Name")),
        "contact_type": "customer",
        "customer_sub_type": "business" if business else "individual",
        "billing_address": _address(fields, prefix),
    }
    if fields.get("Website"):
        payload["website"] = str(fields["Website"])
    person = _person(module, fields, name)
    if person:
        payload["contact_persons"] = [person]
    if fields.get("Currency"):
        payload["currency_code"] = str(fields["Currency"]).upper()
    for crm_key, books_key in (overrides or {}).items():
        if fields.get(crm_key) not in (None, ""):
            payload[books_key] = fields[crm_key]
    return _with_tax(payload, fields, country=country, state=fields.get(f"{prefix}_State"))


def _lookup_name(value: Any) -> str:
    """A CRM lookup reads {"name": …, "id": …}; a webhook may send the plain name."""
    if isinstance(value, dict):
        return str(value.get("name") or "")
    return str(value or "")


def _address(fields: dict[str, Any], prefix: str) -> dict[str, str]:
    keys = {"address": "Street", "city": "City", "state": "State", "zip": "Code",
            "country": "Country"}  # fmt: skip
    address = {books: str(fields.get(f"{prefix}_{crm}") or "") for books, crm in keys.items()}
    if prefix == "Mailing" and not address["zip"]:
        address["zip"] = str(fields.get("Mailing_Zip") or "")
    return {k: v for k, v in address.items() if v}


def _person(module: str, fields: dict[str, Any], name: str) -> dict[str, Any] | None:
    """The primary contact person: Books refuses invoices for a customer without one."""
    email, phone = str(fields.get("Email") or ""), str(fields.get("Phone") or "")
    if module == "Contacts":
        first, last = fields.get("First_Name") or "", fields.get("Last_Name") or name
    elif email or phone:
        first, last = "", name
    else:
        return None
    person = {"first_name": str(first), "last_name": str(last), "is_primary_contact": True}
    person.update({k: v for k, v in (("email", email), ("phone", phone)) if v})
    return person


def _with_tax(payload: dict, fields: dict, *, country: str, state: Any) -> Shaped:
    country = country.strip().lower()
    if country in ("india", "in"):
        return _india(payload, fields, state=str(state or ""))
    if country in ("united kingdom", "uk", "gb"):
        return _uk(payload, fields)
    return Shaped(payload)


def _india(payload: dict, fields: dict, *, state: str) -> Shaped:
    business = payload["customer_sub_type"] == "business"
    treatment = str(fields.get("GST_Treatment") or ("business_none" if business else "consumer"))
    if treatment not in GST_TREATMENTS:
        return Shaped(payload, "missing_gst_treatment", f"Unknown GST treatment {treatment!r}.")
    place = str(fields.get("Place_of_Supply") or state_code(state))
    payload["gst_treatment"] = treatment
    if treatment != "overseas":
        if not place:
            return Shaped(payload, "missing_place_of_supply", "No billing state on the record.")
        payload["place_of_contact"] = place
    if fields.get("GST_No"):
        payload["gst_no"] = str(fields["GST_No"])
    return Shaped(payload)


def _uk(payload: dict, fields: dict) -> Shaped:
    treatment = str(fields.get("VAT_Treatment") or "")
    if not treatment:
        if payload["customer_sub_type"] == "business":
            return Shaped(payload, "missing_vat_treatment", "No VAT treatment on the record.")
        return Shaped(payload)
    if treatment not in VAT_TREATMENTS:
        return Shaped(payload, "missing_vat_treatment", f"Unknown VAT treatment {treatment!r}.")
    payload["vat_treatment"] = treatment
    if fields.get("VAT_Reg_No"):
        payload["vat_reg_no"] = str(fields["VAT_Reg_No"])
    return Shaped(payload)


def state_code(state: str) -> str:
    """ "Tamil Nadu" → "TN"; a value that already is a code is returned upper-cased."""
    state = (state or "").strip()
    if len(state) <= 3:
        return state.upper()
    return INDIAN_STATE_CODES.get(state.lower(), "")


def in_scope(fields: dict[str, Any], *, scope_field: str, scope_value: str) -> bool:
    """No scope set → everything is in scope; else the field must equal the value
    (checkboxes compare as "true"/"false", text case-insensitively)."""
    if not scope_field:
        return True
    value = fields.get(scope_field)
    if isinstance(value, bool):
        value = "true" if value else "false"
    return str(value or "").strip().casefold() == scope_value.strip().casefold()
