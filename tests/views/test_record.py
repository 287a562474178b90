"""Record page: both sides with differences marked, money and deals, one timeline, and the
actions by role; every action answers htmx with the re-rendered record."""

import pytest
from django.urls import reverse

from syncadmin.models import AuditEvent, EventOutcome
from syncadmin.services import audit_record
from tests.factories import (
    BooksContactFactory,
    CrmRecordFactory,
    RecordLinkFactory,
    SyncEventFactory,
    SyncFailureFactory,
)
from tests.views.conftest import HTMX

ROLES = ["admin", "finance", "sales"]


@pytest.fixture
def pair(db, admin_user):
    link = RecordLinkFactory(
        crm_record__name="Pairzz Ltd", crm_record__email="a@pairzz.test", crm_record__deal_count=3,
        books_contact__contact_name="Pairzz Ltd", books_contact__email="accounts@pairzz.test",
        books_contact__invoice_count=7, books_contact__outstanding_receivable="1250.50",
    )  # fmt: skip
    SyncEventFactory(
        crm_record=link.crm_record, outcome=EventOutcome.UPDATED, message="pushed name"
    )
    SyncFailureFactory(crm_record=link.crm_record, reason_code="missing_vat_treatment", attempts=3)
    audit_record(actor=admin_user, action="record.pause", target_type="record",
                 target_id=f"Accounts:{link.crm_record.crm_id}", note="month end")  # fmt: skip
    return link


@pytest.mark.parametrize("persona", ROLES, indirect=True)
def test_record_page_shows_both_sides_money_and_timeline(
    persona, pair, client, django_assert_max_num_queries
):
    client.force_login(persona)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("record", args=[pair.pk]))
    html = response.content.decode()
    [email] = [r for r in response.context["fields"] if r.label == "Email"]
    assert email.differs and 'class="differs"' in html
    assert "1250.50" in html and ">7<" in html and ">3<" in html
    kinds = [e.kind for e in response.context["timeline"]]
    assert {"push", "failure", "retry", "audit"} <= set(kinds)
    assert "ada" in html and "month end" in html


@pytest.mark.parametrize("persona", ROLES, indirect=True)
def test_record_htmx_gets_the_record_fragment(persona, pair, client):
    client.force_login(persona)
    html = client.get(reverse("record", args=[pair.pk]), **HTMX).content.decode()
    assert html.lstrip().startswith('<div id="record"') and "<nav" not in html


@pytest.mark.parametrize(
    ("persona", "shown", "hidden"),
    [("admin", ["Push now", "Pause this pair", "Unlink"], []),
     ("sales", ["Push now", "Re-import"], ["Pause this pair", "Unlink"]),
     ("finance", [], ["Push now", "Pause this pair", "Unlink"])],
    indirect=["persona"],
)  # fmt: skip
def test_actions_shown_by_role(persona, shown, hidden, pair, client):
    client.force_login(persona)
    html = client.get(reverse("record", args=[pair.pk])).content.decode()
    assert all(s in html for s in shown) and not any(h in html for h in hidden)


def test_push_now_rerenders_the_record_in_place(pair, sales_client, controls):
    response = sales_client.post(reverse("record-push", args=[pair.pk]), **HTMX)
    assert controls.names() == ["push"]
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="record"') and "Push now: updated" in html


def test_push_without_htmx_redirects_back(pair, sales_client, controls):
    response = sales_client.post(reverse("record-push", args=[pair.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("record", args=[pair.pk])


def test_pause_needs_a_reason_and_then_pauses(pair, admin_client_, controls):
    response = admin_client_.post(reverse("record-pause", args=[pair.pk]), {"reason": ""}, **HTMX)
    assert controls.calls == [] and "This field is required" in response.content.decode()
    response = admin_client_.post(
        reverse("record-pause", args=[pair.pk]), {"reason": "dispute"}, **HTMX
    )
    assert controls.names() == ["pause"] and "Resume" in response.content.decode()


def test_unlink_asks_for_confirmation(pair, admin_client_, controls):
    html = admin_client_.get(reverse("record", args=[pair.pk])).content.decode()
    assert "hx-confirm=" in html
    admin_client_.post(reverse("record-unlink", args=[pair.pk]), {}, **HTMX)
    assert controls.calls == []
    admin_client_.post(reverse("record-unlink", args=[pair.pk]), {"confirm": "on"}, **HTMX)
    assert controls.names() == ["unlink"]


def test_relink_picker_searches_as_you_type_and_relinks(pair, admin_client_, controls):
    target = BooksContactFactory(
        contact_name="Pairzz Holdings", organization_id=pair.books_organization_id
    )
    BooksContactFactory(contact_name="Pairzz Elsewhere", organization_id="other-org")
    html = admin_client_.get(
        reverse("record-books-search", args=[pair.pk]), {"q": "pairzz h"}, **HTMX
    ).content.decode()
    assert html.lstrip().startswith('<div id="picker-options"') and "Pairzz Holdings" in html
    assert "Elsewhere" not in html
    response = admin_client_.post(
        reverse("record-relink", args=[pair.pk]), {"books_contact": target.pk}, **HTMX
    )
    assert controls.calls[0][1]["books_contact"] == target
    assert "Relinked to Pairzz Holdings" in response.content.decode()


def test_sales_may_not_pause_or_relink(pair, sales_client, controls):
    for name in ("record-pause", "record-resume", "record-relink", "record-unlink"):
        assert sales_client.post(reverse(name, args=[pair.pk]), {"reason": "x"}).status_code == 403
    assert controls.calls == []


def test_unlinked_crm_record_page_pushes_and_becomes_the_pair(db, sales_client, controls):
    from syncadmin.models import SyncSettings

    SyncSettings.objects.create(books_organization_id="20099000001")
    lone = CrmRecordFactory(name="Lonezz Ltd")
    html = sales_client.get(reverse("record-crm", args=[lone.pk])).content.decode()
    assert "Not linked to a Books customer" in html and "Push now" in html

    def push_and_link(*, crm_record, organization_id, actor):
        link = RecordLinkFactory(crm_record=crm_record, books_organization_id=organization_id)
        from types import SimpleNamespace

        return SimpleNamespace(outcome="created", link=link, reason_code="", message="")

    controls.record_push_now = push_and_link
    response = sales_client.post(reverse("record-crm-push", args=[lone.pk]), **HTMX)
    assert "Linked" in response.content.decode() and response["HX-Push-Url"].startswith("/records/")
    # Once linked, the CRM record's page is the pair's page.
    assert sales_client.get(reverse("record-crm", args=[lone.pk])).status_code == 302
    assert AuditEvent.objects.count() == 0  # the stand-in audits nothing; the real control does


def test_a_refused_control_is_a_message_not_an_error(pair, sales_client, controls):
    from syncadmin.sync.controls import ControlRefused

    def refuse(**kwargs):
        raise ControlRefused("Zoho's CRM integration is off in Books; re-import needs it on.")

    controls.record_reimport = refuse
    response = sales_client.post(reverse("record-reimport", args=[pair.pk]), **HTMX)
    assert response.status_code == 200
    assert "re-import needs it on" in response.content.decode()
