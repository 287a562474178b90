"""History (chart, run detail, live progress that stops), Settings (admin only, audited
through the service) and alerts (one email per state change, one on recovery, a banner)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from syncadmin.diagnostics.alerts import alerts_evaluate
from syncadmin.models import (
    AuditEvent,
    ConnectionStatus,
    EventOutcome,
    RunKind,
    RunStatus,
    SyncSettings,
)
from tests.factories import ConnectionFactory, SyncEventFactory, SyncFailureFactory, SyncRunFactory
from tests.views.conftest import HTMX

ROLES = ["admin", "finance", "sales"]


@pytest.fixture
def run(db, admin_user):
    run = SyncRunFactory(
        kind=RunKind.PUSH,
        status=RunStatus.RUNNING,
        total=10,
        processed=4,
        triggered_by=admin_user,
        started_at=timezone.now(),
    )
    SyncEventFactory.create_batch(3, run=run, outcome=EventOutcome.CREATED)
    SyncEventFactory(run=run, outcome=EventOutcome.FAILED, message="3062")
    return run


def test_history_chart_is_server_rendered_svg_with_the_days_counts(run, finance_client):
    SyncFailureFactory()
    html = finance_client.get(reverse("history")).content.decode()
    assert (
        "<svg" in html
        and "3 pushes, 1 failures" in html
        and "<script" not in html.split("<main>")[1]
    )


@pytest.mark.parametrize("persona", ROLES, indirect=True)
def test_run_detail_lists_its_events_page_and_fragment(
    persona, run, client, django_assert_max_num_queries
):
    client.force_login(persona)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("run", args=[run.pk]))
    assert len(response.context["table"].page.object_list) == 4
    assert 'hx-trigger="every 2s"' in response.content.decode()
    fragment = client.get(reverse("run", args=[run.pk]), **HTMX).content.decode()
    assert fragment.lstrip().startswith('<section id="results"')


def test_progress_polls_while_running_and_stops_when_the_run_ends(run, sales_client):
    live = sales_client.get(reverse("run-progress", args=[run.pk]), **HTMX)
    assert live.status_code == 200 and 'hx-trigger="every 2s"' in live.content.decode()
    type(run).objects.filter(pk=run.pk).update(
        status=RunStatus.SUCCEEDED, finished_at=timezone.now()
    )
    done = sales_client.get(reverse("run-progress", args=[run.pk]), **HTMX)
    # 286 tells htmx to stop polling; the final numbers still replace the old ones.
    assert done.status_code == 286 and "Succeeded" in done.content.decode()
    assert "every 2s" not in done.content.decode()


@pytest.fixture
def org(db):
    return SyncSettings.objects.create(books_organization_id="20099000001")


def test_settings_are_admin_only(org, finance_client, sales_client):
    for client in (finance_client, sales_client):
        assert client.get(reverse("settings-org", args=[org.pk])).status_code == 403


def test_admin_saves_settings_through_the_audited_service(org, admin_client_, admin_user):
    form = {
        "module_mapping": "both",
        "scope_field": "Sync_to_Books",
        "scope_value": "true",
        "field_mapping": '{"Industry": "cf_industry"}',
        "writeback_field": "Books_Contact_ID",
        "native_integration_active": "on",
        "money_to_crm": "on",
    }
    response = admin_client_.post(reverse("settings-org", args=[org.pk]), form, **HTMX)
    assert response.content.decode().lstrip().startswith('<section id="settings-form"')
    changes = {
        "module_mapping": "both",
        "scope_field": "Sync_to_Books",
        "scope_value": "true",
        "field_mapping": {"Industry": "cf_industry"},
    }
    org.refresh_from_db()
    assert {key: getattr(org, key) for key in changes} == changes
    # One audit event with only what changed (the unchanged fields are left out).
    (event,) = AuditEvent.objects.all()
    assert (event.action, event.target_type, event.target_id, event.actor) == (
        "sync_settings_update", "org", "20099000001", admin_user
    )  # fmt: skip
    assert event.after == changes and set(event.before) == set(changes)


def test_settings_reject_half_a_scope(org, admin_client_):
    form = {"module_mapping": "accounts", "scope_field": "Sync_to_Books", "writeback_field": "X"}
    html = admin_client_.post(reverse("settings-org", args=[org.pk]), form).content.decode()
    assert "Give both the scope field and its value" in html
    org.refresh_from_db()
    assert (org.scope_field, org.writeback_field) == ("", "Books_Contact_ID")
    assert not AuditEvent.objects.exists()


def test_admin_pauses_and_resumes_the_organisation(org, admin_client_, admin_user):
    admin_client_.post(reverse("settings-pause", args=[org.pk]), {"reason": "migration"})
    org.refresh_from_db()
    assert (org.paused, org.paused_reason, org.paused_by) == (True, "migration", admin_user)
    assert org.paused_at is not None
    admin_client_.post(reverse("settings-pause", args=[org.pk]))
    org.refresh_from_db()
    assert (org.paused, org.paused_reason, org.paused_by) == (False, "", None)
    events = AuditEvent.objects.order_by("pk")
    assert [(e.action, e.target_type, e.target_id, e.note) for e in events] == [
        ("org_pause", "org", "20099000001", "migration"),
        ("org_resume", "org", "20099000001", ""),
    ]


def test_settings_link_to_the_connection_plan_form(org, admin_client_):
    books = ConnectionFactory(organization_id=org.books_organization_id)
    SyncSettings.objects.filter(pk=org.pk).update(books_connection=books)
    html = admin_client_.get(reverse("settings-org", args=[org.pk])).content.decode()
    assert reverse("connection-plan", args=[books.pk]) in html


def test_alert_emails_once_per_change_and_once_on_recovery(db, admin_user, sales_client):
    connection = ConnectionFactory(status=ConnectionStatus.USER_INACTIVE, status_detail="Gone.")
    assert len(alerts_evaluate()) == 1 and len(mail.outbox) == 1
    assert mail.outbox[0].to == [admin_user.email] and "connection is red" in mail.outbox[0].subject
    alerts_evaluate()
    assert len(mail.outbox) == 1  # still red: no second email
    assert "connection is red" in sales_client.get(reverse("mapping")).content.decode()  # banner

    type(connection).objects.filter(pk=connection.pk).update(status=ConnectionStatus.CONNECTED)
    alerts_evaluate()
    assert len(mail.outbox) == 2 and mail.outbox[1].subject.startswith("[syncadmin] Recovered")
    assert "connection is red" not in sales_client.get(reverse("mapping")).content.decode()


def test_alerts_for_a_lapsed_channel_an_old_pause_and_a_failure_jump(db, admin_user):
    now = timezone.now()
    SyncSettings.objects.create(
        books_organization_id="1",
        channel_expires_at=now - timedelta(hours=1),
        paused=True,
        paused_at=now - timedelta(days=2),
        paused_by=admin_user,
    )
    SyncFailureFactory.create_batch(20)
    keys = sorted(a.key for a in alerts_evaluate())
    assert keys == ["channel:1", "failures:jump", "pause:1"]


def test_beat_runs_alerts_and_the_diagnostics_refresh(db, admin_user):
    from django.conf import settings

    from syncadmin import tasks
    from syncadmin.celery import app

    schedule = {v["task"] for v in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"syncadmin.tasks.alerts_evaluate", "syncadmin.tasks.diagnostics_refresh"} <= schedule
    assert schedule <= set(app.tasks)
    ConnectionFactory(status=ConnectionStatus.NEEDS_REAUTH)
    assert tasks.alerts_evaluate.delay().get() == 1 and len(mail.outbox) == 1
    tasks.diagnostics_refresh.delay()
