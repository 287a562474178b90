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
def _roomy_books_minute(request, settings):
    """These tests read Zoho back through its API to check what a plan did, and those reads
    share Books' 100 requests a minute with the plan itself; the limit is not what they
    test, so Books (sandbox and budget alike) allows more here."""
    settings.BOOKS_REQUESTS_PER_MINUTE = 5_000
    if "messy_org" in request.fixturenames:
        request.getfixturevalue("messy_org")  # seeding resets the knobs: seed first
    if "zoho" in request.fixturenames:
        request.getfixturevalue("zoho").knobs(books_per_minute=5_000)


@pytest.fixture
def matched(messy_org):  # noqa: F811
    """(org, current clusters) of the messy scenario."""
    return messy_org, mirror_and_match(messy_org)
