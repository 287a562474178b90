"""The approval state machine: draft → submitted → approved or rejected, four eyes."""

import pytest

from syncadmin import cleanup
from syncadmin.models import PlanState, StepKind, StepState
from tests.cleanup.support import draft_plan
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_submitted_plan_is_approved_by_finance(admin_user, finance_user):
    plan = draft_plan(proposer=admin_user, state=PlanState.DRAFT)

    cleanup.plan_submit(plan=plan, actor=admin_user)
    cleanup.plan_approve(plan=plan, actor=finance_user, comment="Checked the money")

    assert plan.state == PlanState.APPROVED
    assert plan.decided_by == finance_user


def test_the_proposer_can_never_approve_their_own_plan(finance_user):
    plan = draft_plan(proposer=finance_user)

    with pytest.raises(cleanup.PlanRefused, match="another person"):
        cleanup.plan_approve(plan=plan, actor=finance_user)
    plan.refresh_from_db()
    assert plan.state == PlanState.SUBMITTED


def test_a_rejection_needs_a_comment(admin_user, finance_user):
    plan = draft_plan(proposer=admin_user)

    with pytest.raises(cleanup.PlanRefused, match="why"):
        cleanup.plan_reject(plan=plan, actor=finance_user, comment="  ")
    cleanup.plan_reject(plan=plan, actor=finance_user, comment="Item 1 has live invoices")

    assert plan.state == PlanState.REJECTED
    assert plan.decision_comment == "Item 1 has live invoices"


def test_only_a_submitted_plan_can_be_decided_once(admin_user, finance_user):
    plan = draft_plan(proposer=admin_user)
    cleanup.plan_approve(plan=plan, actor=finance_user)
    other = UserFactory(role="finance")

    with pytest.raises(cleanup.PlanRefused):
        cleanup.plan_approve(plan=plan, actor=other)
    with pytest.raises(cleanup.PlanRefused):
        cleanup.plan_reject(plan=plan, actor=other, comment="too late")


def test_merges_are_confirmed_only_after_approval(admin_user, finance_user):
    plan = draft_plan(proposer=admin_user)

    with pytest.raises(cleanup.PlanRefused):
        cleanup.plan_confirm_merges(plan=plan, actor=finance_user)
    cleanup.plan_approve(plan=plan, actor=finance_user)
    cleanup.plan_confirm_merges(plan=plan, actor=finance_user)

    assert plan.merges_confirmed_by == finance_user


def test_confirming_the_native_switch_off_ticks_every_items_checklist_step(admin_user):
    plan = draft_plan(proposer=admin_user)

    cleanup.plan_confirm_native_off(plan=plan, actor=admin_user)

    step = plan.items.get().steps.get(kind=StepKind.NATIVE_OFF)
    assert (step.state, step.confirmed_by) == (StepState.DONE, admin_user)


def test_syncadmin_steps_cannot_be_ticked_by_hand(admin_user):
    plan = draft_plan(proposer=admin_user)
    deactivate = plan.items.get().steps.get(kind=StepKind.DEACTIVATE)

    with pytest.raises(cleanup.PlanRefused):
        cleanup.step_confirm(step=deactivate, actor=admin_user)


def test_an_approved_plan_only_starts_once(
    admin_user, finance_user, django_capture_on_commit_callbacks
):
    plan = draft_plan(proposer=admin_user)
    cleanup.plan_approve(plan=plan, actor=finance_user)

    with django_capture_on_commit_callbacks() as queued:
        cleanup.plan_execute_start(plan=plan, actor=finance_user)
    with pytest.raises(cleanup.ExecuteRefused):
        cleanup.plan_execute_start(plan=plan, actor=finance_user)

    assert plan.state == PlanState.EXECUTING
    assert len(queued) == 1  # one task, enqueued after commit


def test_a_plan_whose_worker_died_is_delivered_again(admin_user, finance_user):
    from datetime import timedelta

    from django.utils import timezone

    from syncadmin.cleanup.execute import plans_stale
    from syncadmin.models import CleanupPlan

    plan = draft_plan(proposer=admin_user, state=PlanState.EXECUTING)
    CleanupPlan.objects.filter(pk=plan.pk).update(heartbeat_at=timezone.now())
    assert plans_stale() == []  # a live worker holds it

    CleanupPlan.objects.filter(pk=plan.pk).update(
        heartbeat_at=timezone.now() - timedelta(minutes=10)
    )
    assert plans_stale() == [plan.pk]


def test_approval_shows_on_the_timeline_of_every_record_in_the_plan(admin_user, finance_user):
    from syncadmin.models import AuditEvent, PlanItem

    plan = draft_plan(proposer=admin_user)
    PlanItem.objects.filter(plan=plan).update(
        snapshot={"books:2": {"name": "Acme Limited"}, "crm:9": {"name": "Acme Ltd"}}
    )

    cleanup.plan_approve(plan=plan, actor=finance_user, comment="ok")

    targets = set(
        AuditEvent.objects.filter(action="cleanup_plan_approve").values_list(
            "target_type", "target_id"
        )
    )
    assert {("books_contact", "2"), ("record", "Accounts:9"), ("cleanup_plan", str(plan.pk))} <= (
        targets
    )
