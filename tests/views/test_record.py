"""Record page: both sides with differences marked, money and deals, one timeline, and the
actions by role; every action answers htmx with the re-rendered record."""

import pytest
from django.urls import reverse

from syncadmin.models import AuditEvent, EventOutcome, LinkProvenance, LinkState
from syncadmin.services import audit_record
from syncadmin.sync import controls
from syncadmin.sync.profile import org_clients, sync_settings_ensure
from tests.factories import (
    BooksContactFactory,
    RecordLinkFactory,
    SyncEventFactory,
    SyncFailureFactory,
)
from tests.sync.support import books_customers_for
from tests.sync.test_controls import new_account
from tests.views.conftest import HTMX, audited, record_target, sandbox_pair

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
    # session, user, permissions (2), the pair, events, failures, audit, role, connection
    # problems, alert banners: the timeline is three reads however long it is
    with django_assert_max_num_queries(11):
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


def rename_in_crm(link, name: str) -> None:
    """Change the account's name in the sandbox's CRM, as a salesperson would."""
    org = sync_settings_ensure(books_organization_id=link.books_organization_id)
    [result] = org_clients(org).crm.update(
        module="Accounts", records=[{"id": link.crm_record.crm_id, "Account_Name": name}]
    )
    assert result.ok, result


def books_name(link) -> str:
    org = sync_settings_ensure(books_organization_id=link.books_organization_id)
    return org_clients(org).books.contact(contact_id=link.books_contact.contact_id).contact_name


def test_push_now_rerenders_the_record_in_place(connected_org, sales_client, sales_user):
    pair = sandbox_pair(connected_org, "Pushnow Pumps Ltd")
    rename_in_crm(pair, "Pushnow Pumps & Valves Ltd")

    response = sales_client.post(reverse("record-push", args=[pair.pk]), **HTMX)

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="record"') and "Push now: updated" in html
    # The push really reached Books, read CRM's current values and was audited.
    assert books_name(pair) == "Pushnow Pumps & Valves Ltd"
    (event,) = audited("record_push_now")
    assert (event.target_type, event.target_id) == record_target(pair)
    assert event.actor == sales_user and event.after == {"outcome": "updated", "reason": ""}


def test_push_without_htmx_redirects_back(connected_org, sales_client):
    pair = sandbox_pair(connected_org, "Redirect Rivets Ltd")
    rename_in_crm(pair, "Redirect Rivets Group Ltd")

    response = sales_client.post(reverse("record-push", args=[pair.pk]))

    assert response.status_code == 302 and response["Location"] == reverse("record", args=[pair.pk])
    assert books_name(pair) == "Redirect Rivets Group Ltd"
    assert [e.after["outcome"] for e in audited("record_push_now")] == ["updated"]


def test_pause_needs_a_reason_and_then_pauses(pair, admin_client_, admin_user):
    response = admin_client_.post(reverse("record-pause", args=[pair.pk]), {"reason": ""}, **HTMX)
    assert "This field is required" in response.content.decode()
    pair.refresh_from_db()
    assert not pair.paused and audited("record_pause") == []  # the form stopped it

    response = admin_client_.post(
        reverse("record-pause", args=[pair.pk]), {"reason": "dispute"}, **HTMX
    )
    assert "Resume" in response.content.decode()
    pair.refresh_from_db()
    assert (pair.paused, pair.paused_reason, pair.paused_by) == (True, "dispute", admin_user)
    (event,) = audited("record_pause")
    assert (event.target_type, event.target_id) == record_target(pair)
    assert (event.actor, event.note) == (admin_user, "dispute")
    assert event.before["paused"] is False and event.after["paused"] is True


def test_resume_lifts_the_pause(pair, admin_client_, admin_user):
    controls.record_pause(link=pair, actor=admin_user, reason="dispute")
    response = admin_client_.post(reverse("record-resume", args=[pair.pk]), **HTMX)
    assert "Resumed." in response.content.decode()
    pair.refresh_from_db()
    assert (pair.paused, pair.paused_reason, pair.paused_by) == (False, "", None)
    (event,) = audited("record_resume")
    assert event.target_id == record_target(pair)[1] and event.before["reason"] == "dispute"


def test_unlink_asks_for_confirmation(pair, admin_client_, admin_user):
    html = admin_client_.get(reverse("record", args=[pair.pk])).content.decode()
    assert "hx-confirm=" in html
    admin_client_.post(reverse("record-unlink", args=[pair.pk]), {}, **HTMX)
    pair.refresh_from_db()
    assert pair.state == LinkState.LINKED and audited("link_unlink") == []
    admin_client_.post(reverse("record-unlink", args=[pair.pk]), {"confirm": "on"}, **HTMX)
    pair.refresh_from_db()
    assert pair.state == LinkState.SUPERSEDED  # kept as history, no longer speaking
    (event,) = audited("link_unlink")
    assert (event.target_type, event.target_id) == record_target(pair)
    assert event.before == {"state": "linked", "books_contact_id": pair.books_contact.contact_id}


def test_relink_picker_searches_as_you_type_and_relinks(pair, admin_client_):
    target = BooksContactFactory(
        contact_name="Pairzz Holdings", organization_id=pair.books_organization_id
    )
    BooksContactFactory(contact_name="Pairzz Elsewhere", organization_id="other-org")
    html = admin_client_.get(
        reverse("record-books-search", args=[pair.pk]), {"q": "pairzz h"}, **HTMX
    ).content.decode()
    assert html.lstrip().startswith('<div id="picker-options"') and "Pairzz Holdings" in html
    assert "Elsewhere" not in html
    old_contact = pair.books_contact
    response = admin_client_.post(
        reverse("record-relink", args=[pair.pk]), {"books_contact": target.pk}, **HTMX
    )
    assert "Relinked to Pairzz Holdings" in response.content.decode()
    pair.refresh_from_db()
    fresh = pair.superseded_by
    assert pair.state == LinkState.SUPERSEDED and fresh is not None
    assert (fresh.books_contact, fresh.provenance, fresh.crm_record) == (
        target, LinkProvenance.MANUAL, pair.crm_record
    )  # fmt: skip
    (event,) = audited("link_relink")
    assert event.before == {"books_contact_id": old_contact.contact_id}
    assert event.after == {"books_contact_id": target.contact_id}


def test_sales_may_not_pause_or_relink(pair, sales_client):
    before, contact = AuditEvent.objects.count(), pair.books_contact_id
    target = BooksContactFactory(organization_id=pair.books_organization_id)
    for name, data in (("record-pause", {"reason": "x"}), ("record-resume", {}),
                       ("record-relink", {"books_contact": target.pk}),
                       ("record-unlink", {"confirm": "on"})):  # fmt: skip
        assert sales_client.post(reverse(name, args=[pair.pk]), data).status_code == 403
    pair.refresh_from_db()
    assert (pair.paused, pair.state, pair.books_contact_id, pair.superseded_by) == (
        False, LinkState.LINKED, contact, None
    )  # fmt: skip
    assert AuditEvent.objects.count() == before


def test_unlinked_crm_record_page_pushes_and_becomes_the_pair(connected_org, sales_client):
    lone = new_account(connected_org, "Lonezz Ltd")
    html = sales_client.get(reverse("record-crm", args=[lone.pk])).content.decode()
    assert "Not linked to a Books customer" in html and "Push now" in html

    response = sales_client.post(reverse("record-crm-push", args=[lone.pk]), **HTMX)

    html = response.content.decode()
    assert "Linked" in html and "Push now: created" in html
    link = lone.links.get()
    assert response["HX-Push-Url"] == reverse("record", args=[link.pk])
    # Once linked, the CRM record's page is the pair's page.
    assert sales_client.get(reverse("record-crm", args=[lone.pk])).status_code == 302
    # Books now has exactly one customer for the record, the one the link points at.
    [customer] = books_customers_for(connected_org, lone.crm_id)
    assert link.books_contact.contact_id == customer.contact_id
    (event,) = audited("record_push_now")
    assert event.target_id == f"Accounts:{lone.crm_id}" and event.after["outcome"] == "created"


def test_a_refused_control_is_a_message_not_an_error(pair, sales_client, admin_user):
    # Zoho's own integration switched off for the organisation: Books cannot import.
    settings = sync_settings_ensure(books_organization_id=pair.books_organization_id)
    controls.sync_settings_update(
        settings=settings, actor=admin_user, native_integration_active=False
    )
    response = sales_client.post(reverse("record-reimport", args=[pair.pk]), **HTMX)
    assert response.status_code == 200
    assert "switched off for this organisation" in response.content.decode()
    pair.refresh_from_db()
    assert pair.provenance == LinkProvenance.NATIVE_NAME_MATCH and audited("record_reimport") == []


def test_reimport_of_a_paused_record_is_refused_with_the_pause_reason(
    pair, sales_client, admin_user
):
    controls.record_pause(link=pair, actor=admin_user, reason="disputed invoice")
    response = sales_client.post(reverse("record-reimport", args=[pair.pk]), **HTMX)
    assert response.status_code == 200
    assert "This record is paused: disputed invoice" in response.content.decode()
    pair.refresh_from_db()
    assert pair.provenance == LinkProvenance.NATIVE_NAME_MATCH and audited("record_reimport") == []


def test_reimport_links_the_customer_books_imported(
    connected_org, sales_client, sales_user, admin_user
):
    record = new_account(connected_org, "Reimport Rope Ltd")
    # Paused before it ever reached Books, the record got a placeholder link (no customer);
    # once resumed, re-import has Books import it through Zoho's own integration.
    pair = controls.record_pause(
        crm_record=record, organization_id=connected_org.books_organization_id,
        actor=admin_user, reason="checking",
    )  # fmt: skip
    controls.record_resume(link=pair, actor=admin_user)

    response = sales_client.post(reverse("record-reimport", args=[pair.pk]), **HTMX)

    assert "Re-import: done." in response.content.decode()
    pair.refresh_from_db()
    assert (pair.state, pair.provenance) == (LinkState.LINKED, LinkProvenance.IMPORTED)
    assert pair.books_contact.zcrm_account_id == record.crm_id
    (event,) = audited("record_reimport")
    assert (event.actor, event.target_id) == (sales_user, record_target(pair)[1])
    assert event.after == {"books_contact_id": pair.books_contact.contact_id}
