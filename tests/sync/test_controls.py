"""Per-record and per-organisation controls over the sandbox: audited, and honoured."""

from datetime import timedelta

import pytest
from django.utils import timezone

from syncadmin.models import AuditEvent, CrmRecord, LinkProvenance, LinkState, RecordLink
from syncadmin.sync import controls, links
from syncadmin.sync.mirror import mirror_pull
from syncadmin.sync.profile import org_clients

pytestmark = pytest.mark.django_db


def new_account(org, name: str) -> CrmRecord:
    """A UK-ready CRM account made through the product's client, then mirrored."""
    [result] = org_clients(org).crm.insert(
        module="Accounts", records=[{"Account_Name": name, "VAT_Treatment": "uk"}]
    )
    assert result.ok, result
    mirror_pull(organization_id=org.books_organization_id, books=False)
    return CrmRecord.objects.get(module="Accounts", crm_id=result.id)


def books_names(org) -> set[str]:
    return {c.contact_name for c in org_clients(org).books.contacts()}


def audited(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def test_pausing_a_record_without_a_customer_gives_it_a_paused_orphaned_crm_link(
    connected_org, admin_user
):
    record = new_account(connected_org, "Quayside Ropes Ltd")

    link = controls.record_pause(
        crm_record=record, organization_id=connected_org.books_organization_id,
        actor=admin_user, reason="Credit check",
    )  # fmt: skip

    assert (link.state, link.paused, link.books_contact) == (LinkState.ORPHANED_CRM, True, None)
    (event,) = audited("record_pause")
    assert (event.target_type, event.target_id) == ("record", f"Accounts:{record.crm_id}")
    assert event.before["paused"] is False and event.after["reason"] == "Credit check"


def test_push_now_skips_a_paused_record(connected_org, admin_user):
    record = new_account(connected_org, "Lantern Works Ltd")
    org = connected_org.books_organization_id
    controls.record_pause(crm_record=record, organization_id=org, actor=admin_user, reason="Hold")

    outcome = controls.record_push_now(crm_record=record, organization_id=org, actor=admin_user)

    assert (outcome.outcome, outcome.reason_code) == ("skipped", "paused")
    assert "Lantern Works Ltd" not in books_names(connected_org)
    assert audited("record_push_now")[0].after["reason"] == "paused"


def test_push_now_sends_the_record_once_resumed(connected_org, admin_user):
    record = new_account(connected_org, "Tidewater Glass Ltd")
    org = connected_org.books_organization_id
    link = controls.record_pause(
        crm_record=record, organization_id=org, actor=admin_user, reason="Hold"
    )
    controls.record_resume(link=link, actor=admin_user)

    outcome = controls.record_push_now(crm_record=record, organization_id=org, actor=admin_user)

    assert outcome.outcome == "created", outcome.message
    assert "Tidewater Glass Ltd" in books_names(connected_org)
    link.refresh_from_db()
    assert link.state == LinkState.LINKED and not link.paused  # the placeholder was completed


def test_a_timed_pause_ends_by_itself_and_the_system_is_audited(connected_org, admin_user):
    record = new_account(connected_org, "Harbour Sails Ltd")
    link = controls.record_pause(
        crm_record=record, organization_id=connected_org.books_organization_id,
        actor=admin_user, reason="Until month end", until=timezone.now() + timedelta(hours=1),
    )  # fmt: skip

    assert controls.pauses_expire(now=timezone.now()) == 0
    assert controls.pauses_expire(now=timezone.now() + timedelta(hours=2)) == 1

    link.refresh_from_db()
    assert not link.paused
    (event,) = audited("record_resume")
    assert event.actor is None and event.actor_label == "system"


def test_reimport_is_refused_while_the_native_integration_is_off(connected_org, admin_user):
    record = new_account(connected_org, "Breakwater Tools Ltd")
    controls.sync_settings_update(
        settings=connected_org, actor=admin_user, native_integration_active=False
    )

    with pytest.raises(controls.ControlRefused, match="switched off"):
        controls.record_reimport(
            crm_record=record, organization_id=connected_org.books_organization_id,
            actor=admin_user,
        )  # fmt: skip
    (event,) = audited("sync_settings_update")
    assert event.before == {"native_integration_active": True}
    assert event.after == {"native_integration_active": False}


def test_reimport_links_the_customer_books_imported(connected_org, admin_user):
    record = new_account(connected_org, "Saltmarsh Foods Ltd")

    link = controls.record_reimport(
        crm_record=record, organization_id=connected_org.books_organization_id, actor=admin_user
    )

    assert (link.provenance, link.state) == (LinkProvenance.IMPORTED, LinkState.LINKED)
    assert link.books_contact.zcrm_account_id == record.crm_id
    assert audited("record_reimport")[0].after == {
        "books_contact_id": link.books_contact.contact_id
    }


def test_relink_keeps_history_and_an_unlinked_pair_is_not_imported_again(messy_org, admin_user):
    org = messy_org.books_organization_id
    mirror_pull(organization_id=org)
    link = RecordLink.objects.filter(state=LinkState.LINKED, crm_module="Accounts").first()
    spare = RecordLink.objects.filter(state=LinkState.LINKED).exclude(pk=link.pk).first()
    controls.link_unlink(link=spare, actor=admin_user, note="wrong pairing")
    old_contact = link.books_contact

    fresh = controls.link_relink(link=link, books_contact=spare.books_contact, actor=admin_user)
    links.links_refresh(organization_id=org)

    link.refresh_from_db()
    assert (link.state, link.superseded_by) == (LinkState.SUPERSEDED, fresh)
    assert fresh.provenance == LinkProvenance.MANUAL
    # The native ids still pair the old customer with the record; the person's relink holds.
    assert not RecordLink.objects.filter(
        books_contact=old_contact, state=LinkState.LINKED, crm_record=link.crm_record
    ).exists()
    assert [e.before["books_contact_id"] for e in audited("link_relink")] == [
        old_contact.contact_id
    ]


def test_org_pause_stops_push_now_and_is_audited(connected_org, admin_user):
    record = new_account(connected_org, "Estuary Fabrics Ltd")
    org = connected_org.books_organization_id
    controls.org_pause(settings=connected_org, actor=admin_user, reason="Year-end close")

    outcome = controls.record_push_now(crm_record=record, organization_id=org, actor=admin_user)

    assert outcome.reason_code == "paused"
    (event,) = audited("org_pause")
    assert (event.target_type, event.target_id) == ("org", org)
    controls.org_resume(settings=connected_org, actor=admin_user)
    assert audited("org_resume")[0].after == {"paused": False, "reason": ""}


def test_reimport_is_refused_for_a_paused_record(connected_org, admin_user):
    record = new_account(connected_org, "Slipway Paints Ltd")
    org = connected_org.books_organization_id
    controls.record_pause(crm_record=record, organization_id=org, actor=admin_user, reason="x")

    with pytest.raises(controls.ControlRefused, match="paused"):
        controls.record_reimport(crm_record=record, organization_id=org, actor=admin_user)
    assert "Slipway Paints Ltd" not in books_names(connected_org)
