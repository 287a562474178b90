"""Mirror pulls against the sandbox over HTTP: what lands in the local tables, resumably."""

import pytest

from syncadmin.models import BooksContact, CrmRecord, RunStatus
from syncadmin.sync import mirror

pytestmark = pytest.mark.django_db


def test_first_pull_mirrors_the_messy_org(messy_org, zoho):
    result = mirror.mirror_pull(organization_id=messy_org.books_organization_id)
    print(result.crm_run.summary, result.books_run.summary)
    assert result.crm_run.status == RunStatus.SUCCEEDED
    assert result.books_run.status == RunStatus.SUCCEEDED
    assert CrmRecord.objects.filter(module="Accounts", deleted_at__isnull=True).exists()
    assert BooksContact.objects.exists()
