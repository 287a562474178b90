"""What the sandbox knows about each CRM module (zoho-api.md §2.2)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ModuleSpec:
    api_name: str
    name_field: str  # the denormalised `name` column comes from here
    mandatory: tuple[str, ...]
    lookups: tuple[str, ...] = ()  # fields holding {"name", "id"} objects
    email_fields: tuple[str, ...] = ()
    phone_fields: tuple[str, ...] = ()


MODULES: dict[str, ModuleSpec] = {
    "Accounts": ModuleSpec(
        "Accounts",
        "Account_Name",
        ("Account_Name",),
        lookups=("Parent_Account",),
        phone_fields=("Phone", "Fax"),
    ),
    "Contacts": ModuleSpec(
        "Contacts",
        "Full_Name",
        ("Last_Name",),
        lookups=("Account_Name", "Vendor_Name", "Reporting_To"),
        email_fields=("Email", "Secondary_Email"),
        phone_fields=("Phone", "Mobile", "Home_Phone", "Other_Phone", "Fax", "Asst_Phone"),
    ),
    "Deals": ModuleSpec(
        "Deals",
        "Deal_Name",
        ("Deal_Name", "Stage"),
        lookups=("Account_Name", "Contact_Name"),
    ),
}

# Read-only fields a client may send but the server owns.
SYSTEM_FIELDS = frozenset(
    {"id", "Created_Time", "Modified_Time", "Created_By", "Modified_By", "Full_Name"}
)


def module_spec(name: str) -> ModuleSpec | None:
    """The module by API name, case-insensitively (Zoho accepts `accounts`)."""
    for api_name, spec in MODULES.items():
        if api_name.lower() == name.lower():
            return spec
    return None
