"""Normalisation, case by case. The cleanco cases are the library's known defects: each
row proves our own table-driven normaliser gets them right."""

import pytest

from syncadmin.matching import normalise as n

COMPANY_NAMES = [
    # (raw, core, legal forms)
    ("Acme Ltd", "acme", ("ltd",)),
    ("Acme Limited", "acme", ("ltd",)),
    ("ACME LTD.", "acme", ("ltd",)),
    ("Acme Ltd ", "acme", ("ltd",)),
    ("Acme LLP", "acme", ("llp",)),
    ("Acme L.L.P.", "acme", ("llp",)),
    ("Acme Limited Liability Partnership", "acme", ("llp",)),
    ("Acme PLC", "acme", ("plc",)),
    ("Acme Public Limited Company", "acme", ("plc",)),
    ("Acme Pvt Ltd", "acme", ("pvt ltd",)),
    ("Acme Pvt. Ltd.", "acme", ("pvt ltd",)),
    ("Acme Private Limited", "acme", ("pvt ltd",)),
    ("Acme Inc.", "acme", ("inc",)),
    ("Acme Incorporated", "acme", ("inc",)),
    ("Acme LLC", "acme", ("llc",)),
    ("Acme Corp", "acme", ("corp",)),
    ("Acme Corporation", "acme", ("corp",)),
    ("Acme GmbH", "acme", ("gmbh",)),
    ("Siemens GmbH & Co. KG", "siemens", ("gmbh co kg",)),
    ("Acme SARL", "acme", ("sarl",)),
    ("Acme B.V.", "acme", ("bv",)),
    ("Crédit Agricole S.A.", "credit agricole", ("sa",)),
    # Welsh forms (cleanco misses them)
    ("Acme Cyf", "acme", ("ltd",)),
    ("Acme Cyfyngedig", "acme", ("ltd",)),
    ("Acme CCC", "acme", ("plc",)),
    # "&" / "and", a leading "The", punctuation, diacritics, case, whitespace
    ("Acme & Bose Traders", "acme and bose traders", ()),
    ("Acme and Bose Traders", "acme and bose traders", ()),
    ("The Acme Traders Company", "acme traders company", ()),
    ("Acme Traders Company", "acme traders company", ()),
    ("  Zürich   Versicherung  ", "zurich versicherung", ()),
    ("Barker's Foods, Ltd", "barkers foods", ("ltd",)),
    ("The", "the", ()),
    # cleanco defects: brackets cut, "uk" / "co" / "company" stripped, names emptied
    ("Acme (UK) Ltd", "acme uk", ("ltd",)),
    ("Acme UK", "acme uk", ()),
    ("Bristol Co", "bristol co", ()),
    ("Acme Tea Company", "acme tea company", ()),
    ("COOP", "coop", ()),
    ("Limited", "limited", ()),  # a form alone is a name, never emptied
    ("LLP", "llp", ()),
    # two forms: both kept, outermost first
    ("Acme Traders LLP Limited", "acme traders", ("ltd", "llp")),
]


@pytest.mark.parametrize(("raw", "core", "forms"), COMPANY_NAMES)
def test_company_name_splits_core_and_legal_form(raw, core, forms):
    assert n.company_name(raw) == n.CompanyName(core, forms)


@pytest.mark.parametrize(
    ("a", "b", "fit"),
    [
        (("ltd",), ("ltd",), "same"),
        ((), (), "same"),
        (("ltd",), (), "missing"),
        (("ltd", "llp"), ("llp",), "missing"),
        (("ltd",), ("llp",), "different"),  # Acme Ltd and Acme LLP: two companies
        (("pvt ltd",), ("ltd",), "different"),
    ],
)
def test_legal_forms_compare_as_evidence(a, b, fit):
    assert n.forms_compatible(a, b) == fit


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        ("José", "de la Cruz", "jose de la cruz"),
        ("Dr. Priya", "RAO", "priya rao"),
        ("  Mr  Ben ", "O'Neil", "ben oneil"),
    ],
)
def test_person_name(first, last, expected):
    assert n.person_name(first, last) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" Priya.Rao@Acme.Example ", "priya.rao@acme.example"),
        ("mailto:a@b.com", "a@b.com"),
        ("not an address", ""),
        ("a@localhost", ""),
        ("", ""),
    ],
)
def test_email(raw, expected):
    assert n.email(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("accounts@acme.co.uk", "acme.co.uk"),
        ("priya@gmail.com", ""),  # free mail says nothing about the company
        ("someone@yahoo.co.in", ""),
        ("https://www.acme.com/about", "acme.com"),
        ("www.acme.example", "acme.example"),
        ("", ""),
    ],
)
def test_company_domain(raw, expected):
    assert n.company_domain(raw) == expected


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+91 98765 43210", "", "+919876543210"),
        ("098765 43210", "IN", "+919876543210"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("+44 (0)20 7946 0958", "", "+442079460958"),
        ("(415) 555-2671", "US", "+14155552671"),
        ("call me", "GB", ""),
        ("12", "GB", ""),
        ("", "IN", ""),
    ],
)
def test_phone_to_e164(raw, region, expected):
    assert n.phone(raw, region) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("33abcde1234f1z5", "33ABCDE1234F1Z5"),
        ("33 ABCDE 1234 F1Z5", "33ABCDE1234F1Z5"),
        ("33ABCDE1234F1X5", ""),  # not a GSTIN shape (no Z)
        ("GB 123 4567 89", "GB123456789"),
        ("DE123456789", "DE123456789"),
        ("N/A", ""),
        ("", ""),
    ],
)
def test_tax_id(raw, expected):
    assert n.tax_id(raw) == expected
