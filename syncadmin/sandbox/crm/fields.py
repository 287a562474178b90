"""CRM metadata: modules and fields (`GET /settings/modules`, `GET /settings/fields`).

Standard fields per module follow zoho-api.md §2.2; an org's custom fields are `CrmField`
rows, added and removed through the control API. The baseline org has the tax fields the
native-sync emulation reads (`GST_Treatment`, `Place_of_Supply`, `GST_No`,
`VAT_Treatment`, `VAT_Reg_No`) and `Sync_to_Books`, but NOT `Books_Contact_ID`: the
product's "write-back field missing" diagnostic is testable on a fresh sandbox. The messy
seed adds the write-back fields (`SEEDED_FIELDS`).
"""

from django.db import IntegrityError, transaction

from .. import clock, ids
from ..models import CrmField, CrmOrg
from .modules import MODULES, SYSTEM_FIELDS


# (api_name, field_label, data_type, length)
def _common_tail(singular: str) -> list[tuple[str, str, str, int]]:
    return [("Owner", f"{singular} Owner", "ownerlookup", 120), *_COMMON_TAIL]


_COMMON_TAIL = [
    ("Description", "Description", "textarea", 32000),
    ("Tag", "Tag", "text", 2000),
    ("Created_By", "Created By", "ownerlookup", 120),
    ("Modified_By", "Modified By", "ownerlookup", 120),
    ("Created_Time", "Created Time", "datetime", 120),
    ("Modified_Time", "Modified Time", "datetime", 120),
    ("Last_Activity_Time", "Last Activity Time", "datetime", 120),
    ("Record_Status__s", "Record Status", "picklist", 120),
    ("Locked__s", "Locked", "boolean", 5),
]


def _address(prefix: str, zip_name: str) -> list[tuple[str, str, str, int]]:
    label = prefix.replace("_", " ")
    return [
        (f"{prefix}_Street", f"{label} Street", "text", 250),
        (f"{prefix}_City", f"{label} City", "text", 30),
        (f"{prefix}_State", f"{label} State", "text", 30),
        (f"{prefix}_{zip_name}", f"{label} {zip_name}", "text", 30),
        (f"{prefix}_Country", f"{label} Country", "text", 30),
    ]


STANDARD: dict[str, list[tuple[str, str, str, int]]] = {
    "Accounts": [
        ("Account_Name", "Account Name", "text", 200),
        ("Account_Number", "Account Number", "text", 40),
        ("Account_Type", "Account Type", "picklist", 120),
        ("Account_Site", "Account Site", "text", 80),
        ("Phone", "Phone", "phone", 30),
        ("Fax", "Fax", "phone", 30),
        ("Website", "Website", "website", 255),
        ("Industry", "Industry", "picklist", 120),
        ("Employees", "Employees", "integer", 9),
        ("Annual_Revenue", "Annual Revenue", "currency", 16),
        ("Ownership", "Ownership", "picklist", 120),
        ("Rating", "Rating", "picklist", 120),
        ("SIC_Code", "SIC Code", "integer", 9),
        ("Ticker_Symbol", "Ticker Symbol", "text", 30),
        ("Parent_Account", "Parent Account", "lookup", 120),
        *_address("Billing", "Code"),
        *_address("Shipping", "Code"),
        ("Currency", "Currency", "picklist", 120),
        ("Exchange_Rate", "Exchange Rate", "double", 16),
        ("Territories", "Territories", "multiselectlookup", 120),
        *_common_tail("Account"),
    ],
    "Contacts": [
        ("First_Name", "First Name", "text", 40),
        ("Last_Name", "Last Name", "text", 80),
        ("Full_Name", "Full Name", "text", 120),
        ("Salutation", "Salutation", "picklist", 120),
        ("Email", "Email", "email", 100),
        ("Secondary_Email", "Secondary Email", "email", 100),
        ("Phone", "Phone", "phone", 30),
        ("Mobile", "Mobile", "phone", 30),
        ("Home_Phone", "Home Phone", "phone", 30),
        ("Other_Phone", "Other Phone", "phone", 30),
        ("Fax", "Fax", "phone", 30),
        ("Asst_Phone", "Asst Phone", "phone", 30),
        ("Assistant", "Assistant", "text", 30),
        ("Title", "Title", "text", 100),
        ("Department", "Department", "text", 30),
        ("Account_Name", "Account Name", "lookup", 120),
        ("Vendor_Name", "Vendor Name", "lookup", 120),
        ("Reporting_To", "Reporting To", "lookup", 120),
        *_address("Mailing", "Zip"),
        *_address("Other", "Zip"),
        ("Date_of_Birth", "Date of Birth", "date", 20),
        ("Email_Opt_Out", "Email Opt Out", "boolean", 5),
        ("Lead_Source", "Lead Source", "picklist", 120),
        ("Currency", "Currency", "picklist", 120),
        *_common_tail("Contact"),
    ],
    "Deals": [
        ("Deal_Name", "Deal Name", "text", 120),
        ("Account_Name", "Account Name", "lookup", 120),
        ("Contact_Name", "Contact Name", "lookup", 120),
        ("Amount", "Amount", "currency", 16),
        ("Stage", "Stage", "picklist", 120),
        ("Closing_Date", "Closing Date", "date", 20),
        ("Probability", "Probability (%)", "integer", 3),
        ("Type", "Type", "picklist", 120),
        ("Lead_Source", "Lead Source", "picklist", 120),
        ("Currency", "Currency", "picklist", 120),
        *_common_tail("Deal"),
    ],
}
_READ_ONLY = {"Full_Name", "Created_By", "Modified_By", "Created_Time", "Modified_Time",
              "Last_Activity_Time", "Record_Status__s"}  # fmt: skip

# Modules GET /settings/modules lists. Only those in MODULES are served by the records API.
MODULE_LIST = [
    ("Leads", "Leads", "Lead"),
    ("Accounts", "Accounts", "Account"),
    ("Contacts", "Contacts", "Contact"),
    ("Deals", "Deals", "Deal"),
    ("Vendors", "Vendors", "Vendor"),
    ("Products", "Products", "Product"),
]

DATA_TYPES = frozenset({
    "text", "textarea", "email", "phone", "website", "integer", "bigint", "double",
    "currency", "decimal", "percent", "boolean", "date", "datetime", "picklist",
    "multiselectpicklist",
})  # fmt: skip
_JSON_TYPE = {"integer": "integer", "bigint": "string", "double": "double", "currency": "double",
              "decimal": "double", "percent": "double", "boolean": "boolean",
              "multiselectpicklist": "jsonarray", "lookup": "jsonobject",
              "ownerlookup": "jsonobject", "multiselectlookup": "jsonarray"}  # fmt: skip

# Custom fields every fresh org has: (modules, api_name, label, data_type, length)
BASELINE_FIELDS = [
    (("Accounts", "Contacts"), "GST_Treatment", "GST Treatment", "picklist", 120),
    (("Accounts", "Contacts"), "GST_No", "GST No", "text", 15),
    (("Accounts", "Contacts"), "Place_of_Supply", "Place of Supply", "text", 30),
    (("Accounts", "Contacts"), "VAT_Treatment", "VAT Treatment", "picklist", 120),
    (("Accounts", "Contacts"), "VAT_Reg_No", "VAT Reg No", "text", 30),
    (("Accounts", "Contacts"), "Sync_to_Books", "Sync to Books", "boolean", 5),
]
# What the messy seed adds: the CRM write-back fields of a Books sync.
SEEDED_FIELDS = [
    (("Accounts", "Contacts"), "Books_Contact_ID", "Books Contact ID", "text", 50),
    (("Accounts", "Contacts"), "Books_Outstanding", "Books Outstanding", "currency", 16),
    (("Accounts", "Contacts"), "Books_Last_Invoice_Status", "Books Last Invoice Status",
     "text", 50),
    (("Accounts", "Contacts"), "Books_Last_Invoice_Date", "Books Last Invoice Date", "date", 20),
]  # fmt: skip


class FieldError(ValueError):
    pass


def _standard_id(module: str, index: int) -> str:
    """Fixed ids: the module's own is index 0, its standard fields 1, 2, …"""
    number = [m for m, _, _ in MODULE_LIST].index(module) + 1
    return f"{ids.CRM_PREFIX}{number * 1000 + index:012d}"


def _field_json(
    *, field_id: str, api_name: str, label: str, data_type: str, length: int, custom: bool,
    mandatory: bool = False,
) -> dict:  # fmt: skip
    return {
        "api_name": api_name,
        "field_label": label,
        "display_label": label,
        "data_type": data_type,
        "json_type": _JSON_TYPE.get(data_type, "string"),
        "id": field_id,
        "custom_field": custom,
        "length": length,
        "read_only": api_name in _READ_ONLY,
        "system_mandatory": mandatory,
        "visible": True,
        "created_source": "crm" if custom else "default",
    }


def field_list(org: CrmOrg, module: str) -> list[dict]:
    """Standard then custom fields of `module` (an API name from MODULES), as Zoho lists."""
    answer = [
        _field_json(
            field_id=_standard_id(module, index),
            api_name=api_name,
            label=label,
            data_type=data_type,
            length=length,
            custom=False,
            mandatory=api_name in MODULES[module].mandatory,
        )
        for index, (api_name, label, data_type, length) in enumerate(STANDARD[module], 1)
    ]
    for row in CrmField.objects.filter(org=org, module=module).order_by("id"):
        answer.append(
            _field_json(
                field_id=row.field_id,
                api_name=row.api_name,
                label=row.field_label,
                data_type=row.data_type,
                length=row.length,
                custom=True,
            )
        )
    return answer


def known_fields(org: CrmOrg, module: str) -> frozenset[str]:
    """Every field API name a record of `module` may carry in this org."""
    custom = CrmField.objects.filter(org=org, module=module).values_list("api_name", flat=True)
    return frozenset({f[0] for f in STANDARD[module]} | set(custom) | SYSTEM_FIELDS)


def module_list() -> list[dict]:
    return [
        {
            "api_name": api_name,
            "module_name": api_name,
            "singular_label": singular,
            "plural_label": plural,
            "id": _standard_id(api_name, 0),
            "api_supported": api_name in MODULES,
            "creatable": api_name in MODULES,
            "editable": api_name in MODULES,
            "deletable": api_name in MODULES,
            "viewable": True,
            "visible": True,
            "generated_type": "default",
        }
        for api_name, plural, singular in MODULE_LIST
    ]


def field_add(
    org: CrmOrg, module: str, *, api_name: str, field_label: str, data_type: str, length: int = 0
) -> CrmField:
    """Add a custom field; raises FieldError for a bad module/type/name or a taken name."""
    if module not in MODULES:
        raise FieldError(f"unknown module {module}")
    if data_type not in DATA_TYPES:
        raise FieldError(f"data_type must be one of {', '.join(sorted(DATA_TYPES))}")
    if not api_name or not api_name.replace("_", "").isalnum() or not field_label:
        raise FieldError("api_name (letters, digits, _) and field_label are required")
    if api_name in known_fields(org, module):
        raise FieldError(f"{module} already has a field {api_name}")
    try:
        with transaction.atomic():
            return CrmField.objects.create(
                org=org,
                module=module,
                field_id=ids.crm_id(),
                api_name=api_name,
                field_label=field_label,
                data_type=data_type,
                length=length or 255,
                created_time=clock.now(),
            )
    except IntegrityError as exc:
        raise FieldError(f"{module} already has a field {api_name}") from exc


def field_remove(org: CrmOrg, module: str, api_name: str) -> bool:
    """Remove a custom field; values records already hold stay stored (the sandbox does
    not purge them), but API writes to it follow `crm_unknown_field` again."""
    deleted, _ = CrmField.objects.filter(org=org, module=module, api_name=api_name).delete()
    return bool(deleted)


def fields_load(org: CrmOrg, definitions: list) -> None:
    """Add each (modules, api_name, label, type, length) that is not there yet."""
    for modules, api_name, label, data_type, length in definitions:
        for module in modules:
            if api_name not in known_fields(org, module):
                field_add(
                    org,
                    module,
                    api_name=api_name,
                    field_label=label,
                    data_type=data_type,
                    length=length,
                )
