"""Mirror pulls against the sandbox over HTTP: what lands in the local tables, resumably."""

from datetime import timedelta

import pytest
from django.utils import timezone

from syncadmin.models import (
    BooksContact,
    CrmRecord,
    RunKind,
    RunStatus,
    Service,
    SyncRun,
    Watermark,
)
from syncadmin.sync import mirror
from syncadmin.sync.mirror import PAGE
from syncadmin.sync.profile import org_clients, sync_settings_ensure
from tests.sync.conftest import seed_messy
from tests.zoho_helpers import BOOKS_UK, sandbox_connection

pytestmark = pytest.mark.django_db


def test_first_pull_mirrors_the_messy_org(messy_org, zoho):
    result = mirror.mirror_pull(organization_id=messy_org.books_organization_id)
    print(result.crm_run.summary, result.books_run.summary)
    assert result.crm_run.status == RunStatus.SUCCEEDED
    assert result.books_run.status == RunStatus.SUCCEEDED
    assert CrmRecord.objects.filter(module="Accounts", deleted_at__isnull=True).exists()
    assert BooksContact.objects.exists()


# --- a killed pull resumes at the page in flight --------------------------------------

CRM_SNAPSHOT = ("module", "crm_id", "name", "modified_time", "deleted_at", "deal_count")
BOOKS_SNAPSHOT = (
    "contact_id", "contact_name", "status", "last_modified_time", "outstanding_receivable",
    "has_transaction", "invoice_count", "last_invoice_status", "last_invoice_date",
)  # fmt: skip


@pytest.fixture
def big_org(zoho, db):
    """About 500 accounts and 450 Books customers: three pages a side."""
    seed_messy(zoho, size=2500, seed=5)
    sandbox_connection(zoho, service=Service.CRM)
    sandbox_connection(zoho, service=Service.BOOKS)
    return sync_settings_ensure(books_organization_id=BOOKS_UK)


def _snapshot() -> tuple:
    return (
        sorted(CrmRecord.objects.values_list(*CRM_SNAPSHOT)),
        sorted(BooksContact.objects.values_list(*BOOKS_SNAPSHOT)),
        # How far each stream was read; "when did we last do a full read" marks differ.
        sorted(
            Watermark.objects.exclude(stream__endswith=(":counted"))
            .exclude(stream__endswith=":full")
            .values_list("stream", "value")
        ),
    )


def _forget_the_mirror() -> None:
    CrmRecord.objects.all().delete()
    BooksContact.objects.all().delete()
    Watermark.objects.all().delete()


def _calls(zoho, since: str, service: str) -> int:
    return zoho.stats(since=since, service=service)["total"]


def _kill_on_page(monkeypatch, store: str, page: int) -> list[list[str]]:
    """Stand for a worker killed while storing ``page``: that page was fetched, not stored.
    Returns the ids each store call got (a spy on our own code, not a Zoho mock)."""
    real = getattr(mirror, store)
    stored: list[list[str]] = []

    def store_or_die(**kwargs):
        items = kwargs.get("records") or kwargs.get("items") or []
        if len(stored) + 1 == page:
            stored.append([])
            raise mirror.MirrorInterrupted
        stored.append([getattr(i, "id", None) or i.get("contact_id") for i in items])
        return real(**kwargs)

    monkeypatch.setattr(mirror, store, store_or_die)
    return stored


def _resume(run) -> SyncRun:
    # The killed worker stopped beating; the run is taken over once it counts as stale.
    SyncRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    return mirror.mirror_execute(run_id=run.pk)


@pytest.mark.parametrize(
    ("kind", "store", "service"),
    [
        (RunKind.MIRROR_CRM, "crm_store", "crm"),
        (RunKind.MIRROR_BOOKS, "books_store", "books"),
    ],
)
def test_killed_first_pull_resumes_at_the_page_in_flight(
    big_org, zoho, monkeypatch, kind, store, service
):
    org = big_org.books_organization_id
    since = zoho.stats()["now"]
    run = mirror.mirror_start(organization_id=org, kind=kind)
    stored = _kill_on_page(monkeypatch, store, page=2)
    with pytest.raises(mirror.MirrorInterrupted):
        mirror.mirror_execute(run_id=run.pk)
    monkeypatch.undo()
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING and run.cursor  # page 1's cursor was saved
    killed_progress = run.processed

    resumed = _resume(run)

    assert resumed.status == RunStatus.SUCCEEDED, resumed.summary
    assert killed_progress == PAGE and resumed.processed > 2 * PAGE
    interrupted_calls = _calls(zoho, since, service)
    after_kill = _snapshot()

    _forget_the_mirror()
    clean_since = zoho.stats()["now"]
    clean = mirror.mirror_execute(run_id=mirror.mirror_start(organization_id=org, kind=kind).pk)

    assert clean.status == RunStatus.SUCCEEDED
    assert after_kill == _snapshot()  # the same mirror as a pull that was never killed
    clean_calls = _calls(zoho, clean_since, service)
    # Only the page in flight was read twice (CRM also asks for field metadata again).
    assert interrupted_calls == clean_calls + (2 if service == "crm" else 1)
    assert len(stored[0]) == PAGE


def test_full_books_mirror_costs_invoice_pages_not_a_call_per_customer(big_org, zoho):
    since = zoho.stats()["now"]
    run = mirror.mirror_pull(organization_id=big_org.books_organization_id, crm=False).books_run

    customers = BooksContact.objects.count()
    with_transactions = BooksContact.objects.filter(has_transaction=True).count()
    calls = _calls(zoho, since, "books")
    assert customers > 2 * PAGE and with_transactions > 100
    assert calls < 30, run.summary  # pages of contacts + one count + pages of invoices
    sample = BooksContact.objects.filter(has_transaction=True).order_by("contact_id").first()
    count, status, when = mirror.invoice_latest(
        org_clients(big_org).books, customer_id=sample.contact_id
    )
    assert (sample.invoice_count, sample.last_invoice_status) == (count, status)
    assert str(sample.last_invoice_date) == when


def test_second_pull_reads_only_what_changed(messy_org, zoho):
    org = messy_org.books_organization_id
    mirror.mirror_pull(organization_id=org)
    clients = org_clients(messy_org)
    account = CrmRecord.objects.filter(module="Accounts", deleted_at=None).first()
    clients.crm.update(module="Accounts", records=[{"id": account.crm_id, "Phone": "+44 1"}])
    customer = BooksContact.objects.filter(zcrm_account_id="").first()
    clients.books.contact_update(
        contact_id=customer.contact_id, payload={"contact_name": "Renamed In Books Ltd"}
    )

    result = mirror.mirror_pull(organization_id=org)

    # Watermarks are inclusive, so a record changed in the watermark's second may be read
    # again; nothing else is.
    assert result.crm_run.processed <= 3 and result.books_run.processed <= 3
    account.refresh_from_db()
    customer.refresh_from_db()
    assert account.phone == "+44 1" and customer.contact_name == "Renamed In Books Ltd"


def test_pull_stopped_by_the_budget_waits_in_the_queue_and_resumes(big_org, zoho, monkeypatch):
    from syncadmin.budget import BudgetExhausted

    org = big_org.books_organization_id
    run = mirror.mirror_start(organization_id=org, kind=RunKind.MIRROR_CRM)
    real = mirror.crm_store
    calls = []

    def store_until_budget_runs_out(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise BudgetExhausted("no API slot within 30 s")
        return real(**kwargs)

    monkeypatch.setattr(mirror, "crm_store", store_until_budget_runs_out)
    waiting = mirror.mirror_execute(run_id=run.pk)
    monkeypatch.undo()

    assert waiting.status == RunStatus.QUEUED and "budget_exhausted" in waiting.summary
    assert mirror.mirror_stale_ids() == []  # not before a minute has passed
    assert mirror.mirror_stale_ids(now=timezone.now() + timedelta(minutes=2)) == [run.pk]
    done = mirror.mirror_execute(run_id=run.pk)
    assert done.status == RunStatus.SUCCEEDED and done.processed > 2 * PAGE
