"""The checklist on the sandbox's messy scenario, mirrored the way the sync engine does it:
every problem class the scenario seeds is flagged (the clean case is in test_overview)."""

import pytest

from syncadmin.diagnostics.checklist import PASS, checklist_evaluate
from syncadmin.diagnostics.facts import facts_collect
from syncadmin.models import SyncSettings
from tests.sync.conftest import messy_org as messy_org  # the messy scenario, connected

# Seeded pattern → the checklist item that must not pass for it.
PATTERN_CHECK = {
    "name_drift": "duplicates_where",  # a drifted name became a second Books customer
    "reconnect": "reconnect",  # a second burst of name-matched customers
    "both_sides": "two_way",  # customers typed into Books after the integration started
    "collision": "duplicates_kind",  # twins / case drift on the display name
    "deleted_partner": "orphans",
    "merge_orphan": "orphans",
    "missing_tax": "mandatory_fields",
}


@pytest.mark.django_db(transaction=True)
def test_messy_scenario_flags_every_seeded_problem_class(messy_org):
    from syncadmin.sync.mirror import mirror_pull

    mirror_pull(organization_id=messy_org.books_organization_id, full=True)
    SyncSettings.objects.filter(pk=messy_org.pk).update(books_country="uk")
    result = {c.key: c for c in checklist_evaluate(facts_collect())}
    passing = {
        pattern: check for pattern, check in PATTERN_CHECK.items() if result[check].status == PASS
    }
    assert passing == {}, {p: result[c].evidence for p, c in passing.items()}
