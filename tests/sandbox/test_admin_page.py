"""The sandbox admin page `GET /_sandbox/` (issue 3 item 7): labelled as the sandbox, shows
orgs, users, limits used and logs, and flips users and knobs through plain HTML forms."""

from tests.sandbox.oauth_helpers import SYNC, crm_current_user
from tests.sandbox_process import SandboxProcess


def _knob_form(current: dict, **changes: object) -> dict[str, str]:
    """What a browser submits for the knob form: unchecked checkboxes are left out."""
    values = {**current, **changes}
    form = {}
    for name, value in values.items():
        if isinstance(value, bool):
            if value:
                form[name] = "on"
        else:
            form[name] = str(value)
    return form


def test_admin_page_is_labelled_and_shows_orgs_and_users(clean_sandbox: SandboxProcess) -> None:
    page = clean_sandbox.client.get("/_sandbox/")
    assert page.status_code == 200
    assert "Zoho SANDBOX" in page.text and "Not Zoho" in page.text
    for expected in ("800000001", "enterprise", "20000001", "Zylker UK Ltd", "20000002"):
        assert expected.lower() in page.text.lower()
    for email in ("admin@zylker.test", "sync@zylker.test", "finance@zylker.test"):
        assert email in page.text
    assert page.text.count(">Deactivate</button>") == 3


def test_admin_page_shows_credits_used_and_429s(clean_sandbox: SandboxProcess) -> None:
    token = clean_sandbox.token(SYNC, ["ZohoCRM.users.READ"])
    crm_current_user(clean_sandbox, token)
    clean_sandbox.knobs(forced_429="crm")
    assert crm_current_user(clean_sandbox, token).status_code == 429
    page = clean_sandbox.client.get("/_sandbox/").text
    assert "<td>1 / " in page  # one credit charged in the rolling 24 h
    assert "<td>crm</td><td>800000001</td><td>TOO_MANY_REQUESTS</td><td>1</td>" in page


def test_deactivate_and_activate_buttons_switch_the_user(clean_sandbox: SandboxProcess) -> None:
    token = clean_sandbox.token(SYNC, ["ZohoCRM.users.READ"])
    response = clean_sandbox.client.post(f"/_sandbox/admin/users/{SYNC}", data={"active": "0"})
    assert (response.status_code, response.headers["location"]) == (302, "/_sandbox/")
    assert crm_current_user(clean_sandbox, token).status_code == 401
    assert ">Activate</button>" in clean_sandbox.client.get("/_sandbox/").text
    clean_sandbox.client.post(f"/_sandbox/admin/users/{SYNC}", data={"active": "1"})
    # the button revokes the user's tokens too (knob default): the old one stays dead
    assert crm_current_user(clean_sandbox, token).status_code == 401
    assert (
        crm_current_user(
            clean_sandbox, clean_sandbox.token(SYNC, ["ZohoCRM.users.READ"])
        ).status_code
        == 200
    )


def test_knob_form_saves_every_field_and_redirects_back(clean_sandbox: SandboxProcess) -> None:
    current = clean_sandbox.knobs()
    form = _knob_form(
        current,
        latency_ms=3,
        forced_429="books_minute",
        books_name_shared_across_types=False,
        token_throttle_status=200,
    )
    response = clean_sandbox.client.post("/_sandbox/admin/knobs", data=form)
    assert (response.status_code, response.headers["location"]) == (302, "/_sandbox/?saved=1")
    after = clean_sandbox.knobs()
    assert after == {
        **current,
        "latency_ms": 3,
        "forced_429": "books_minute",
        "books_name_shared_across_types": False,
        "token_throttle_status": 200,
    }
    assert "Knobs saved." in clean_sandbox.client.get("/_sandbox/?saved=1").text


def test_knob_form_shows_errors_and_changes_nothing(clean_sandbox: SandboxProcess) -> None:
    current = clean_sandbox.knobs()
    form = _knob_form(current, latency_ms=-5, forced_429="always")
    response = clean_sandbox.client.post("/_sandbox/admin/knobs", data=form)
    assert response.status_code == 400
    assert "errorlist" in response.text
    assert clean_sandbox.knobs() == current


def test_admin_page_lists_every_knob(clean_sandbox: SandboxProcess) -> None:
    page = clean_sandbox.client.get("/_sandbox/").text
    for name in clean_sandbox.knobs():
        assert f'name="{name}"' in page
