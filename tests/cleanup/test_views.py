"""The cleanup screens: page and htmx fragment, filters, decisions, approval, progress."""

import pytest
from django.urls import reverse

from syncadmin.models import PlanState, Review
from tests.cleanup.support import ORG, draft_plan, stored_cluster
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def queue():
    return [
        stored_cluster(band="certain", outstanding="5000", invoices=4, key=1),
        stored_cluster(band="likely", outstanding="10", invoices=1, key=2),
        stored_cluster(band="certain", books=1, crm=2, key=3),
    ]


def test_review_queue_page_and_fragment(finance_client, queue, django_assert_max_num_queries):
    url = f"{reverse('cleanup')}?org={ORG}"
    with django_assert_max_num_queries(12):
        page = finance_client.get(url)
    fragment = finance_client.get(url, **HX)

    assert page.status_code == fragment.status_code == 200
    assert b"<html" in page.content and b"<html" not in fragment.content
    assert b'id="results"' in fragment.content
    assert "0</strong> of 3 clusters" in page.content.decode()
    assert b"Accept every certain cluster" in page.content  # finance reviews


@pytest.mark.parametrize(
    ("query", "count"),
    [("band=certain", 2), ("band=likely", 1), ("direction=crm", 1), ("min_outstanding=100", 1),
     ("min_invoices=1", 2), ("review=accepted", 0)],
)  # fmt: skip
def test_review_queue_filters(finance_client, queue, query, count):
    response = finance_client.get(f"{reverse('cleanup')}?org={ORG}&{query}", **HX)

    assert response.content.decode().count('href="/cleanup/clusters/') == count


def test_finance_accepts_a_pair_and_sees_the_cluster_again(finance_client, queue):
    cluster = queue[0]
    pair = cluster.pairs.first()

    response = finance_client.post(
        reverse("cleanup-decide", args=[cluster.pk]), {"pair": pair.pk, "decision": "accepted"},
        **HX,
    )  # fmt: skip

    assert response.status_code == 200
    assert b'id="cluster"' in response.content and b"<html" not in response.content
    pair.refresh_from_db()
    assert pair.decision == Review.ACCEPTED


def test_cluster_page_shows_records_side_by_side_and_the_evidence(finance_client, queue):
    cluster = queue[0]
    response = finance_client.get(reverse("cleanup-cluster", args=[cluster.pk]))

    text = response.content.decode()
    for facts in cluster.snapshot.values():
        assert facts["name"] in text
    assert "same e-mail" in text and "survives" in text


@pytest.mark.parametrize("role", ["admin", "sales"])
def test_only_finance_decides(role, queue, admin_user, sales_user):
    client = client_for({"admin": admin_user, "sales": sales_user}[role])
    response = client.post(reverse("cleanup-decide", args=[queue[0].pk]), {"decision": "accepted"})

    assert response.status_code == 403


def test_plan_page_shows_money_steps_support_pack_and_dry_run(finance_client, admin_user):
    plan = draft_plan(proposer=admin_user)

    response = finance_client.get(reverse("cleanup-plan", args=[plan.pk]))

    text = response.content.decode()
    assert "120.00 GBP" in text and "Acme Limited" in text
    assert "Zoho support ticket" in text and "Mark the Books loser inactive" in text
    assert "POST /books/v3/contacts/2/inactive" in text  # the dry run
    assert ">Approve<" in text


def test_sales_cannot_approve(sales_client, admin_user):
    plan = draft_plan(proposer=admin_user)

    assert sales_client.post(reverse("cleanup-plan-approve", args=[plan.pk])).status_code == 403
    plan.refresh_from_db()
    assert plan.state == PlanState.SUBMITTED


def test_the_proposer_cannot_approve_through_the_screen(finance_user, finance_client):
    plan = draft_plan(proposer=finance_user)

    page = finance_client.get(reverse("cleanup-plan", args=[plan.pk]))
    response = finance_client.post(reverse("cleanup-plan-approve", args=[plan.pk]), follow=True)

    assert b">Approve<" not in page.content
    assert b"another person must approve" in response.content
    plan.refresh_from_db()
    assert plan.state == PlanState.SUBMITTED


def test_finance_rejects_with_a_comment(finance_client, admin_user):
    plan = draft_plan(proposer=admin_user)

    finance_client.post(reverse("cleanup-plan-reject", args=[plan.pk]), {"comment": ""})
    plan.refresh_from_db()
    assert plan.state == PlanState.SUBMITTED
    finance_client.post(reverse("cleanup-plan-reject", args=[plan.pk]), {"comment": "Not yet"})
    plan.refresh_from_db()
    assert plan.state == PlanState.REJECTED


def test_progress_polls_while_executing_and_stops_after(finance_client, admin_user):
    plan = draft_plan(proposer=admin_user, state=PlanState.EXECUTING)
    url = reverse("cleanup-plan-progress", args=[plan.pk])

    live = finance_client.get(url, **HX)
    plan.state = PlanState.DONE
    plan.save()
    ended = finance_client.get(url, **HX)

    assert live.status_code == 200 and b"every 2s" in live.content
    assert ended.status_code == 286  # htmx: stop polling
    assert b"every 2s" not in ended.content


def test_money_preview_exports_as_csv(finance_client, admin_user):
    plan = draft_plan(proposer=admin_user)

    response = finance_client.get(reverse("cleanup-plan-csv", args=[plan.pk]))

    assert response["Content-Type"] == "text/csv"
    assert "2,Acme Limited,loser,inactive,GBP,uk,2,120.00" in response.content.decode()


def test_plan_and_cluster_pages_stay_within_a_query_budget(
    finance_client, admin_user, queue, django_assert_max_num_queries
):
    plan = draft_plan(proposer=admin_user)
    with django_assert_max_num_queries(20):
        finance_client.get(reverse("cleanup-plan", args=[plan.pk]))
    with django_assert_max_num_queries(15):
        finance_client.get(reverse("cleanup-cluster", args=[queue[0].pk]))


def test_an_admin_starts_a_match_run_and_lands_on_its_progress(admin_client_, queue):
    from syncadmin.models import RunKind, SyncRun

    response = admin_client_.post(reverse("cleanup-match"), {"organization_id": ORG})

    run = SyncRun.objects.filter(kind=RunKind.CLEANUP).latest("pk")
    assert response.status_code == 302 and response.url == reverse("run", args=[run.pk])


def test_finance_accepts_every_certain_cluster_from_the_queue(finance_client, queue):
    finance_client.post(reverse("cleanup-accept-certain"), {"organization_id": ORG})

    reviews = {c.key: c.review for c in type(queue[0]).objects.all()}
    assert reviews == {1: "accepted", 2: "pending", 3: "accepted"}


def test_admin_passes_the_support_gate_but_cannot_tick_a_zoho_step(admin_client_, admin_user):
    from syncadmin.models import StepKind, StepState

    plan = draft_plan(proposer=admin_user)
    gate = plan.items.get().steps.get(kind=StepKind.SUPPORT_GATE)
    deactivate = plan.items.get().steps.get(kind=StepKind.DEACTIVATE)

    admin_client_.post(reverse("cleanup-step-confirm", args=[gate.pk]))
    refused = admin_client_.post(reverse("cleanup-step-confirm", args=[deactivate.pk]), follow=True)

    gate.refresh_from_db()
    deactivate.refresh_from_db()
    assert (gate.state, gate.confirmed_by) == (StepState.DONE, admin_user)
    assert deactivate.state == StepState.PENDING
    assert b"syncadmin runs this step itself" in refused.content


def test_finance_confirms_merges_and_starts_an_approved_plan(
    finance_client, admin_user, finance_user, django_capture_on_commit_callbacks
):
    from syncadmin import cleanup

    plan = draft_plan(proposer=admin_user)
    cleanup.plan_approve(plan=plan, actor=finance_user)

    finance_client.post(reverse("cleanup-plan-merges", args=[plan.pk]))
    with django_capture_on_commit_callbacks() as queued:
        finance_client.post(reverse("cleanup-plan-execute", args=[plan.pk]))

    plan.refresh_from_db()
    assert plan.merges_confirmed_by == finance_user
    assert plan.state == PlanState.EXECUTING and len(queued) == 1
