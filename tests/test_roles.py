"""The role matrix granted by the 0002_roles migration."""

import pytest

from syncadmin.access import can, role_of
from syncadmin.models.roles import CAPABILITIES

EXPECTED = {
    "admin": {
        "view_dashboard", "manage_connections", "manage_settings", "push_record",
        "reimport_record", "pause_record", "export_mapping",
    },
    "finance": {"view_dashboard", "approve_cleanup", "deactivate_contact", "export_mapping"},
    "sales": {"view_dashboard", "push_record", "reimport_record"},
}  # fmt: skip


@pytest.mark.parametrize("persona", ["admin", "finance", "sales"], indirect=True)
def test_each_role_holds_exactly_its_capabilities(persona):
    role = role_of(persona)
    granted = {codename for codename, _ in CAPABILITIES if can(persona, codename)}
    assert granted == EXPECTED[role]


def test_only_finance_approves_cleanup(admin_user, finance_user, sales_user):
    # Separation of duties: whoever runs the sync does not also sign off deletions.
    assert [can(u, "approve_cleanup") for u in (admin_user, finance_user, sales_user)] == [
        False,
        True,
        False,
    ]


def test_user_without_role_can_do_nothing(django_user_model):
    nobody = django_user_model.objects.create_user("nobody", password="x")
    assert role_of(nobody) == "no role"
    assert not any(can(nobody, codename) for codename, _ in CAPABILITIES)
