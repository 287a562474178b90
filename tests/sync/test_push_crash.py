"""A worker killed between "Books created the customer" and "syncadmin saved the link"
must not make a second customer when the push runs again."""

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.db import connection

from syncadmin.models import EventOutcome, PushLedger, RecordLink
from syncadmin.sync.push import record_push
from tests.sync.support import books_customers_for, crm_account

REPO = Path(__file__).resolve().parents[2]

# Runs the real push in a real worker process, which SIGKILLs itself at the moment Books
# has answered the create and before the link is written.
WORKER = textwrap.dedent(
    """
    import os, signal, sys
    import django
    django.setup()
    from syncadmin.sync import push

    def killed_before_link_save(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    push._link_save = killed_before_link_save
    push.record_push(organization_id=sys.argv[1], module="Accounts", crm_id=sys.argv[2])
    """
)


def database_url() -> str:
    """The test database, as a URL the worker process can open."""
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    password = s["PASSWORD"] or ""
    return f"postgres://{s['USER']}:{password}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_worker_killed_between_books_create_and_link_save_leaves_one_customer(connected_org):
    crm_id = crm_account(connected_org, "Lighthouse Keepers Ltd")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "syncadmin.test_settings",
        "DATABASE_URL": database_url(),
    }

    worker = subprocess.run(
        [sys.executable, "-c", WORKER, connected_org.books_organization_id, crm_id],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    assert worker.returncode == -signal.SIGKILL, worker.stderr
    assert len(books_customers_for(connected_org, crm_id)) == 1  # Books has it ...
    assert not RecordLink.objects.filter(crm_record__crm_id=crm_id).exists()  # ... we don't
    # The dead worker's claim lapses (PUSH_CLAIM_SECONDS); here time is moved on by hand.
    PushLedger.objects.filter(crm_id=crm_id).update(claimed_until=None)

    again = record_push(
        organization_id=connected_org.books_organization_id, module="Accounts", crm_id=crm_id
    )

    assert again.outcome in (EventOutcome.LINKED, EventOutcome.CREATED)
    [customer] = books_customers_for(connected_org, crm_id)
    assert RecordLink.objects.get(crm_record__crm_id=crm_id).books_contact.contact_id == (
        customer.contact_id
    )
