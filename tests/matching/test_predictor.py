"""The native first-sync predictor on hand-made cases (the sandbox check is in
test_predictor_sandbox.py)."""

import pytest

from syncadmin.matching import (
    Record,
    Side,
    duplicates_after_reconnect,
    match_records,
    predict_first_sync,
)


def crm(id_: str, name: str, created: str) -> Record:
    return Record(Side.CRM, id_, name, created=created)


def books(id_: str, name: str, contact_type: str = "customer") -> Record:
    return Record(Side.BOOKS, id_, name, contact_type=contact_type)


CASES = [
    # (CRM records, Books customers, {crm id: (outcome, books id, ambiguous)})
    ([crm("c1", "Acme Ltd", "1")], [books("b1", "Acme Ltd")], {"c1": ("pair", "b1", False)}),
    (
        [crm("c1", "Acme Limited", "1")],
        [books("b1", "Acme Ltd")],
        {"c1": ("create", "", False)},
    ),  # drift: a second customer
    (
        [crm("c1", "ACME LTD", "1")],
        [books("b1", "Acme Ltd")],
        {"c1": ("name_clash", "b1", False)},
    ),
    (
        [crm("c1", "Acme Ltd ", "1")],
        [books("b1", "Acme Ltd")],
        {"c1": ("name_clash", "b1", False)},
    ),  # untrimmed: no pair, then 3062
    (
        [crm("c2", "Acme Ltd", "2"), crm("c1", "Acme Ltd", "1")],
        [books("b1", "Acme Ltd")],
        {"c1": ("pair", "b1", True), "c2": ("name_clash", "b1", True)},
    ),
    (
        [crm("c1", "Globex", "1"), crm("c2", "GLOBEX", "2")],
        [],
        {"c1": ("create", "", False), "c2": ("name_clash", "crm:c1", False)},
    ),
    (
        [crm("c1", "Acme Ltd", "1")],
        [books("b1", "Acme Ltd", "vendor")],
        {"c1": ("create", "", False)},
    ),  # vendors are apart
    ([crm("c1", "  ", "1")], [], {"c1": ("refused", "", False)}),
]


@pytest.mark.parametrize(("crm_records", "books_records", "expected"), CASES)
def test_first_sync_prediction(crm_records, books_records, expected):
    outcomes = predict_first_sync(crm_records, books_records)
    got = {o.crm_id: (o.outcome, o.books_id, o.ambiguous) for o in outcomes}
    assert got == expected


def test_exact_name_match_knob_lets_case_variants_coexist():
    (outcome,) = predict_first_sync(
        [crm("c1", "ACME LTD", "1")], [books("b1", "Acme Ltd")], name_match="exact"
    )
    assert outcome.outcome == "create"


def test_a_reconnect_duplicates_renamed_and_drifted_parties():
    renamed = crm("c1", "Acme Limited", "1")  # renamed in CRM; Books keeps the old name
    drifted = crm("c2", "Globex & Sons", "2")  # never linked; Books typed "Globex and Sons"
    new = crm("c3", "Initech", "3")  # nobody in Books: a new customer, not a duplicate
    books_side = [
        Record(Side.BOOKS, "b1", "Acme Ltd", crm_link="c1"),
        Record(Side.BOOKS, "b2", "Globex and Sons"),
    ]
    records = [renamed, drifted, new, *books_side]
    outcomes = predict_first_sync([renamed, drifted, new], books_side)
    found = duplicates_after_reconnect(outcomes, match_records(records))
    assert found == {"c1": ("books:b1",), "c2": ("books:b2",)}
