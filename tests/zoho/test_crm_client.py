"""The CRM client against the sandbox over real HTTP: every public call, by its outcome."""

import contextlib
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from syncadmin.zoho import crm_client, new_http_client
from syncadmin.zoho.errors import PermanentZohoError, ZohoError

ADMIN = "admin@zylker.test"
CRM_ORG = "800000001"
SCOPES = [
    "ZohoCRM.modules.ALL",
    "ZohoCRM.users.READ",
    "ZohoCRM.org.READ",
    "ZohoCRM.notifications.ALL",
    "ZohoCRM.settings.automation_actions.READ",
    "ZohoSearch.securesearch.READ",
]
CLOSED_PORT_URL = "http://127.0.0.1:9/hook"  # nothing listens: every delivery fails


@pytest.fixture
def seen() -> list[httpx.Response]:
    """Every answer the client received, to check how it talked to Zoho."""
    return []


@pytest.fixture
def http(seen):
    with new_http_client(timeout=10) as client:
        client.event_hooks["response"].append(seen.append)
        yield client


@pytest.fixture
def crm(zoho, http):
    token = zoho.token(ADMIN, SCOPES)
    return crm_client(
        http=http, api_domain=zoho.base_url, tokens=lambda *, force_refresh=False: token
    )


class RecordingGate:
    """A budget gate that grants every slot and remembers what each call cost."""

    def __init__(self) -> None:
        self.costs: list[int] = []

    @contextlib.contextmanager
    def slot(self, cost: int = 1) -> Iterator[None]:
        self.costs.append(cost)
        yield

    def penalise(self, error) -> None:
        return None


def accounts(crm, *names: str, trigger: list[str] = ()) -> list[str]:
    results = crm.insert(
        module="Accounts", records=[{"Account_Name": n} for n in names], trigger=trigger
    )
    assert all(r.ok for r in results), results
    return [r.id for r in results]


def many_accounts(crm, count: int, prefix: str = "Bulk") -> list[str]:
    return accounts(crm, *(f"{prefix} {i:05d}" for i in range(count)))


def requests_to(seen: list[httpx.Response], method: str, path_end: str) -> list[httpx.Request]:
    return [
        r.request
        for r in seen
        if r.request.method == method and r.request.url.path.endswith(path_end)
    ]


def deliveries(zoho) -> list[dict]:
    return httpx.get(f"{zoho.base_url}/_sandbox/crm/deliveries").json()["webhooks"]


def webhook_rule(zoho, *, events: list[str]) -> dict:
    rule = {"name": "Account hook", "module": "Accounts", "events": events, "url": CLOSED_PORT_URL}
    answer = httpx.post(f"{zoho.base_url}/_sandbox/crm/webhooks", json=rule)
    assert answer.status_code == 201, answer.text
    return answer.json()


# ---------------------------------------------------------------- user and org


def test_current_user_is_the_token_owner(crm):
    user = crm.current_user()
    assert user.email == ADMIN
    assert user.active and user.id and user.name


def test_org_is_the_users_crm_organisation(crm):
    org = crm.org()
    assert org.organization_id == CRM_ORG
    assert org.name and org.currency_code and org.is_default


# ---------------------------------------------------------------- records


def test_records_of_an_empty_module_are_none(crm):
    assert list(crm.records(module="Accounts", fields=["Account_Name"])) == []


def test_records_pages_past_two_hundred(crm, seen):
    created = many_accounts(crm, 250)
    read = list(crm.records(module="Accounts", fields=["Account_Name"]))
    assert [r.id for r in read] == created  # Modified_Time ascending: insertion order
    assert read[0].fields["Account_Name"] == "Bulk 00000"
    assert len(requests_to(seen, "GET", "/Accounts")) == 2


def test_records_pages_past_two_thousand_with_page_token(crm, seen):
    created = many_accounts(crm, 2050)
    read = list(crm.records(module="Accounts", fields=["Account_Name"]))
    # `page` alone stops at 2 000 records (DISCRETE_PAGINATION_LIMIT_EXCEEDED)
    assert len(read) == 2050 and {r.id for r in read} == set(created)
    pages = requests_to(seen, "GET", "/Accounts")
    assert len(pages) == 11
    assert "page_token" in pages[-1].url.params and "page" not in pages[-1].url.params


def test_records_modified_since_is_inclusive(crm, zoho):
    [old] = accounts(crm, "Old")
    zoho.advance_clock(60)
    [edge] = accounts(crm, "Edge")
    zoho.advance_clock(60)
    [new] = accounts(crm, "New")
    watermark = crm.record(module="Accounts", record_id=edge).modified_time

    since = crm.records(module="Accounts", fields=["Account_Name"], modified_since=watermark)
    assert [r.id for r in since] == [edge, new]  # the record at the watermark is read again
    later = watermark + timedelta(seconds=1)
    assert [
        r.id for r in crm.records(module="Accounts", fields=["Account_Name"], modified_since=later)
    ] == [new]
    assert old


def test_records_modified_since_with_nothing_newer_is_empty(crm, seen):
    accounts(crm, "Quiet")
    future = datetime.now(UTC) + timedelta(days=1)
    found = crm.records(module="Accounts", fields=["Account_Name"], modified_since=future)
    assert list(found) == []
    assert seen[-1].status_code == 304


def test_record_found_has_its_fields(crm):
    [account_id] = accounts(crm, "Zylker Ltd")
    record = crm.record(module="Accounts", record_id=account_id)
    assert record.id == account_id and record.module == "Accounts"
    assert record.fields["Account_Name"] == "Zylker Ltd"
    assert record.modified_time is not None and record.modified_time.tzinfo is not None


def test_record_missing_is_none_when_zoho_answers_no_content(crm, zoho):
    zoho.knobs(crm_missing_id="no_content")
    assert crm.record(module="Accounts", record_id="1234567890123456789") is None


# ---------------------------------------------------------------- search


def test_search_equals_behaves_like_contains(crm):
    accounts(crm, "Acme", "Acme Holdings", "Zylker")
    found = crm.search(module="Accounts", criteria="(Account_Name:equals:Acme)")
    assert sorted(r.fields["Account_Name"] for r in found) == ["Acme", "Acme Holdings"]


def test_search_exact_skips_zohos_contains_matches(crm):
    [acme, _] = accounts(crm, "Acme", "Acme Holdings")
    found = crm.search_exact(module="Accounts", field="Account_Name", value="Acme")
    assert [r.id for r in found] == [acme]


def test_search_exact_finds_names_with_brackets_and_commas(crm):
    [wanted, _] = accounts(crm, "Smith, Jones (UK)", "Smith, Jones (UK) Holdings")
    found = crm.search_exact(module="Accounts", field="Account_Name", value="smith, jones (uk)")
    assert [r.id for r in found] == [wanted]


def test_search_by_email(crm):
    crm.insert(
        module="Contacts",
        records=[
            {"Last_Name": "Smith", "Email": "ann@zylker.test"},
            {"Last_Name": "Jones", "Email": "bob@acme.test"},
        ],
    )
    found = crm.search(module="Contacts", email="ann@zylker.test")
    assert [r.fields["Last_Name"] for r in found] == ["Smith"]


def test_search_without_a_match_is_empty(crm, seen):
    accounts(crm, "Zylker")
    assert crm.search(module="Accounts", criteria="(Account_Name:equals:Nobody)") == []
    assert crm.search_exact(module="Accounts", field="Account_Name", value="Nobody") == []
    assert seen[-1].status_code == 204


# ---------------------------------------------------------------- writes


def test_insert_answers_one_result_per_record_in_input_order(crm):
    results = crm.insert(
        module="Contacts",
        records=[{"Last_Name": "First"}, {"First_Name": "No last name"}, {"Last_Name": "Third"}],
    )
    assert [r.ok for r in results] == [True, False, True]
    assert results[1].code == "MANDATORY_NOT_FOUND" and results[1].id is None
    third = crm.record(module="Contacts", record_id=results[2].id)
    assert third.fields["Last_Name"] == "Third"


def test_update_changes_the_records(crm):
    [account_id] = accounts(crm, "Before")
    [result] = crm.update(module="Accounts", records=[{"id": account_id, "Phone": "+44 1"}])
    assert result.ok and result.id == account_id
    assert crm.record(module="Accounts", record_id=account_id).fields["Phone"] == "+44 1"


def test_update_splits_large_batches_into_calls_of_a_hundred(crm, seen):
    ids = many_accounts(crm, 250)
    results = crm.update(module="Accounts", records=[{"id": i, "Account_Site": "HQ"} for i in ids])
    assert [r.id for r in results] == ids and all(r.ok for r in results)
    assert len(requests_to(seen, "PUT", "/Accounts")) == 3
    read = crm.records(module="Accounts", fields=["Account_Site"])
    assert {r.fields["Account_Site"] for r in read} == {"HQ"}


def test_update_reports_per_record_failures(crm):
    [account_id] = accounts(crm, "Real")
    results = crm.update(
        module="Accounts",
        records=[{"id": account_id, "Phone": "1"}, {"id": "1234567890123456789", "Phone": "2"}],
    )
    assert [r.ok for r in results] == [True, False]
    assert results[1].code == "INVALID_DATA"


def test_update_where_every_record_fails_answers_results_not_an_error(crm):
    results = crm.update(module="Accounts", records=[{"Phone": "1"}, {"Phone": "2"}])
    assert [(r.ok, r.code) for r in results] == [(False, "MANDATORY_NOT_FOUND")] * 2


def test_update_with_empty_trigger_fires_no_webhook(crm, zoho):
    rule = webhook_rule(zoho, events=["edit"])
    [quiet, loud] = accounts(crm, "Quiet", "Loud")
    crm.update(module="Accounts", records=[{"id": quiet, "Phone": "1"}], trigger=[])
    crm.update(module="Accounts", records=[{"id": loud, "Phone": "1"}], trigger=["workflow"])
    fired = {(d["webhook_id"], d["record_id"]) for d in deliveries(zoho)}
    assert fired == {(rule["id"], loud)}


def test_writes_by_default_fire_no_workflow(crm, zoho):
    # The product's own writes must not echo back to it as webhooks.
    webhook_rule(zoho, events=["create", "edit"])
    [account_id] = accounts(crm, "Ours")
    crm.update(module="Accounts", records=[{"id": account_id, "Phone": "1"}])
    assert deliveries(zoho) == []


def test_write_spends_one_credit_per_ten_records_from_the_gate(zoho, http):
    gate = RecordingGate()
    token = zoho.token(ADMIN, SCOPES)
    crm = crm_client(
        http=http,
        api_domain=zoho.base_url,
        tokens=lambda *, force_refresh=False: token,
        gate=gate,
    )
    crm.insert(module="Accounts", records=[{"Account_Name": f"A{i}"} for i in range(150)])
    assert gate.costs == [10, 5]
    gate.costs.clear()
    crm.current_user()
    assert gate.costs == [1]


# ---------------------------------------------------------------- merge


def test_merge_keeps_the_master_and_deletes_the_children(crm):
    master, child_a, child_b = accounts(crm, "Acme", "ACME Ltd", "Acme Limited")
    answer = crm.merge(module="Accounts", master_id=master, child_ids=[child_a, child_b])
    assert answer["details"]["id"] == master
    left = {r.id for r in crm.records(module="Accounts", fields=["Account_Name"])}
    assert left == {master}


def test_merge_into_a_missing_master_is_record_gone(crm):
    [child] = accounts(crm, "Orphan")
    with pytest.raises(ZohoError) as caught:
        crm.merge(module="Accounts", master_id="1234567890123456789", child_ids=[child])
    assert caught.value.reason.code == "record_gone"
    assert isinstance(caught.value, PermanentZohoError)


def test_merge_refuses_more_than_two_children_before_calling_zoho(crm, seen):
    with pytest.raises(ValueError):
        crm.merge(module="Accounts", master_id="1", child_ids=["2", "3", "4"])
    assert seen == []


# ---------------------------------------------------------------- watch


def test_watch_subscribe_extend_and_unsubscribe(crm):
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    [details] = crm.watch_subscribe(
        channel_id="1000000068001",
        events=["Accounts.all"],
        notify_url="https://syncadmin.test/zoho/watch",
        token="secret",
        expiry=soon,
    )
    [event] = details["events"]
    assert event["channel_id"] == "1000000068001" and event["resource_name"] == "Accounts"
    assert datetime.fromisoformat(event["channel_expiry"]) == soon

    later = soon + timedelta(hours=5)
    [extended] = crm.watch_extend(channel_id="1000000068001", events=["Accounts.all"], expiry=later)
    assert datetime.fromisoformat(extended["events"][0]["channel_expiry"]) == later

    crm.watch_unsubscribe(channel_ids=["1000000068001"])
    crm.watch_unsubscribe(channel_ids=["1000000068001"])  # already gone: not an error
    with pytest.raises(ZohoError) as caught:
        crm.watch_extend(channel_id="1000000068001", events=["Accounts.all"], expiry=later)
    assert caught.value.zoho_code == "NOT_SUBSCRIBED"


def test_watch_subscribe_with_a_bad_url_is_an_error(crm):
    with pytest.raises(ZohoError) as caught:
        crm.watch_subscribe(
            channel_id="1000000068002",
            events=["Accounts.all"],
            notify_url="not a url",
            token="t",
            expiry=datetime.now(UTC) + timedelta(hours=1),
        )
    assert caught.value.zoho_code == "INVALID_DATA"


# ---------------------------------------------------------------- webhook failures


def test_webhook_failures_without_failures_are_none(crm):
    assert list(crm.webhook_failures()) == []


def test_webhook_failures_list_failed_deliveries(crm, zoho):
    rule = webhook_rule(zoho, events=["create"])
    [account_id] = accounts(crm, "Hooked", trigger=["workflow"])
    deadline = time.monotonic() + 10  # delivery runs on the sandbox's sender thread
    while not (failures := list(crm.webhook_failures(module="Accounts"))):
        assert time.monotonic() < deadline, "the delivery never failed"
        time.sleep(0.05)
    [failure] = failures
    assert failure["webhook"]["id"] == rule["id"]
    assert failure["entity_details"]["record"]["id"] == account_id
    assert list(crm.webhook_failures(module="Contacts")) == []
