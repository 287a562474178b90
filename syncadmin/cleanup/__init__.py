"""Duplicate cleanup: finance's review of the stored clusters, plans, execution.

Clusters come from ``sync.match_runs`` (matching over the mirrors); ``review`` records
finance's decisions; ``plans`` builds plans (steps in the only safe order, money preview,
four-eyes approval); ``execute`` runs them resumably in the cleanup lane; ``dryrun`` lists
the calls it would make; ``undo`` reverses what Zoho allows; ``reconnect`` prepares a
native reconnect that creates no new duplicates and verifies it afterwards.
"""

from syncadmin.cleanup.dryrun import plan_dry_run
from syncadmin.cleanup.execute import ExecuteRefused, plan_execute, plan_execute_start
from syncadmin.cleanup.plans import (
    PlanRefused,
    plan_approve,
    plan_confirm_merges,
    plan_confirm_native_off,
    plan_create,
    plan_reject,
    plan_submit,
    step_confirm,
)
from syncadmin.cleanup.reconnect import reconnect_plan_create, reconnect_verify
from syncadmin.cleanup.review import (
    ReviewRefused,
    cluster_decide,
    cluster_set_survivor,
    clusters_accept_certain,
    pair_decide,
)
from syncadmin.cleanup.undo import plan_undo, undo_plan

__all__ = [
    "ExecuteRefused",
    "PlanRefused",
    "ReviewRefused",
    "cluster_decide",
    "cluster_set_survivor",
    "clusters_accept_certain",
    "pair_decide",
    "plan_approve",
    "plan_confirm_merges",
    "plan_confirm_native_off",
    "plan_create",
    "plan_dry_run",
    "plan_execute",
    "plan_execute_start",
    "plan_reject",
    "plan_submit",
    "plan_undo",
    "reconnect_plan_create",
    "reconnect_verify",
    "step_confirm",
    "undo_plan",
]
