"""Reading a seeded sandbox over its HTTP API (never its code) into matching Records.
Shared by bench/matching.py and the sandbox tests of tests/matching."""

from collections import Counter, defaultdict

from syncadmin.matching import Record, Side
from tests.sandbox_process import SandboxProcess

ADMIN = "admin@zylker.test"
IN_ORG = "20000002"
BOOKS_SCOPES = ["ZohoBooks.fullaccess.all"]
CRM_SCOPES = ["ZohoCRM.modules.ALL"]
ACCOUNT_FIELDS = "Account_Name,Phone,Website,GST_No,Currency,Created_Time,Modified_Time"
CONTACT_FIELDS = "First_Name,Last_Name,Email,Phone,Account_Name"
REGION = {"20000002": "IN", "20000001": "GB"}


def books_contacts(sandbox: SandboxProcess, org: str = IN_ORG) -> list[dict]:
    headers = sandbox.auth(ADMIN, BOOKS_SCOPES)
    found, page = [], 1
    while True:
        params = {"organization_id": org, "per_page": 200, "page": page}
        response = sandbox.client.get("/books/v3/contacts", headers=headers, params=params)
        response.raise_for_status()
        body = response.json()
        found += body["contacts"]
        if not body["page_context"]["has_more_page"]:
            return found
        page += 1


def crm_records(sandbox: SandboxProcess, module: str, fields: str) -> list[dict]:
    headers = sandbox.auth(ADMIN, CRM_SCOPES)
    found: list[dict] = []
    params: dict[str, object] = {"fields": fields, "per_page": 200}
    while True:
        response = sandbox.client.get(f"/crm/v8/{module}", headers=headers, params=params)
        if response.status_code == 204:
            return found
        response.raise_for_status()
        body = response.json()
        found += body["data"]
        token = body["info"].get("next_page_token")
        if not body["info"]["more_records"] or not token:
            return found
        params = {"fields": fields, "per_page": 200, "page_token": token}


def _lookup_id(value: object) -> str:
    return str(value.get("id") or "") if isinstance(value, dict) else ""


def books_record(raw: dict, region: str = "IN") -> Record:
    return Record(
        side=Side.BOOKS,
        id=raw["contact_id"],
        name=raw["contact_name"],
        company_name=raw.get("company_name") or "",
        emails=tuple(e for e in [raw.get("email")] if e),
        phones=tuple(p for p in (raw.get("phone"), raw.get("mobile")) if p),
        currency=raw.get("currency_code") or "",
        status=raw.get("status") or "active",
        contact_type=raw.get("contact_type") or "customer",
        crm_link=raw.get("zcrm_account_id") or "",
        has_transactions=bool(raw.get("has_transaction")),
        created=raw.get("created_time") or "",
        modified=raw.get("last_modified_time") or "",
        region=region,
    )


def account_records(
    accounts: list[dict], contacts: list[dict], deals: list[dict], region: str = "IN"
) -> list[Record]:
    """CRM Accounts, each with its contacts' e-mails and phones and its deal count."""
    emails: dict[str, list[str]] = defaultdict(list)
    phones: dict[str, list[str]] = defaultdict(list)
    for contact in contacts:
        account = _lookup_id(contact.get("Account_Name"))
        if contact.get("Email"):
            emails[account].append(contact["Email"])
        if contact.get("Phone"):
            phones[account].append(contact["Phone"])
    deal_count = Counter(_lookup_id(d.get("Account_Name")) for d in deals)
    return [
        Record(
            side=Side.CRM,
            id=a["id"],
            name=a.get("Account_Name") or "",
            emails=tuple(sorted(set(emails[a["id"]]))),
            phones=tuple(sorted({p for p in [a.get("Phone"), *phones[a["id"]]] if p})),
            website=a.get("Website") or "",
            tax_id=a.get("GST_No") or "",
            currency=a.get("Currency") or "",
            deals=deal_count[a["id"]],
            created=a.get("Created_Time") or "",
            modified=a.get("Modified_Time") or "",
            region=region,
        )
        for a in accounts
    ]


def read_sandbox(sandbox: SandboxProcess, org: str = IN_ORG) -> dict[str, list[dict]]:
    """Everything matching needs, as the APIs answer it."""
    return {
        "books": books_contacts(sandbox, org),
        "accounts": crm_records(sandbox, "Accounts", ACCOUNT_FIELDS),
        "contacts": crm_records(sandbox, "Contacts", CONTACT_FIELDS),
        "deals": crm_records(sandbox, "Deals", "Deal_Name,Account_Name"),
    }


def to_records(raw: dict[str, list[dict]], org: str = IN_ORG) -> list[Record]:
    region = REGION.get(org, "")
    books = [books_record(c, region) for c in raw["books"]]
    return books + account_records(raw["accounts"], raw["contacts"], raw["deals"], region)


# ------------------------------------------------------------------ Zoho's export layouts

BOOKS_EXPORT_HEADER = [
    "Created Time", "Last Modified Time", "Display Name", "Company Name", "Salutation",
    "First Name", "Last Name", "Phone", "Currency Code", "Notes", "Website", "Status",
    "Credit Limit", "Customer Sub Type", "EmailID", "MobilePhone", "Payment Terms",
    "GST Treatment", "GST Identification Number (GSTIN)", "Contact ID", "Contact Type",
    "CRM Account ID",
]  # fmt: skip
CRM_EXPORT_HEADER = [
    "Record Id", "Account Owner", "Account Name", "Phone", "Website", "Account Type",
    "Billing City", "Billing State", "GST No", "Currency", "Created Time", "Modified Time",
]  # fmt: skip


def _csv(header: list[str], rows: list[list[object]]) -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def books_export(contacts: list[dict]) -> bytes:
    """Books › Customers › Export Customers, as CSV."""
    rows = [
        [
            c.get("created_time"), c.get("last_modified_time"), c["contact_name"],
            c.get("company_name"), "", c.get("first_name"), c.get("last_name"), c.get("phone"),
            c.get("currency_code"), "", "", c.get("status", "active").title(), 0,
            c.get("customer_sub_type"), c.get("email"), c.get("mobile"), 30, "", "",
            c["contact_id"], c.get("contact_type"), c.get("zcrm_account_id") or "",
        ]
        for c in contacts
    ]  # fmt: skip
    return _csv(BOOKS_EXPORT_HEADER, rows)


def crm_accounts_export(accounts: list[dict]) -> bytes:
    """CRM › Accounts › Export, as CSV: ids carry Zoho's zcrm_ prefix."""
    rows = [
        [
            f"zcrm_{a['id']}", "Admin", a.get("Account_Name") or "", a.get("Phone") or "",
            a.get("Website") or "", "Customer", "", "", a.get("GST_No") or "",
            a.get("Currency") or "", a.get("Created_Time"), a.get("Modified_Time"),
        ]
        for a in accounts
    ]  # fmt: skip
    return _csv(CRM_EXPORT_HEADER, rows)
