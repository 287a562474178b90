"""Fixtures for the dashboard screens: a clean diagnostics cache and a recording stand-in
for the record controls (the controls' own tests drive them against the sandbox)."""

from types import SimpleNamespace

import pytest
from django.core.cache import cache

import syncadmin.sync
from tests.sync.conftest import connected_org  # noqa: F401 - a Books org bound to the sandbox

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _fresh_diagnostics():
    """The checklist's facts are cached between requests; tests start without them."""
    cache.clear()
    yield
    cache.clear()


class RecordingControls:
    """Records each control call and answers like the service would."""

    def __init__(self):
        self.calls: list[tuple[str, dict]] = []
        self.push_reason = ""

    def _log(self, name, **kwargs):
        self.calls.append((name, kwargs))

    def record_push_now(self, *, crm_record, organization_id, actor):
        self._log("push", crm_record=crm_record, organization_id=organization_id, actor=actor)
        from syncadmin.models import RecordLink

        link = RecordLink.objects.filter(crm_record=crm_record).first()
        return SimpleNamespace(outcome="updated" if link else "created", link=link,
                               reason_code=self.push_reason, message="")  # fmt: skip

    def record_reimport(self, *, crm_record, organization_id, actor):
        self._log("reimport", crm_record=crm_record)
        return SimpleNamespace(outcome="linked", link=None, reason_code="", message="")

    def record_pause(self, *, link, actor, reason, until=None):
        self._log("pause", link=link, reason=reason, until=until)
        type(link).objects.filter(pk=link.pk).update(
            paused=True, paused_reason=reason, paused_by=actor
        )

    def record_resume(self, *, link, actor):
        self._log("resume", link=link)
        type(link).objects.filter(pk=link.pk).update(paused=False, paused_reason="")

    def link_relink(self, *, link, books_contact, actor):
        self._log("relink", link=link, books_contact=books_contact)
        type(link).objects.filter(pk=link.pk).update(books_contact=books_contact)
        return link

    def link_unlink(self, *, link, actor, note=""):
        self._log("unlink", link=link, note=note)
        type(link).objects.filter(pk=link.pk).update(state="superseded")

    def org_pause(self, *, settings, actor, reason):
        self._log("org_pause", settings=settings, reason=reason)
        type(settings).objects.filter(pk=settings.pk).update(paused=True, paused_reason=reason)

    def org_resume(self, *, settings, actor):
        self._log("org_resume", settings=settings)
        type(settings).objects.filter(pk=settings.pk).update(paused=False)

    def sync_settings_update(self, *, settings, actor, **changes):
        self._log("settings_update", **changes)
        type(settings).objects.filter(pk=settings.pk).update(**changes)

    def names(self):
        return [name for name, _ in self.calls]


@pytest.fixture
def controls(monkeypatch):
    fake = RecordingControls()
    monkeypatch.setattr(syncadmin.sync, "controls", fake, raising=False)
    return fake
