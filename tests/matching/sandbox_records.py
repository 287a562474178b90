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
