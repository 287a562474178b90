"""The offline match list: Zoho CSV exports in, one row per record out. Pure: bytes in,
records and text out, no files, no Django.

Columns are found by header, case-insensitively and ignoring spaces, "_" and "-", with
the aliases below (README "Matching" lists them). Every problem is a `CsvProblem` whose
message names the file, the row and the column, so a user can fix the file."""

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .records import MatchResult, Record, Side

MAX_BYTES = 25 * 1024 * 1024  # a Books export of ~100 000 customers; larger: split it
MAX_CELL = 10_000

BOOKS_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("Contact ID", "Customer ID", "contact_id"),
    "name": ("Display Name", "Contact Name", "Customer Name", "contact_name"),
    "company_name": ("Company Name", "company_name"),
    "first_name": ("First Name",),
    "last_name": ("Last Name",),
    "email": ("EmailID", "Email", "Email ID", "Email Address"),
    "phone": ("Phone", "Work Phone"),
    "mobile": ("MobilePhone", "Mobile Phone", "Mobile"),
    "currency": ("Currency Code", "Currency"),
    "status": ("Status",),
    "tax_id": ("GST Identification Number (GSTIN)", "GSTIN", "GST No", "GST Number",
               "VAT Registration Number", "VAT Number", "Tax Registration Number"),
    "crm_link": ("CRM Account ID", "zcrm_account_id", "ZCRM Account ID"),
    "contact_type": ("Contact Type",),
    "website": ("Website",),
    "created": ("Created Time",),
    "modified": ("Last Modified Time",),
    "has_transactions": ("Has Transactions", "has_transaction"),
}  # fmt: skip
CRM_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("Record Id", "Record ID", "Id", "Account Id", "Contact Id"),
    "name": ("Account Name", "Full Name"),
    "first_name": ("First Name",),
    "last_name": ("Last Name",),
    "email": ("Email", "Email Address"),
    "phone": ("Phone",),
    "mobile": ("Mobile",),
    "website": ("Website",),
    "currency": ("Currency",),
    "tax_id": ("GST No", "GSTIN", "GST Number", "VAT Number", "Tax ID"),
    "created": ("Created Time",),
    "modified": ("Modified Time", "Last Activity Time"),
    "deals": ("Deals", "Number of Deals"),
}
OUTPUT_COLUMNS = ("side", "id", "name", "cluster", "band", "survivor", "evidence", "blockers")
_NUMBERISH = re.compile(r"^[+-][0-9 ().-]*$")  # "+91 98765 43210", "-12.5"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class CsvProblem(ValueError):
    """A file we cannot read, with a message fit to show the user."""


@dataclass(frozen=True, slots=True)
class _Table:
    label: str
    header: list[str]
    rows: list[list[str]]
    columns: dict[str, int]  # field → index


def _fold_header(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name.strip().lstrip("\ufeff")).lower()


def _text(data: bytes, label: str) -> str:
    if len(data) > MAX_BYTES:
        mb = len(data) / 1024 / 1024
        raise CsvProblem(
            f"{label}: the file is {mb:.0f} MB; the limit is {MAX_BYTES // 1024 // 1024} MB. "
            "Export fewer records at a time (Zoho exports can be filtered by view)."
        )
    if data.startswith(b"PK\x03\x04"):
        raise CsvProblem(f"{label}: this is an Excel workbook, not CSV; export as CSV.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CsvProblem(f"{label}: the file is UTF-16; save it as CSV UTF-8.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n") + 1
        raise CsvProblem(
            f"{label}: row {row} is not UTF-8 text (byte 0x{data[exc.start]:02X}); "
            "export the file again as CSV UTF-8."
        ) from None


def _table(data: bytes, label: str, spec: dict[str, tuple[str, ...]]) -> _Table:
    text = _text(data, label)
    if "\x00" in text:
        raise CsvProblem(f"{label}: the file holds binary data (NUL bytes); is it a CSV?")
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise CsvProblem(f"{label}: not a readable CSV file ({exc}).") from None
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise CsvProblem(f"{label}: the file is empty.")
    header = rows[0]
    folded = [_fold_header(h) for h in header]
    columns = {}
    for field, aliases in spec.items():
        for alias in aliases:
            if _fold_header(alias) in folded:
                columns[field] = folded.index(_fold_header(alias))
                break
    return _Table(label, header, rows[1:], columns)


def _require(table: _Table, spec: dict[str, tuple[str, ...]], person_ok: bool) -> None:
    found = ", ".join(h for h in table.header[:12] if h.strip()) or "none"
    if "id" not in table.columns:
        raise CsvProblem(
            f"{table.label}: no id column; expected one of {', '.join(spec['id'])} "
            f"(columns found: {found})."
        )
    has_person = "first_name" in table.columns or "last_name" in table.columns
    if "name" not in table.columns and not (person_ok and has_person):
        raise CsvProblem(
            f"{table.label}: no name column; expected one of {', '.join(spec['name'])}"
            f"{' or First Name + Last Name' if person_ok else ''} (columns found: {found})."
        )


def _check_row(table: _Table, number: int, row: list[str]) -> None:
    if len(row) != len(table.header):
        raise CsvProblem(
            f"{table.label}: row {number} has {len(row)} fields but the header has "
            f"{len(table.header)}; a comma or a quote inside a value was probably not quoted."
        )
    for index in table.columns.values():  # the columns we read (a note may start "- ")
        cell, column = row[index], table.header[index] or f"column {index + 1}"
        if len(cell) > MAX_CELL:
            raise CsvProblem(f"{table.label}: row {number}, column {column}: value too long.")
        if cell.startswith(_FORMULA_START) and not _NUMBERISH.match(cell):
            raise CsvProblem(
                f"{table.label}: row {number}, column {column} holds a spreadsheet formula "
                f"({cell[:30]!r}); remove it and export again."
            )


def _cells(table: _Table) -> list[tuple[int, dict[str, str]]]:
    """(row number as a spreadsheet shows it, field → value) for each data row."""
    found = []
    for offset, row in enumerate(table.rows):
        number = offset + 2  # the header is row 1
        _check_row(table, number, row)
        found.append((number, {f: row[i].strip() for f, i in table.columns.items()}))
    return found


def _bare(value: str) -> str:
    return value[5:] if value.lower().startswith("zcrm_") else value


def _flag(value: str) -> bool:
    return value.strip().lower() in {"true", "yes", "1", "y"}


def _int(value: str) -> int:
    return int(value) if value.strip().isdigit() else 0


def _identify(table: _Table, number: int, cells: dict[str, str], seen: set[str]) -> str:
    record_id = _bare(cells["id"])
    column = table.header[table.columns["id"]]
    if not record_id:
        raise CsvProblem(f"{table.label}: row {number}, column {column} is empty.")
    if record_id in seen:
        raise CsvProblem(f"{table.label}: row {number}, column {column}: {record_id} repeats.")
    seen.add(record_id)
    return record_id


def read_books_csv(data: bytes, *, region: str = "", label: str = "Books file") -> list[Record]:
    """Records from a Books "Export Customers" (or Contacts) CSV."""
    table = _table(data, label, BOOKS_COLUMNS)
    _require(table, BOOKS_COLUMNS, person_ok=True)
    records, seen = [], set()
    for number, c in _cells(table):
        person = " ".join(p for p in (c.get("first_name"), c.get("last_name")) if p)
        records.append(
            Record(
                side=Side.BOOKS,
                id=_identify(table, number, c, seen),
                name=c.get("name") or c.get("company_name") or person,
                company_name=c.get("company_name", ""),
                first_name=c.get("first_name", ""),
                last_name=c.get("last_name", ""),
                emails=tuple(e for e in [c.get("email")] if e),
                phones=tuple(p for p in (c.get("phone"), c.get("mobile")) if p),
                website=c.get("website", ""),
                tax_id=c.get("tax_id", ""),
                currency=c.get("currency", ""),
                status=(c.get("status") or "active").lower(),
                contact_type=(c.get("contact_type") or "customer").lower(),
                crm_link=_bare(c.get("crm_link", "")),
                has_transactions=_flag(c.get("has_transactions", "")),
                created=c.get("created", ""),
                modified=c.get("modified", ""),
                region=region,
            )
        )
    return records


def read_crm_csv(data: bytes, *, region: str = "", label: str = "CRM file") -> list[Record]:
    """Records from a CRM Accounts export, or a Contacts export (First + Last Name)."""
    table = _table(data, label, CRM_COLUMNS)
    _require(table, CRM_COLUMNS, person_ok=True)
    # a Contacts export has First / Last Name (and an "Account Name" lookup, not its name)
    people = "first_name" in table.columns or "last_name" in table.columns
    records, seen = [], set()
    for number, c in _cells(table):
        person = " ".join(p for p in (c.get("first_name"), c.get("last_name")) if p)
        records.append(
            Record(
                side=Side.CRM,
                id=_identify(table, number, c, seen),
                name=person if people else c.get("name", ""),
                first_name=c.get("first_name", ""),
                last_name=c.get("last_name", ""),
                emails=tuple(e for e in [c.get("email")] if e),
                phones=tuple(p for p in (c.get("phone"), c.get("mobile")) if p),
                website=c.get("website", ""),
                tax_id=c.get("tax_id", ""),
                currency=c.get("currency", ""),
                deals=_int(c.get("deals", "")),
                created=c.get("created", ""),
                modified=c.get("modified", ""),
                region=region,
                is_person=people,
            )
        )
    return records


def spreadsheet_safe(value: str) -> str:
    """A cell a spreadsheet will show, never run: formula starters get a leading quote."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def match_rows(result: MatchResult, order: Sequence[Record]) -> list[dict[str, str]]:
    """One row per input record, in input order (see OUTPUT_COLUMNS)."""
    clusters = result.cluster_of()
    rows = []
    for record in order:
        cluster = clusters.get(record.ref)
        row = {"side": record.side.value, "id": record.id, "name": record.name}
        if cluster is None:
            row.update(cluster="", band="", survivor="", evidence="", blockers="")
        else:
            survivor = cluster.survivors.get(record.side.value) == record.ref
            row.update(
                cluster=str(cluster.key),
                band=cluster.band.value,
                survivor="yes" if survivor else "no",
                evidence="; ".join(cluster.evidence),
                blockers="; ".join(cluster.blockers),
            )
        rows.append(row)
    return rows


def write_matches_csv(result: MatchResult, order: Sequence[Record]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=OUTPUT_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in match_rows(result, order):
        writer.writerow({k: spreadsheet_safe(v) for k, v in row.items()})
    return out.getvalue()


def match_csv_files(
    books_data: bytes, crm_data: bytes, *, region: str = ""
) -> tuple[MatchResult, list[Record]]:
    """Read both exports and match them; (result, records in file order)."""
    from . import match_records  # the facade imports this module's neighbours

    books = read_books_csv(books_data, region=region)
    crm = read_crm_csv(crm_data, region=region)
    return match_records(books + crm), books + crm
