"""Writes to CRM records. Every writer of `CrmRecord` (API views, the UI-like control
endpoint, the seeder) keeps the denormalised columns in step through `denormalise()`."""

from ..models import SandboxUser
from .modules import MODULES


def _lookup_id(value: object) -> str:
    if isinstance(value, dict):
        return str(value.get("id") or "")
    return str(value or "")


def full_name(data: dict) -> str:
    return " ".join(p for p in (data.get("First_Name"), data.get("Last_Name")) if p)


def denormalise(module: str, data: dict) -> dict:
    """The filter columns of a record of `module` holding `data` (API names):
    `name` (Account_Name / Full_Name / Deal_Name), `email` (lower-cased Email), `phone`
    (first phone field set) and `account_id` (Contacts/Deals → parent Account). Pure."""
    spec = MODULES[module]
    if module == "Contacts":
        name = data.get("Full_Name") or full_name(data)
    else:
        name = data.get(spec.name_field) or ""
    phone = next((data[f] for f in spec.phone_fields if data.get(f)), "")
    account = data.get("Account_Name") if module in ("Contacts", "Deals") else None
    return {
        "name": str(name)[:255],
        "email": str(data.get("Email") or "").strip().lower()[:255],
        "phone": str(phone)[:50],
        "account_id": _lookup_id(account)[:19],
    }


def user_lookup(user: SandboxUser) -> dict:
    """The `Owner` / `Created_By` object of §2.1."""
    return {"name": user.full_name, "id": user.crm_user_id, "email": user.email}
