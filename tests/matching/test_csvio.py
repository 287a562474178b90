"""The offline match list: reading Zoho exports, refusing bad files with a message that
names the row and column, writing cells a spreadsheet will not execute."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from syncadmin.matching import csvio
from syncadmin.matching.csvio import CsvProblem, read_books_csv, read_crm_csv

BOOKS = (
    "Created Time,Display Name,Company Name,EmailID,Phone,Currency Code,Status,"
    "GST Identification Number (GSTIN),Contact ID,CRM Account ID\r\n"
    "2024-01-01,Acme Ltd,Acme Ltd,accounts@acme.example,+91 98765 43210,INR,Active,"
    "33ABCDE1234F1Z5,4600000001,\r\n"
    "2024-02-01,ACME Limited.,,billing@acme.example,,INR,Active,,4600000002,zcrm_5900000001\r\n"
    "2024-03-01,Globex Traders,,,,INR,Inactive,,4600000003,\r\n"
)
CRM = (
    "Record Id,Account Name,Phone,Website,Currency\r\n"
    "zcrm_5900000001,Acme Ltd,+91 98765 43210,www.acme.example,INR\r\n"
    "zcrm_5900000002,The Globex Traders,,,INR\r\n"
    "zcrm_5900000003,Initech,,,INR\r\n"
)


def test_books_columns_are_found_by_header_with_aliases():
    lower = BOOKS.replace("Display Name", "display name").replace("EmailID", "Email")
    (acme, acme2, _) = read_books_csv(lower.encode())
    assert (acme.id, acme.name, acme.emails, acme.tax_id) == (
        "4600000001",
        "Acme Ltd",
        ("accounts@acme.example",),
        "33ABCDE1234F1Z5",
    )
    assert acme2.crm_link == "5900000001"  # Zoho's zcrm_ prefix dropped


def test_crm_ids_lose_the_zcrm_prefix_and_contacts_are_people():
    (acme, *_) = read_crm_csv(CRM.encode())
    assert (acme.id, acme.name, acme.website) == ("5900000001", "Acme Ltd", "www.acme.example")
    contacts = (
        "Record Id,First Name,Last Name,Account Name,Email\r\nzcrm_1,Priya,Rao,Acme,p@a.io\r\n"
    )
    (priya,) = read_crm_csv(contacts.encode())
    assert (priya.name, priya.is_person) == ("Priya Rao", True)


def test_a_utf8_bom_and_blank_lines_are_fine():
    records = read_books_csv(b"\xef\xbb\xbf" + BOOKS.encode() + b"\r\n,,,,,,,,,\r\n")
    assert len(records) == 3


BAD_FILES = [
    # (bytes, message fragment)
    (BOOKS.replace("Globex", "Glöbex").encode("latin-1"), "row 4 is not UTF-8"),
    (BOOKS.encode("utf-16"), "UTF-16"),
    (b"PK\x03\x04rest-of-a-zip", "Excel workbook"),
    (b"", "empty"),
    (BOOKS.replace("Display Name", "Label").replace("Company Name", "Firm").encode(),
     "no name column; expected one of Display Name"),
    (BOOKS.replace("Contact ID", "Ref").encode(), "no id column"),
    (BOOKS.replace("Globex Traders,", "Globex, Traders,").encode(),
     "row 4 has 11 fields but the header has 10"),
    (BOOKS.replace("Globex Traders", '"=HYPERLINK(""http://x"",""y"")"').encode(),
     "row 4, column Display Name holds a spreadsheet formula"),
    (BOOKS.replace("Globex Traders", "@SUM(A1)").encode(), "row 4, column Display Name"),
    (BOOKS.replace("4600000003", "4600000001").encode(), "row 4, column Contact ID"),
    (BOOKS.replace("4600000003", "").encode(), "row 4, column Contact ID is empty"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "message"), BAD_FILES)
def test_bad_books_files_get_a_clear_message(data, message):
    with pytest.raises(CsvProblem, match=message.replace("(", r"\(")):
        read_books_csv(data)


def test_a_file_over_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(csvio, "MAX_BYTES", 100)
    with pytest.raises(CsvProblem, match="the limit is 0 MB"):
        read_books_csv(BOOKS.encode())


def test_columns_we_do_not_read_are_not_judged():
    data = BOOKS.replace("Created Time", "Notes").replace("2024-03-01", "- call first").encode()
    assert len(read_books_csv(data)) == 3


def test_phone_numbers_and_negative_amounts_are_not_formulas():
    data = BOOKS.replace("Active,,4600000002", "Active,-12.50,4600000002").encode()
    assert len(read_books_csv(data)) == 3


@pytest.mark.parametrize(
    ("value", "written"),
    [("=1+2", "'=1+2"), ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"), ("-2", "'-2"),
     ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("Acme Ltd", "Acme Ltd")],
)  # fmt: skip
def test_output_cells_never_execute(value, written):
    assert csvio.spreadsheet_safe(value) == written


def _run(tmp_path, books: str, crm: str) -> list[dict]:
    (tmp_path / "b.csv").write_text(books)
    (tmp_path / "c.csv").write_text(crm)
    out = tmp_path / "m.csv"
    call_command("match_csv", tmp_path / "b.csv", tmp_path / "c.csv", "--out", out)
    return list(csv.DictReader(io.StringIO(out.read_text())))


def test_match_csv_writes_one_row_per_record_with_clusters(tmp_path):
    rows = _run(tmp_path, BOOKS, CRM)
    assert [r["side"] for r in rows] == ["books"] * 3 + ["crm"] * 3
    by_id = {r["id"]: r for r in rows}
    acme = {by_id["4600000001"]["cluster"], by_id["4600000002"]["cluster"]}
    assert acme == {by_id["5900000001"]["cluster"]} and acme != {""}
    assert by_id["4600000001"]["band"] == "certain"
    # the CRM-linked copy survives (no transactions are in an export)
    assert (by_id["4600000002"]["survivor"], by_id["4600000001"]["survivor"]) == ("yes", "no")
    assert "same normalised name" in by_id["4600000001"]["evidence"]
    globex = by_id["4600000003"]  # "Globex Traders" / "The Globex Traders", unlinked
    assert globex["cluster"] == by_id["5900000002"]["cluster"] != ""
    assert "the books survivor 4600000003 is inactive" in globex["blockers"]
    assert by_id["5900000003"]["cluster"] == ""  # Initech has no duplicate


def test_match_csv_output_escapes_cells_a_spreadsheet_would_run(tmp_path):
    # "-42" reads as a number, so the input check lets it through; the output quotes it
    rows = _run(tmp_path, BOOKS, CRM.replace("Initech", "-42"))
    assert rows[-1]["name"] == "'-42"


def test_match_csv_refuses_a_formula_naming_row_and_column(tmp_path):
    with pytest.raises(CommandError, match="row 4, column Account Name holds a spreadsheet"):
        _run(tmp_path, BOOKS, CRM.replace("Initech", "-1+cmd"))


def test_match_csv_names_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("match_csv", tmp_path / "x.csv", tmp_path / "y.csv", "--out", tmp_path / "o")
