"""The messy scenario mirrored, matched and ready for review; plans proposed by the admin."""

import pytest

from syncadmin.models import MatchCluster, RunTrigger
from syncadmin.sync import match_runs
from syncadmin.sync.mirror import mirror_pull
from tests.sync.conftest import messy_org  # noqa: F401  (the fixture, reused)


def mirror_and_match(org) -> list[MatchCluster]:
    """Both mirrors pulled (with the links they imply), then a match run stored."""
    mirror_pull(organization_id=org.books_organization_id, trigger=RunTrigger.MANUAL)
    run = match_runs.match_run_start(organization_id=org.books_organization_id)
    match_runs.match_run_execute(run_id=run.pk)
    return list(MatchCluster.objects.filter(superseded=False).order_by("key"))


@pytest.fixture(autouse=True)
def _fresh_budget(monkeypatch):
    """The sandbox is reset for each test; so is the product's in-memory API budget (one
    test's minute of calls must not make the next one wait)."""
    from syncadmin.budget import factory

    monkeypatch.setattr(factory, "_backend", None)


@pytest.fixture
def matched(messy_org):  # noqa: F811
    """(org, current clusters) of the messy scenario."""
    return messy_org, mirror_and_match(messy_org)
