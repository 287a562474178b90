"""The match-list upload screen: page, results, download, and bad files answered with a
message (400), never a 500."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from syncadmin.views import matching as view
from tests.matching.test_csvio import BOOKS, CRM

pytestmark = pytest.mark.django_db


def _post(client, books: bytes, crm: bytes, **extra):
    data = {
        "books_file": SimpleUploadedFile("books.csv", books, "text/csv"),
        "crm_file": SimpleUploadedFile("crm.csv", crm, "text/csv"),
        **extra,
    }
    return client.post(reverse("matching"), data)


def test_page_offers_the_upload_form(sales_client):
    response = sales_client.get(reverse("matching"))
    assert response.status_code == 200
    assert b'enctype="multipart/form-data"' in response.content
    assert b"Match list</a>" in response.content  # in the main navigation


def test_upload_shows_clusters_with_survivor_and_evidence(finance_client):
    response = _post(finance_client, BOOKS.encode(), CRM.encode(), show="1")
    assert response.status_code == 200
    page = response.content.decode()
    assert "2 duplicate clusters" in page
    assert "same normalised name" in page
    assert "the books survivor 4600000003 is inactive" in page


def test_download_is_the_match_list_csv(admin_client_):
    response = _post(admin_client_, BOOKS.encode(), CRM.encode(), download="1")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="matches-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 6
    assert set(rows[0]) == {"side", "id", "name", "cluster", "band", "survivor", "evidence",
                            "blockers"}  # fmt: skip


@pytest.mark.parametrize(
    ("books", "crm", "message"),
    [
        (BOOKS.encode("utf-16"), CRM.encode(), "the file is UTF-16"),
        (BOOKS.replace("Display Name", "X").replace("Company Name", "Y").encode(), CRM.encode(),
         "no name column"),
        (BOOKS.encode(), CRM.replace("Initech", "=1+2").encode(),
         "row 4, column Account Name holds a spreadsheet formula"),
        (BOOKS.replace("Globex Traders,", "Globex, Traders,").encode(), CRM.encode(),
         "row 4 has 11 fields"),
    ],
)  # fmt: skip
def test_bad_files_are_refused_with_row_and_column(sales_client, books, crm, message):
    response = _post(sales_client, books, crm)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_an_oversized_file_is_refused_before_it_is_read(sales_client, monkeypatch):
    monkeypatch.setattr(view, "MAX_BYTES", 100)
    response = _post(sales_client, BOOKS.encode(), CRM.encode())
    assert response.status_code == 400
    assert "the limit is 0 MB" in response.content.decode()


def test_a_missing_file_is_a_form_error(sales_client):
    response = sales_client.post(reverse("matching"), {})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
