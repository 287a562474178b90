"""django-tables2 tables for the list screens (all rendered by components/_table.html)."""

from functools import lru_cache

import django_tables2 as tables
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from syncadmin.models import BooksContact, CrmRecord, RecordLink, SyncEvent, SyncFailure, SyncRun
from syncadmin.sync.fixes import FIXABLE
from syncadmin.sync.reasons import label

EMPTY = "—"


def text(value):
    """A plain cell: the value, or a dash for nothing (as django-tables2 shows it)."""
    return EMPTY if value is None or value == "" else value


def when(value, *, seconds: bool = False) -> str:
    """A date-time cell formatted in Python (Django's date filter is a template call)."""
    if value is None:
        return EMPTY
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def pick(pk) -> str:
    """The row's tick box for a bulk form elsewhere on the page (``form="bulk"``)."""
    return format_html(
        '<input type="checkbox" name="ids" value="{}" form="bulk" aria-label="Pick row {}">', pk, pk
    )


class Table(tables.Table):
    """A django-tables2 table whose cells are built by one direct call each.

    ``cell_<column>(record)`` returns the column's cell (text, escaped by the template, or
    safe HTML). django-tables2's own cell path walks the accessor, looks up choices and
    inspects the render method's signature for every cell, which on a page of 50 rows cost
    more than the page's queries; columns keep their header, sorting and pagination from
    django-tables2. A column without a ``cell_`` method renders the django-tables2 way.
    """

    # The whole list's size (a selectors.Total) when the view knows it without counting
    # the filtered query; lazily paged lists show it beside the page number.
    total = None

    def page_cells(self) -> list[tuple[tables.rows.BoundRow, list]]:
        """This page's rows, each with its cells in column order."""
        makers = [self._cell_maker(column) for column in self.columns]
        return [(row, [make(row) for make in makers]) for row in self.paginated_rows]

    def _cell_maker(self, bound_column):
        direct = getattr(self, f"cell_{bound_column.name}", None)
        if direct is not None:
            return lambda row: direct(row.record)
        return lambda row: row.get_cell(bound_column.name)


class PickColumn(tables.Column):
    """The row's tick box; the table's ``cell_select`` builds it."""

    def __init__(self, **kwargs):
        super().__init__(accessor="pk", verbose_name="Pick", orderable=False, **kwargs)


AUTH_REASONS = ("token_invalid", "user_inactive", "not_authorised", "wrong_organisation")


class LinkTable(Table):
    """Ten columns; CRM and Books each show name and id in one cell."""

    select = PickColumn()
    crm_name = tables.Column(
        verbose_name="CRM record", accessor="crm_record", order_by=("crm_record__name",)
    )
    crm_module = tables.Column(verbose_name="Module")
    books_name = tables.Column(
        verbose_name="Books customer",
        accessor="books_contact",
        order_by=("books_contact__contact_name",),
    )
    provenance = tables.Column(verbose_name="How linked")
    state = tables.Column(empty_values=())
    last_pushed_at = tables.Column(verbose_name="Last push")
    last_pulled_at = tables.Column(verbose_name="Last pull")
    failures = tables.Column(verbose_name="Open failures", empty_values=(), orderable=False)
    updated_at = tables.Column(verbose_name="Changed")

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

    def cell_select(self, record):
        return pick(record.pk)

    def cell_crm_name(self, record):
        crm = record.crm_record
        if crm is None:
            return EMPTY
        return format_html(
            '<a href="{}">{}</a><br><small class="muted">{}</small>',
            reverse("record", args=[record.pk]),
            crm.name,
            crm.crm_id,
        )

    def cell_crm_module(self, record):
        return record.get_crm_module_display()

    def cell_books_name(self, record):
        books = record.books_contact
        if books is None:
            return EMPTY
        return format_html(
            '<a href="{}">{}</a><br><small class="muted">{}</small>',
            reverse("record", args=[record.pk]),
            books.contact_name,
            books.contact_id,
        )

    def cell_provenance(self, record):
        return record.get_provenance_display()

    def cell_state(self, record):
        extra = " · crossed" if record.crossed else ""
        paused = " · paused" if record.paused else ""
        return format_html(
            '<span class="state state-{}">{}{}{}</span>',
            record.state,
            record.get_state_display(),
            extra,
            paused,
        )

    def cell_last_pushed_at(self, record):
        return when(record.last_pushed_at)

    def cell_last_pulled_at(self, record):
        return when(record.last_pulled_at)

    def cell_failures(self, record):
        n = self.failure_counts.get(record.pk, 0)
        if not n:
            return "0"
        return format_html(
            '<a class="bad" href="{}?link={}">{}</a>', reverse("failures"), record.pk, n
        )

    def cell_updated_at(self, record):
        return when(record.updated_at)


class UnlinkedCrmTable(Table):
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

    def cell_name(self, record):
        url = reverse("record-crm", args=[record.pk])
        return format_html('<a href="{}">{}</a>', url, text(record.name))

    def cell_module(self, record):
        return record.get_module_display()

    def cell_crm_id(self, record):
        return text(record.crm_id)

    def cell_email(self, record):
        return text(record.email)

    def cell_owner_name(self, record):
        return text(record.owner_name)


class UnlinkedBooksTable(Table):
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

    def cell_contact_name(self, record):
        return text(record.contact_name)

    def cell_contact_id(self, record):
        return text(record.contact_id)

    def cell_organization_id(self, record):
        return text(record.organization_id)

    def cell_email(self, record):
        return text(record.email)

    def cell_source(self, record):
        return text(record.source)

    def cell_invoice_count(self, record):
        return record.invoice_count


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


class FailureTable(Table):
    select = PickColumn()
    last_seen_at = tables.Column(verbose_name="Last seen")
    record = tables.Column(verbose_name="Record", accessor="crm_record__name", orderable=False)
    operation = tables.Column()
    reason_code = tables.Column(verbose_name="Reason")
    zoho_message = tables.Column(verbose_name="Zoho said", orderable=False)
    attempts = tables.Column()
    resolved_at = tables.Column(verbose_name="Resolved")
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

    def cell_select(self, record):
        return pick(record.pk)

    def cell_last_seen_at(self, record):
        return when(record.last_seen_at)

    def cell_record(self, record):
        name = record.crm_record.name if record.crm_record else ""
        if not name:
            return EMPTY
        if record.link_id:
            return format_html(
                '<a href="{}">{}</a>', reverse("record", args=[record.link_id]), name
            )
        return format_html(
            '<a href="{}">{}</a>', reverse("record-crm", args=[record.crm_record_id]), name
        )

    def cell_operation(self, record):
        return text(record.operation)

    def cell_reason_code(self, record):
        code = record.reason_code
        return format_html('<a href="?reason_code={}&amp;open=true">{}</a>', code, label(code))

    def cell_zoho_message(self, record):
        return text(record.zoho_message)

    def cell_attempts(self, record):
        return record.attempts

    def cell_resolved_at(self, record):
        return when(record.resolved_at)

    def cell_fix(self, record):
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


class RunTable(Table):
    id = tables.Column(verbose_name="Run")
    created_at = tables.Column(verbose_name="Queued")
    kind = tables.Column()
    trigger = tables.Column()
    triggered_by = tables.Column(verbose_name="By")
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

    def cell_id(self, record):
        return format_html('<a href="{}">{}</a>', reverse("run", args=[record.pk]), record.pk)

    def cell_created_at(self, record):
        return when(record.created_at, seconds=True)

    def cell_kind(self, record):
        return record.get_kind_display()

    def cell_trigger(self, record):
        return record.get_trigger_display()

    def cell_triggered_by(self, record):
        return record.triggered_by or "system"

    def cell_duration(self, record):
        if not record.started_at:
            return EMPTY
        end = record.finished_at or record.heartbeat_at or record.started_at
        seconds = int((end - record.started_at).total_seconds())
        return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"

    def cell_status(self, record):
        return record.get_status_display()

    def cell_processed(self, record):
        return record.processed

    def cell_created_count(self, record):
        return record.created_count

    def cell_updated_count(self, record):
        return record.updated_count

    def cell_skipped_count(self, record):
        return record.skipped_count

    def cell_failed_count(self, record):
        return record.failed_count


class EventTable(Table):
    at = tables.Column(verbose_name="When")
    outcome = tables.Column()
    crm_record = tables.Column(verbose_name="CRM record", accessor="crm_record__name")
    books_contact = tables.Column(
        verbose_name="Books customer", accessor="books_contact__contact_name"
    )
    message = tables.Column(orderable=False)

    class Meta:
        model = SyncEvent
        fields = ()
        sequence = ("at", "outcome", "crm_record", "books_contact", "message")
        empty_text = "No record was touched in this run (yet)."
        attrs = {"class": "table"}

    def cell_at(self, record):
        return when(record.at, seconds=True)

    def cell_outcome(self, record):
        return record.get_outcome_display()

    def cell_crm_record(self, record):
        return text(record.crm_record.name if record.crm_record else None)

    def cell_books_contact(self, record):
        return text(record.books_contact.contact_name if record.books_contact else None)

    def cell_message(self, record):
        return text(record.message)
