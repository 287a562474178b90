"""CRM automation over HTTP: workflow webhooks (zoho-api.md §2.9) and the watch API
(§2.10), delivered to a real HTTP receiver on 127.0.0.1."""

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from tests.sandbox.crm_support import Crm, Receiver, wait_for
from tests.sandbox_process import SandboxProcess


@pytest.fixture
def crm(clean_sandbox: SandboxProcess) -> Crm:
    return Crm(clean_sandbox)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


def _rule(crm: Crm, url: str, **spec) -> dict:
    body = {
        "name": "Push to syncadmin",
        "module": "Accounts",
        "url": url,
        "module_parameters": [{"name": "account_id", "value": "${Accounts.Account Id}"}],
        "custom_parameters": [{"name": "token", "value": "s3cret"}],
        **spec,
    }
    response = crm.sandbox.client.post("/_sandbox/crm/webhooks", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _ui_write(crm: Crm, module: str, data: dict, record_id: str | None = None) -> str:
    body = {"data": data, **({"id": record_id} if record_id else {})}
    response = crm.sandbox.client.post(f"/_sandbox/crm/records/{module}", json=body)
    assert response.status_code in (200, 201), response.text
    return response.json()["id"]


def _deliveries(crm: Crm) -> dict:
    return crm.sandbox.client.get("/_sandbox/crm/deliveries").json()


# ---------------------------------------------------------------- webhooks


def test_ui_create_posts_form_data_with_merge_fields_and_custom_token(
    crm: Crm, receiver: Receiver
) -> None:
    _rule(crm, f"{receiver.url}/hook?src=zoho")
    record_id = _ui_write(crm, "Accounts", {"Account_Name": "Zylker"})
    (request,) = receiver.wait(1)
    assert request.method == "POST"
    assert request.path == "/hook?src=zoho"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.form() == {"account_id": record_id, "token": "s3cret"}


def test_raw_json_template_is_rendered_with_record_values(crm: Crm, receiver: Receiver) -> None:
    template = '{"id": "${Accounts.Account Id}", "name": "${Accounts.Account Name}"}'
    _rule(crm, receiver.url, body_type="raw", raw_data_content=template, module_parameters=[])
    record_id = _ui_write(crm, "Accounts", {"Account_Name": "Zylker Ltd"})
    (request,) = receiver.wait(1)
    assert request.json() == {"id": record_id, "name": "Zylker Ltd"}
    assert request.headers["token"] == "s3cret"  # custom parameters travel as headers


def test_api_writes_fire_webhooks_unless_trigger_is_empty(crm: Crm, receiver: Receiver) -> None:
    _rule(crm, receiver.url)
    fired = crm.account("Fires")
    crm.insert("Accounts", {"Account_Name": "Silent"}, trigger=[])
    crm.call("PUT", f"Accounts/{fired}", json={"data": [{"Phone": "1"}], "trigger": []})
    crm.call("PUT", f"Accounts/{fired}", json={"data": [{"Phone": "2"}], "trigger": ["workflow"]})
    requests = receiver.wait(3, timeout=1.5)
    assert [r.form()["account_id"] for r in requests] == [fired, fired]


def test_rule_listens_only_to_its_events(crm: Crm, receiver: Receiver) -> None:
    _rule(crm, receiver.url, events=["edit"])
    record_id = _ui_write(crm, "Accounts", {"Account_Name": "Zylker"})
    _ui_write(crm, "Accounts", {"Phone": "1"}, record_id)
    assert len(receiver.wait(2, timeout=1)) == 1


def test_failed_delivery_is_not_retried_and_is_listed_as_a_failure(
    crm: Crm, receiver: Receiver
) -> None:
    receiver.status = 500
    rule = _rule(crm, receiver.url)
    record_id = _ui_write(crm, "Accounts", {"Account_Name": "Zylker"})
    receiver.wait(1)
    assert wait_for(lambda: _deliveries(crm)["webhooks"][0]["outcome"] == "failed")
    assert len(receiver.wait(2, timeout=0.5)) == 1  # no retry
    response = crm.get(f"settings/automation/webhook_failures?webhook_id={rule['id']}")
    assert response.status_code == 200
    (failure,) = response.json()["webhook_failures"]
    assert failure["webhook"] == {"name": "Push to syncadmin", "id": rule["id"]}
    assert failure["entity_details"]["record"] == {"id": record_id, "name": "Zylker"}
    assert failure["entity_details"]["module"]["api_name"] == "Accounts"
    assert "500" in failure["failure_reason"]
    datetime.fromisoformat(failure["failure_time"])
    assert set(failure) == {
        "webhook",
        "entity_details",
        "failure_time",
        "failure_reason",
        "workflow_rule",
    }


def test_unreachable_url_is_a_failure_too(crm: Crm) -> None:
    _rule(crm, "http://127.0.0.1:9/nowhere")
    _ui_write(crm, "Accounts", {"Account_Name": "Zylker"})
    assert wait_for(lambda: _deliveries(crm)["webhooks"][0]["outcome"] == "failed")


def test_no_failures_answers_204(crm: Crm) -> None:
    assert crm.get("settings/automation/webhook_failures").status_code == 204


def test_drop_knob_loses_deliveries_silently(crm: Crm, receiver: Receiver) -> None:
    crm.sandbox.knobs(webhook_drop_rate=1.0)
    _rule(crm, receiver.url)
    _ui_write(crm, "Accounts", {"Account_Name": "Zylker"})
    assert wait_for(lambda: _deliveries(crm)["webhooks"][0]["outcome"] == "dropped")
    assert receiver.wait(1, timeout=0.3) == []
    assert crm.get("settings/automation/webhook_failures").status_code == 204


def test_webhook_failures_need_the_automation_scope(crm: Crm) -> None:
    modules_only = Crm(crm.sandbox, ["ZohoCRM.modules.ALL"])
    response = modules_only.get("settings/automation/webhook_failures")
    assert (response.status_code, response.json()["code"]) == (401, "OAUTH_SCOPE_MISMATCH")


def test_bad_rule_is_refused_by_the_control_api(crm: Crm) -> None:
    response = crm.sandbox.client.post(
        "/_sandbox/crm/webhooks", json={"name": "x", "module": "Deals", "url": "http://x.test"}
    )
    assert response.status_code == 400


# ---------------------------------------------------------------- watch


def _subscribe(crm: Crm, url: str, **spec) -> dict:
    watch = {
        "channel_id": "1000000068001",
        "events": ["Accounts.all", "Contacts.edit"],
        "notify_url": f"{url}/notify?tenant=42",
        "token": "TOKEN_1",
        **spec,
    }
    response = crm.call("POST", "actions/watch", json={"watch": [watch]})
    return response


def test_subscribe_answers_201_with_the_documented_details(crm: Crm, receiver: Receiver) -> None:
    response = _subscribe(crm, receiver.url)
    assert response.status_code == 201
    (element,) = response.json()["watch"]
    assert element["message"] == "Successfully subscribed for actions-watch of the given module"
    events = element["details"]["events"]
    assert {e["resource_name"] for e in events} == {"Accounts", "Contacts"}
    assert set(events[0]) == {
        "channel_expiry",
        "resource_uri",
        "resource_id",
        "resource_name",
        "channel_id",
    }
    expiry = datetime.fromisoformat(events[0]["channel_expiry"])
    now = datetime.fromisoformat(crm.sandbox.client.get("/_sandbox/health").json()["now"])
    assert timedelta(minutes=59) < expiry - now <= timedelta(hours=1)  # default 1 h


def test_expiry_beyond_a_week_falls_back_to_one_hour(crm: Crm, receiver: Receiver) -> None:
    now = datetime.fromisoformat(crm.sandbox.client.get("/_sandbox/health").json()["now"])
    far = (now + timedelta(days=8)).isoformat()
    week = (now + timedelta(days=6)).isoformat()
    short = _subscribe(crm, receiver.url, channel_expiry=far).json()
    long = _subscribe(crm, receiver.url, channel_id="2", channel_expiry=week).json()
    short_expiry = datetime.fromisoformat(
        short["watch"][0]["details"]["events"][0]["channel_expiry"]
    )
    long_expiry = datetime.fromisoformat(long["watch"][0]["details"]["events"][0]["channel_expiry"])
    assert short_expiry - now <= timedelta(hours=1)
    assert long_expiry - now > timedelta(days=5)


def test_bulk_write_sends_one_batched_callback(crm: Crm, receiver: Receiver) -> None:
    _subscribe(crm, receiver.url)
    ids = crm.insert("Accounts", {"Account_Name": "A"}, {"Account_Name": "B"}, trigger=[])
    (request,) = receiver.wait(1)
    payload = request.json()
    assert payload["ids"] == ids
    assert payload["operation"] == "insert"
    assert (payload["channel_id"], payload["token"]) == ("1000000068001", "TOKEN_1")
    assert payload["module"] == "Accounts"
    assert payload["resource_uri"].endswith("/crm/v8/Accounts")
    assert payload["query_params"] == {"tenant": "42"}
    assert isinstance(payload["server_time"], int)


def test_update_callback_carries_affected_fields_when_asked(crm: Crm, receiver: Receiver) -> None:
    record_id = crm.contact("Smith")
    _subscribe(crm, receiver.url, return_affected_field_values=True)
    crm.call("PUT", "Contacts", json={"data": [{"id": record_id, "Phone": "123"}]})
    (request,) = receiver.wait(1)
    payload = request.json()
    assert payload["operation"] == "update"
    assert payload["affected_fields"] == [{record_id: ["Phone"]}]
    assert payload["affected_values"] == [{"record_id": record_id, "values": {"Phone": "123"}}]


def test_delete_callback_and_events_not_subscribed_stay_quiet(crm: Crm, receiver: Receiver) -> None:
    _subscribe(crm, receiver.url)
    crm.contact("Smith")  # Contacts.create is not subscribed
    account = crm.account("Zylker")
    crm.call("DELETE", f"Accounts?ids={account}")
    requests = receiver.wait(3, timeout=1)
    # several senders deliver at once, so callbacks may arrive in either order (as Zoho's)
    assert sorted((r.json()["operation"], r.json()["ids"]) for r in requests) == [
        ("delete", [account]),
        ("insert", [account]),
    ]


def test_expired_channel_stops_silently_and_patch_extends_it(crm: Crm, receiver: Receiver) -> None:
    _subscribe(crm, receiver.url)
    crm.sandbox.advance_clock(3601)
    crm = Crm(crm.sandbox)  # the first access token expired too
    crm.account("After expiry")
    assert receiver.wait(1, timeout=0.5) == []
    assert crm.get("actions/watch").status_code == 204
    patched = crm.call("PATCH", "actions/watch", json={"watch": [{"channel_id": "1000000068001"}]})
    assert patched.json()["watch"][0]["code"] == "NOT_SUBSCRIBED"


def test_list_patch_and_delete_channels(crm: Crm, receiver: Receiver) -> None:
    _subscribe(crm, receiver.url)
    listed = crm.get("actions/watch").json()["watch"]
    assert [c["channel_id"] for c in listed] == ["1000000068001"]
    now = datetime.fromisoformat(crm.sandbox.client.get("/_sandbox/health").json()["now"])
    later = (now + timedelta(days=2)).isoformat()
    patch = {"watch": [{"channel_id": "1000000068001", "channel_expiry": later}]}
    patched = crm.call("PATCH", "actions/watch", json=patch)
    assert patched.status_code == 200
    assert patched.json()["watch"][0]["message"] == "Successfully updated the subscribe details"
    crm.sandbox.advance_clock(3700)
    crm = Crm(crm.sandbox)
    assert crm.get("actions/watch").status_code == 200  # extended past the first hour
    deleted = crm.call("DELETE", "actions/watch?channel_ids=1000000068001")
    assert deleted.json()["watch"][0]["message"] == "Successfully un-subscribed from actions-watch"
    assert crm.get("actions/watch").status_code == 204


def test_subscribe_without_notify_url_answers_mandatory_not_found(crm: Crm) -> None:
    response = crm.call(
        "POST", "actions/watch", json={"watch": [{"channel_id": "1", "events": ["Accounts.all"]}]}
    )
    assert response.status_code == 400
    element = response.json()["watch"][0]
    assert (element["code"], element["details"]["api_name"]) == (
        "MANDATORY_NOT_FOUND",
        "notify_url",
    )


def test_watch_needs_the_notifications_scope(crm: Crm) -> None:
    modules_only = Crm(crm.sandbox, ["ZohoCRM.modules.ALL"])
    response = modules_only.get("actions/watch")
    assert (response.status_code, response.json()["code"]) == (401, "OAUTH_SCOPE_MISMATCH")


def _fields_condition(module: str, *names: str, operator: str = "or") -> list[dict]:
    """A `notification_condition` in the shape of Zoho's v8 docs."""
    group = [{"field": {"api_name": name}} for name in names]
    return [
        {
            "type": "field_selection",
            "module": {"api_name": module},
            "field_selection": {"group_operator": operator, "group": group},
        }
    ]


def test_notification_condition_notifies_only_edits_of_listed_fields(
    crm: Crm, receiver: Receiver
) -> None:
    quiet, loud = crm.contact("Quiet"), crm.contact("Loud")
    condition = _fields_condition("Contacts", "Email", "Phone")
    response = _subscribe(crm, receiver.url, notification_condition=condition)
    assert response.status_code == 201, response.text
    edits = [{"id": quiet, "Title": "CEO"}, {"id": loud, "Title": "CFO", "Phone": "123"}]
    crm.call("PUT", "Contacts", json={"data": edits})
    crm.call("PUT", "Contacts", json={"data": [{"id": quiet, "Description": "x"}]})
    # one callback, for the record whose changed fields overlap Email/Phone
    requests = receiver.wait(2, timeout=1)
    assert [(r.json()["operation"], r.json()["ids"]) for r in requests] == [("update", [loud])]
    listed = crm.get("actions/watch").json()["watch"][0]
    assert listed["notification_condition"][0]["module"]["api_name"] == "Contacts"


def test_notification_condition_leaves_creates_and_other_modules_alone(
    crm: Crm, receiver: Receiver
) -> None:
    _subscribe(crm, receiver.url, notification_condition=_fields_condition("Contacts", "Email"))
    account = crm.account("Zylker")  # Accounts.all: no condition on Accounts
    crm.call("PUT", "Accounts", json={"data": [{"id": account, "Phone": "1"}]})
    operations = [r.json()["operation"] for r in receiver.wait(3, timeout=1)]
    assert operations == ["insert", "update"]


def test_patch_sets_a_single_field_condition(crm: Crm, receiver: Receiver) -> None:
    record_id = crm.contact("Smith")
    _subscribe(crm, receiver.url)
    single = {
        "type": "field_selection",
        "module": {"api_name": "Contacts"},
        "field_selection": {"field": {"api_name": "Email"}},
    }
    patch = {"watch": [{"channel_id": "1000000068001", "notification_condition": [single]}]}
    assert crm.call("PATCH", "actions/watch", json=patch).status_code == 200
    crm.call("PUT", "Contacts", json={"data": [{"id": record_id, "Phone": "1"}]})
    assert receiver.wait(1, timeout=0.5) == []
    crm.call("PUT", "Contacts", json={"data": [{"id": record_id, "Email": "s@x.test"}]})
    assert len(receiver.wait(1)) == 1


@pytest.mark.parametrize(
    "condition",
    [
        _fields_condition("Contacts", *(f"Field_{n}" for n in range(11))),  # more than 10
        _fields_condition("Deals", "Stage"),  # a module the channel does not watch
        [{"type": "criteria", "module": {"api_name": "Contacts"}}],
        _fields_condition("Contacts"),  # empty group
        "Email",
    ],
)
def test_invalid_notification_condition_answers_invalid_data(
    crm: Crm, receiver: Receiver, condition: object
) -> None:
    response = _subscribe(crm, receiver.url, notification_condition=condition)
    assert response.status_code == 400
    (element,) = response.json()["watch"]
    assert (element["code"], element["status"]) == ("INVALID_DATA", "error")
    assert element["details"]["api_name"] == "notification_condition"
    assert crm.get("actions/watch").status_code == 204  # nothing subscribed


def test_ten_condition_fields_are_accepted(crm: Crm, receiver: Receiver) -> None:
    condition = _fields_condition("Contacts", *(f"Field_{n}" for n in range(10)))
    assert _subscribe(crm, receiver.url, notification_condition=condition).status_code == 201
