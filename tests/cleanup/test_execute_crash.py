"""A plan execution SIGKILLed at random steps (10 times, before or after the step's Zoho
write) resumes to the same end state, and no Zoho write is ever made twice."""

import os
import random
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from syncadmin import cleanup
from syncadmin.cleanup.execute import _crm_get as crm_get
from syncadmin.models import CleanupPlan, PlanState, PlanStep, RecordLink
from syncadmin.models.mapping import NOT_LIVE_STATES
from syncadmin.sync.profile import org_clients
from tests.cleanup.conftest import mirror_and_match
from tests.cleanup.support import approved_plan, books_state, run_plan, sandbox_calls, sandbox_now
from tests.sync.test_push_crash import database_url

REPO = Path(__file__).resolve().parents[2]
TRIALS = 10

# The real executor in a real worker process, which SIGKILLs itself at the first step of
# the given kind it reaches (or the first item re-read): on entering it ("before"), or
# once it returned — the step's Zoho write made, not yet recorded as done ("after").
WORKER = textwrap.dedent(
    """
    import os, signal, sys
    import django
    django.setup()
    from syncadmin.cleanup import execute

    plan_id, target, when = int(sys.argv[1]), sys.argv[2], sys.argv[3]

    def killing(kind, action):
        def run(*args, **kwargs):
            if kind == target and when == "before":
                os.kill(os.getpid(), signal.SIGKILL)
            result = action(*args, **kwargs)
            if kind == target and when == "after":
                os.kill(os.getpid(), signal.SIGKILL)
            return result
        return run

    execute.ACTIONS = {k: killing(str(k), a) for k, a in execute.ACTIONS.items()}
    execute.revalidate = killing("revalidate", execute.revalidate)
    execute.plan_execute(plan_id=plan_id)
    """
)
EVERY_ITEM = ["revalidate", "pause", "relink", "deactivate", "resume"]  # merges: few items


@pytest.mark.django_db(transaction=True)
def test_killed_execution_resumes_to_the_same_end_state_with_no_write_twice(
    messy_org, zoho, admin_user, finance_user, monkeypatch
):
    from syncadmin import tasks

    monkeypatch.setattr(tasks.cleanup_plan_run, "delay_on_commit", lambda *a, **k: None)
    mirror_and_match(messy_org)
    plan = approved_plan(messy_org, admin=admin_user, finance=finance_user)
    planned_writes = sorted(
        (c.method, c.path) for c in cleanup.plan_dry_run(plan=plan) if c.method != "GET"
    )
    since = sandbox_now(zoho)
    cleanup.plan_execute_start(plan=plan, actor=finance_user)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "syncadmin.test_settings",
        "DATABASE_URL": database_url(),
    }
    chance = random.Random(int(os.environ.get("CLEANUP_CRASH_SEED", "20261202")))
    # Kinds every item has, at random moments, with one kill right after a Zoho write
    # first and a CRM merge (few items have one) last.
    trials = [
        ("deactivate", "after"),
        *[(chance.choice(EVERY_ITEM), chance.choice(["before", "after"]))
          for _ in range(TRIALS - 2)],
        ("merge", "after"),
    ]  # fmt: skip
    kills = 0
    for target, when in trials:
        worker = subprocess.run(
            [sys.executable, "-c", WORKER, str(plan.pk), target, when],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        # 0: it finished; SIGKILL: it died as planned; a transient Zoho error (the minute's
        # budget used up) ends the worker like a task that Celery would retry.
        transient = any(w in worker.stderr for w in ("BudgetExhausted", "RateLimited"))
        assert worker.returncode in (0, -signal.SIGKILL) or transient, worker.stderr[-3000:]
        kills += worker.returncode == -signal.SIGKILL
        # The dead worker's hold on the plan lapses after STALE_AFTER; moved on by hand.
        CleanupPlan.objects.filter(pk=plan.pk).update(heartbeat_at=None)

    run_plan(plan)  # whatever is left, in this process

    plan.refresh_from_db()
    assert kills >= 8  # the trials really died mid-plan
    # Some Zoho write was made by a worker that died before recording it: the next worker
    # took the step over and found it done in Zoho ("already") ...
    taken_over = [
        step
        for step in PlanStep.objects.filter(item__plan=plan, executions__gte=2)
        if step.result.get("already")
    ]
    assert taken_over
    assert plan.state == PlanState.DONE
    writes = [c for c in sandbox_calls(zoho, since) if c[0] != "GET"]
    # ... yet every planned Zoho write was made exactly once.
    assert sorted(writes) == planned_writes
    books, clients = books_state(messy_org), org_clients(messy_org)
    for item in plan.items.all():
        for loser in item.losers["books"]:
            assert books[loser]["status"] == "inactive"
        for child in item.losers["crm"]:
            assert crm_get(clients, "Accounts", child) is None
        if item.survivors.get("books") and item.survivors.get("crm"):
            link = RecordLink.objects.exclude(state__in=NOT_LIVE_STATES).get(
                crm_record__crm_id=item.survivors["crm"]
            )
            assert link.books_contact.contact_id == item.survivors["books"]
            assert not link.paused
