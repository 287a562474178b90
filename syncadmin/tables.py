"""django-tables2 tables for the list screens (all rendered by components/_table.html)."""

from functools import lru_cache

import django_tables2 as tables
import django_tables2.utils
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from syncadmin.models import BooksContact, CrmRecord, RecordLink, SyncEvent, SyncFailure, SyncRun
from syncadmin.sync.fixes import FIXABLE
from syncadmin.sync.reasons import label

_signature = django_tables2.utils.signature


@lru_cache(maxsize=512)
def _cached_signature(function, bound: bool):
    return _signature(function.__get__(object()) if bound else function)


def _signature_by_function(fn):
    """django-tables2 inspects the render method's signature for every cell (a third of a
    50-row page's time); the answer depends only on the function, so remember it."""
    function = getattr(fn, "__func__", None)
    if function is None or not hasattr(function, "__get__"):
        return _signature(fn)
    return _cached_signature(function, True)


django_tables2.utils.signature = _signature_by_function


class WhenColumn(tables.Column):
    """A date-time cell formatted in Python: django-tables2's DateTimeColumn renders a
    template per cell, which on 50 rows × 3 dates costs more than the query."""

    def __init__(self, *args, seconds: bool = False, **kwargs):
        self.format = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
        super().__init__(*args, **kwargs)

    def render(self, value):
        return timezone.localtime(value).strftime(self.format)


class PickColumn(tables.Column):
    """The row's tick box for a bulk form elsewhere on the page (``form="bulk"``); built
    directly, as CheckBoxColumn computes its attributes anew for every cell."""

    def __init__(self, **kwargs):
        super().__init__(accessor="pk", verbose_name="Pick", orderable=False, **kwargs)

    def render(self, value):
        return format_html(
            '<input type="checkbox" name="ids" value="{}" form="bulk" aria-label="Pick row {}">',
            value,
            value,
        )


AUTH_REASONS = ("token_invalid", "user_inactive", "not_authorised", "wrong_organisation")


class LinkTable(tables.Table):
    """Ten columns, each cell rendered once: on a page of 50 rows the cell count is what
    the page costs, so CRM and Books each show name and id in one cell."""

    select = PickColumn()
    crm_name = tables.Column(
        verbose_name="CRM record",
        accessor="crm_record",
        default="—",
        order_by=("crm_record__name",),
    )
    crm_module = tables.Column(verbose_name="Module")
    books_name = tables.Column(
        verbose_name="Books customer",
        accessor="books_contact",
        default="—",
        order_by=("books_contact__contact_name",),
    )
    provenance = tables.Column(verbose_name="How linked")
    state = tables.Column(empty_values=())
    last_pushed_at = WhenColumn(verbose_name="Last push")
    last_pulled_at = WhenColumn(verbose_name="Last pull")
    failures = tables.Column(verbose_name="Open failures", empty_values=(), orderable=False)
    updated_at = WhenColumn(verbose_name="Changed")

    class Meta:
        model = RecordLink
        fields = ()
        sequence = (
            "select",
            "crm_name",
            "crm_module",
            "books_name",
            "provenance",
            "state",
            "last_pushed_at",
            "last_pulled_at",
            "failures",
            "updated_at",
        )
        empty_text = "No links match. Clear the filters, or run a mirror if nothing is linked yet."
        attrs = {"class": "table"}

    failure_counts: dict[int, int] = {}

    def render_crm_name(self, record, value):
        return format_html(
            '<a href="{}">{}</a><br><small class="muted">{}</small>',
            reverse("record", args=[record.pk]),
            value.name,
            value.crm_id,
        )

    def render_books_name(self, record, value):
        return format_html(
            '<a href="{}">{}</a><br><small class="muted">{}</small>',
            reverse("record", args=[record.pk]),
            value.contact_name,
            value.contact_id,
        )

    def render_state(self, record):
        extra = " · crossed" if record.crossed else ""
        paused = " · paused" if record.paused else ""
        return format_html(
            '<span class="state state-{}">{}{}{}</span>',
            record.state,
            record.get_state_display(),
            extra,
            paused,
        )

    def render_failures(self, record):
        n = self.failure_counts.get(record.pk, 0)
        if not n:
            return "0"
        return format_html(
            '<a class="bad" href="{}?link={}">{}</a>', reverse("failures"), record.pk, n
        )


class UnlinkedCrmTable(tables.Table):
    name = tables.Column(verbose_name="CRM record")
    module = tables.Column()
    crm_id = tables.Column(verbose_name="CRM id", orderable=False)
    email = tables.Column(orderable=False)
    owner_name = tables.Column(verbose_name="Owner", orderable=False)

    class Meta:
        model = CrmRecord
        fields = ()
        sequence = ("name", "module", "crm_id", "email", "owner_name")
        empty_text = "Every CRM record is linked to a Books customer."
        attrs = {"class": "table"}

    def render_name(self, record, value):
        return format_html('<a href="{}">{}</a>', reverse("record-crm", args=[record.pk]), value)


class UnlinkedBooksTable(tables.Table):
    contact_name = tables.Column(verbose_name="Books customer")
    contact_id = tables.Column(verbose_name="Books id", orderable=False)
    organization_id = tables.Column(verbose_name="Organisation", orderable=False)
    email = tables.Column(orderable=False)
    source = tables.Column(orderable=False)
    invoice_count = tables.Column(verbose_name="Invoices")

    class Meta:
        model = BooksContact
        fields = ()
        sequence = (
            "contact_name",
            "contact_id",
            "organization_id",
            "email",
            "source",
            "invoice_count",
        )
        empty_text = "Every Books customer is linked to a CRM record."
        attrs = {"class": "table"}


@lru_cache(maxsize=16)
def _value_field(reason_code: str):
    """The labelled input (or select of Zoho's accepted values) for one reason, built once."""
    fix = FIXABLE[reason_code]
    if fix.choices:
        options = format_html_join("", '<option value="{}">{}</option>', fix.choices)
        control = format_html(
            '<select name="value" required><option value="">—</option>{}</select>', options
        )
    else:
        control = mark_safe('<input name="value" required maxlength="40" size="6">')
    return format_html("<label>{} {}</label>", fix.label, control)


class FailureTable(tables.Table):
    select = PickColumn()
    last_seen_at = WhenColumn(verbose_name="Last seen")
    record = tables.Column(
        verbose_name="Record", accessor="crm_record__name", default="—", orderable=False
    )
    operation = tables.Column()
    reason_code = tables.Column(verbose_name="Reason")
    zoho_message = tables.Column(verbose_name="Zoho said", orderable=False)
    attempts = tables.Column()
    resolved_at = WhenColumn(verbose_name="Resolved")
    fix = tables.Column(verbose_name="Fix", empty_values=(), orderable=False)

    class Meta:
        model = SyncFailure
        fields = ()
        sequence = (
            "select",
            "last_seen_at",
            "record",
            "operation",
            "reason_code",
            "zoho_message",
            "attempts",
            "resolved_at",
            "fix",
        )
        empty_text = "No failures. Every attempted sync went through."
        attrs = {"class": "table"}
        row_attrs = {"id": lambda record: f"failure-{record.pk}"}

    can_fix = False

    def render_fix(self, record):
        # Built in Python, not a template per row: on 50 rows that was most of the page.
        if record.resolved_at:
            return "Resolved"
        if record.reason_code in AUTH_REASONS:
            return format_html(
                '<a href="{}">Re-authorise the connection</a>', reverse("connections")
            )
        if not self.can_fix:
            return record.suggested_fix
        if record.reason_code in FIXABLE:
            button = mark_safe('<button type="submit">Set and retry</button>')
            return self._fix_form(record, _value_field(record.reason_code), button)
        if record.reason_code == "display_name_taken":
            return self._collision_form(record)
        return record.suggested_fix

    def _fix_form(self, record, fields, buttons):
        url = reverse("failure-fix", args=[record.pk])
        return format_html(
            '<form method="post" action="{url}" hx-post="{url}" hx-target="#results" '
            'hx-swap="outerHTML" class="inline-fix">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
            '<input type="hidden" name="next" value="{next}">{fields}{buttons}</form>',
            url=url, csrf=get_token(self.request), next=self.request.GET.urlencode(),
            fields=fields, buttons=buttons,
        )  # fmt: skip

    def _collision_form(self, record):
        details = record.details or {}
        buttons = []
        if details.get("existing_contact_id") or details.get("contact_id"):
            buttons.append(
                mark_safe(
                    '<button name="choice" value="link" type="submit">'
                    "Link to existing customer</button>"
                )
            )
        if details.get("suggested_name"):
            buttons.append(
                format_html(
                    '<button name="choice" value="rename" type="submit" class="secondary">'
                    "Retry as “{}”</button>",
                    details["suggested_name"],
                )
            )
        if not buttons:
            return record.suggested_fix
        return self._fix_form(record, "", mark_safe("".join(buttons)))

    def render_record(self, record, value):
        if record.link_id:
            return format_html(
                '<a href="{}">{}</a>', reverse("record", args=[record.link_id]), value
            )
        if record.crm_record_id:
            url = reverse("record-crm", args=[record.crm_record_id])
            return format_html('<a href="{}">{}</a>', url, value)
        return value

    def render_reason_code(self, value):
        return format_html('<a href="?reason_code={}&amp;open=true">{}</a>', value, label(value))


class RunTable(tables.Table):
    id = tables.Column(verbose_name="Run", linkify=("run", {"pk": tables.A("pk")}))
    created_at = WhenColumn(verbose_name="Queued", seconds=True)
    kind = tables.Column()
    trigger = tables.Column()
    triggered_by = tables.Column(verbose_name="By", default="system")
    duration = tables.Column(empty_values=(), orderable=False)
    status = tables.Column()
    processed = tables.Column()
    created_count = tables.Column(verbose_name="Created")
    updated_count = tables.Column(verbose_name="Updated")
    skipped_count = tables.Column(verbose_name="Skipped")
    failed_count = tables.Column(verbose_name="Failed")

    class Meta:
        model = SyncRun
        fields = ()
        sequence = (
            "id",
            "created_at",
            "kind",
            "trigger",
            "triggered_by",
            "duration",
            "status",
            "processed",
            "created_count",
            "updated_count",
            "skipped_count",
            "failed_count",
        )
        empty_text = "No sync runs yet."
        attrs = {"class": "table"}

    def render_duration(self, record):
        if not record.started_at:
            return "—"
        end = record.finished_at or record.heartbeat_at or record.started_at
        seconds = int((end - record.started_at).total_seconds())
        return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"


class EventTable(tables.Table):
    at = WhenColumn(verbose_name="When", seconds=True)
    outcome = tables.Column()
    crm_record = tables.Column(verbose_name="CRM record", accessor="crm_record__name", default="—")
    books_contact = tables.Column(
        verbose_name="Books customer", accessor="books_contact__contact_name", default="—"
    )
    message = tables.Column(orderable=False)

    class Meta:
        model = SyncEvent
        fields = ()
        sequence = ("at", "outcome", "crm_record", "books_contact", "message")
        empty_text = "No record was touched in this run (yet)."
        attrs = {"class": "table"}
