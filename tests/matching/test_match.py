"""Scoring, blocking, clusters, survivors and blockers, over small hand-made records."""

import pytest

from syncadmin.matching import Band, Record, Side, SurvivorRules, match_records
from syncadmin.matching.blocking import fuzzy_variants
from syncadmin.matching.features import features
from syncadmin.matching.scoring import score_pair

B, C = Side.BOOKS, Side.CRM


def books(id_: str, name: str, **kw) -> Record:
    return Record(B, id_, name, **kw)


def crm(id_: str, name: str, **kw) -> Record:
    return Record(C, id_, name, **kw)


PAIRS = [
    # (a, b, band or None, evidence that must be present)
    (books("1", "Acme Ltd"), crm("9", "Acme Limited"), Band.CERTAIN, "same normalised name"),
    (books("1", "Acme Ltd"), books("2", "ACME LTD."), Band.CERTAIN, "same legal form (ltd)"),
    (books("1", "Acme Ltd"), books("2", "Acme LLP"), Band.POSSIBLE, "different legal form"),
    (
        books("1", "Acme Ltd"),
        books("2", "Acme LLP", tax_id="33ABCDE1234F1Z5"),
        Band.POSSIBLE,
        "different legal form",
    ),
    (
        books("1", "Acme Ltd", tax_id="33ABCDE1234F1Z5"),
        books("2", "Acme LLP", tax_id="33abcde1234f1z5"),
        Band.LIKELY,
        "same GSTIN 33ABCDE1234F1Z5",
    ),
    (books("1", "Acme"), crm("9", "Acme Ltd"), Band.POSSIBLE, "legal form stated on one side"),
    (
        books("1", "Acme", phones=("+44 20 7946 0958",)),
        crm("9", "Acme Ltd", phones=("020 7946 0958",), region="GB"),
        Band.CERTAIN,
        "same phone +442079460958",
    ),
    (
        books("1", "Acme", emails=("a@acme.com",)),
        crm("9", "Acme Ltd", emails=("A@acme.com",)),
        Band.LIKELY,
        "same e-mail a@acme.com",
    ),
    (books("1", "Acme Trading"), crm("9", "Acme Tradng"), Band.POSSIBLE, "name similarity 0.96"),
    (
        books("1", "Acme Trading", emails=("x@acme.com",)),
        crm("9", "Acme Tradng", emails=("x@acme.com",)),
        Band.LIKELY,
        "same e-mail x@acme.com",
    ),
    (
        books("1", "Old Name", crm_link="9"),
        crm("9", "New Name"),
        Band.CERTAIN,
        "linked by the integration (CRM id 9)",
    ),
    (
        books("1", "Old Name", crm_link="zcrm_9"),
        books("2", "New Name", crm_link="9"),
        Band.CERTAIN,
        "same CRM account id 9",
    ),
    (
        books("1", "Acme", emails=("x@gmail.com",)),
        books("2", "Zenith", emails=("y@gmail.com",)),
        None,
        "",
    ),  # free mail is no evidence
    (books("1", "Acme Traders"), books("2", "Zenith Motors"), None, ""),
    # a shared role mailbox is a shared domain, not a shared person
    (
        books("1", "Acme Trading", emails=("accounts@acme.com",)),
        crm("9", "Acme Tradng", emails=("accounts@acme.com",)),
        Band.POSSIBLE,
        "same role mailbox accounts@acme.com",
    ),
]


@pytest.mark.parametrize(("a", "b", "band", "evidence"), PAIRS)
def test_pair_band_and_evidence(a, b, band, evidence):
    pair = score_pair(features(a), features(b))
    if band is None:
        assert pair is None
        return
    assert pair.band == band
    assert any(evidence in words for words in pair.evidence), pair.evidence


def test_fuzzy_variants_reach_one_edit_away():
    assert fuzzy_variants("acme tradng") & fuzzy_variants("acme trading")
    assert fuzzy_variants("acme tardign") & fuzzy_variants("acme trading") == set()


def test_blocking_never_scores_unrelated_names():
    records = [books(str(i), f"Company {chr(65 + i)}{i * 7919}") for i in range(20)]
    result = match_records(records)
    assert result.stats.candidates < result.stats.brute_force_pairs / 4
    assert result.clusters == []


def test_placeholder_values_are_ignored_not_chained():
    # ten unrelated customers all typed with the same dummy phone
    records = [
        books(str(i), f"Firm {w}", phones=("+91 99999 99999",))
        for i, w in enumerate(
            ["alpha", "beta", "gamma", "delta", "eps", "zeta", "eta", "theta", "iota", "kappa"]
        )
    ]
    result = match_records(records)
    assert result.clusters == []
    assert any(k.startswith("ignored phones:") for k in result.stats.by_source)


def _cluster_of(result, ref):
    return result.cluster_of().get(ref)


def test_reconnect_copies_cluster_on_the_books_side():
    result = match_records(
        [
            crm("9", "Acme Ltd."),
            books("1", "Acme Ltd", crm_link="9", has_transactions=True, created="2024-01-01"),
            books("2", "Acme Ltd.", crm_link="9", created="2024-06-01"),
        ]
    )
    (cluster,) = result.clusters
    assert cluster.direction == "books"
    assert cluster.band == Band.CERTAIN
    assert cluster.survivors["books"] == "books:1"  # the copy with transactions


def test_a_linked_pair_alone_is_not_a_duplicate():
    result = match_records([crm("9", "Acme Ltd"), books("1", "Acme Ltd", crm_link="9")])
    assert result.clusters == []


def test_unlinked_crm_and_books_copy_cluster_across():
    result = match_records([crm("9", "ACME LTD"), books("1", "Acme Ltd")])
    (cluster,) = result.clusters
    assert (cluster.direction, set(cluster.refs)) == ("both", {"crm:9", "books:1"})


def test_crm_twins_cluster_on_the_crm_side_and_the_dealer_survives():
    result = match_records(
        [
            crm("8", "Acme Ltd", modified="2025-05-01"),
            crm("9", "Acme Ltd", deals=2, modified="2024-01-01"),
        ]
    )
    (cluster,) = result.clusters
    assert cluster.direction == "crm"
    assert cluster.survivors["crm"] == "crm:9"


def test_one_likely_link_does_not_chain_two_groups():
    # two groups of certain pairs; one tax-id-backed likely pair between a member of each
    tax = "33ABCDE1234F1Z5"
    result = match_records(
        [
            books("1", "Acme Trading Ltd"),
            crm("9", "Acme Trading Ltd"),
            books("3", "Acme Trading Ltd", tax_id=tax),
            books("2", "Acme Tradelink Ltd", tax_id=tax),
            crm("8", "Acme Tradelink Ltd"),
        ]
    )
    assert any(p.band == Band.LIKELY for p in result.pairs)
    assert sorted(len(c.refs) for c in result.clusters) == [2, 3]


SURVIVOR_CASES = [
    # (Books copies, rules, survivor id)
    ([books("1", "A", created="2020"), books("2", "A", created="2019")], None, "2"),
    ([books("1", "A", crm_link="9", created="2022"), books("2", "A", created="2019")], None, "1"),
    ([books("1", "A", crm_link="9"), books("2", "A", has_transactions=True)], None, "2"),
    (
        [books("1", "A", created="2020"), books("2", "A", created="2019")],
        SurvivorRules(books=("crm_linked",)),
        "1",
    ),  # ties: lowest id
]


@pytest.mark.parametrize(("records", "rules", "expected"), SURVIVOR_CASES)
def test_books_survivor_rules_in_order(records, rules, expected):
    result = match_records(records, rules=rules)
    assert result.clusters[0].survivors["books"] == f"books:{expected}"


def test_crm_survivor_is_the_most_recent_without_deals():
    result = match_records([crm("8", "A Ltd", modified="2025"), crm("9", "A Ltd", modified="2024")])
    assert result.clusters[0].survivors["crm"] == "crm:8"


def test_unknown_survivor_rule_is_refused():
    with pytest.raises(ValueError, match="unknown survivor rules: biggest"):
        SurvivorRules(books=("biggest",))


BLOCKER_CASES = [
    (
        [books("1", "A Ltd", currency="INR"), books("2", "A Ltd", currency="USD")],
        "different currencies: INR / USD",
    ),
    (
        [books("1", "A Ltd", has_transactions=True), books("2", "A Ltd", has_transactions=True)],
        "2 Books copies have transactions: re-point them to the survivor",
    ),
    (
        [books("1", "A Ltd"), books("2", "A Ltd", contact_type="vendor")],
        "customer and vendor: customer / vendor",
    ),
    (
        [books("1", "A Ltd", status="inactive", has_transactions=True), books("2", "A Ltd")],
        "the books survivor 1 is inactive",
    ),
]


@pytest.mark.parametrize(("records", "blocker"), BLOCKER_CASES)
def test_blockers_are_stated(records, blocker):
    (cluster,) = match_records(records).clusters
    assert blocker in cluster.blockers


def test_matching_is_independent_of_input_order():
    records = [crm("9", "ACME LTD"), books("1", "Acme Ltd"), books("2", "Acme Limited")]
    assert match_records(records).clusters == match_records(records[::-1]).clusters
