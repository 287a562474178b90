"""What one real-time push costs syncadmin's database: a burst of new CRM accounts runs at
Books' limit only if the work around each Books call stays small."""

import json

from django.db import connection
from django.test.utils import CaptureQueriesContext

from syncadmin.models import EventOutcome, InboxDelivery, SyncEvent
from syncadmin.sync.intake import inbox_process, webhook_receive
from tests.sync.support import crm_account


def deliver(org, crm_id, name):
    values = {"module": "Accounts", "id": crm_id, "Account_Name": name, "VAT_Treatment": "uk"}
    return webhook_receive(
        organization_id=org.books_organization_id, body=json.dumps(values).encode(),
        content_type="application/json", headers={"X-Syncadmin-Token": org.webhook_secret},
        query={}, remote_addr="127.0.0.1",
    )  # fmt: skip


def test_a_webhook_push_of_a_new_account_costs_few_queries(connected_org):
    warm = crm_account(connected_org, "Warm Up Ltd")
    inbox_process(deliver(connected_org, warm, "Warm Up Ltd").delivery.pk)
    crm_id = crm_account(connected_org, "Fresh Orchard Ltd")

    with CaptureQueriesContext(connection) as stored:
        accepted = deliver(connected_org, crm_id, "Fresh Orchard Ltd")
    with CaptureQueriesContext(connection) as pushed:
        inbox_process(accepted.delivery.pk)

    assert InboxDelivery.objects.get(pk=accepted.delivery.pk).status == "done"
    events = SyncEvent.objects.filter(crm_record__crm_id=crm_id)
    assert list(events.values_list("outcome", flat=True)) == [EventOutcome.CREATED]
    # storing a delivery: read the settings, insert the row (in a savepoint here)
    assert len(stored) <= 4, _sql(stored)
    # pushing it: claims, mirrors, guard, link, ledger, event, run counters, one each
    assert len(pushed) <= 21, _sql(pushed)


def _sql(captured) -> str:
    return "\n".join(q["sql"][:120] for q in captured.captured_queries)
