"""GET filters for the list screens; invalid values are reported, not ignored."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join

from syncadmin.models import (
    BooksContact,
    CrmModule,
    CrmRecord,
    LinkProvenance,
    LinkState,
    RecordLink,
    RunKind,
    RunStatus,
    SyncFailure,
    SyncRun,
)
from syncadmin.sync import selectors


class PlainSelect(forms.Select):
    """A select built in Python. Django renders a template per option (and one for its
    attributes): on a filter bar of some forty options that cost as much as the list's
    rows."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            "<option{}>{}</option>",
            (
                (flatatt({"value": option["value"], **option["attrs"]}), option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        return format_html(
            "<select{}>{}</select>", flatatt({"name": name} | widget["attrs"]), options
        )


def _yes_no(label_any: str, label_yes: str, label_no: str) -> forms.Select:
    return PlainSelect(choices=[("", label_any), ("true", label_yes), ("false", label_no)])


DUPLICATE_CHOICES = [
    ("books_name", "Books name shared"),
    ("books_email", "Books email shared"),
    ("crm_name", "CRM name shared"),
]


class LinkFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search",
        label="Search",
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Name, email, CRM or Books id"}
        ),
    )
    state = django_filters.ChoiceFilter(
        choices=LinkState.choices, empty_label="Any state", widget=PlainSelect
    )
    provenance = django_filters.ChoiceFilter(
        choices=LinkProvenance.choices, empty_label="Any provenance", widget=PlainSelect
    )
    module = django_filters.ChoiceFilter(
        field_name="crm_module",
        label="Module",
        choices=CrmModule.choices,
        empty_label="Any module",
        widget=PlainSelect,
    )
    organisation = django_filters.CharFilter(field_name="books_organization_id", label="Org id")
    paused = django_filters.BooleanFilter(widget=_yes_no("Paused or not", "Paused", "Syncing"))
    failing = django_filters.BooleanFilter(
        method="filter_failing",
        label="Failing",
        widget=_yes_no("Failing or not", "Failing", "Not failing"),
    )
    has_transactions = django_filters.BooleanFilter(
        field_name="books_contact__has_transaction",
        label="Transactions",
        widget=_yes_no("Any", "Has transactions", "None"),
    )
    crossed = django_filters.BooleanFilter(
        widget=_yes_no("Crossed or not", "Crossed", "Not crossed")
    )
    duplicate = django_filters.ChoiceFilter(
        method="filter_duplicate",
        label="Duplicates",
        choices=DUPLICATE_CHOICES,
        empty_label="Duplicates: any",
        widget=PlainSelect,
    )

    class Meta:
        model = RecordLink
        fields = ["q", "state", "provenance", "module", "organisation", "paused", "failing",
                  "has_transactions", "crossed", "duplicate"]  # fmt: skip

    def search(self, queryset, name, value):
        return selectors.link_search(queryset, value)

    def filter_failing(self, queryset, name, value):
        failing = selectors.open_failures_q()
        return queryset.filter(failing if value else ~failing)

    def filter_duplicate(self, queryset, name, value):
        if value == "crm_name":
            twin = (
                CrmRecord.objects.annotate(lname=Lower("name"))
                .filter(
                    lname=Lower(OuterRef("crm_record__name")), module=OuterRef("crm_record__module")
                )
                .exclude(pk=OuterRef("crm_record_id"))
            )
            return queryset.filter(Exists(twin))
        contacts = BooksContact.objects.filter(
            organization_id=OuterRef("books_contact__organization_id"), deleted_at__isnull=True
        ).exclude(pk=OuterRef("books_contact_id"))
        if value == "books_email":
            twin = contacts.filter(email=OuterRef("books_contact__email")).exclude(email="")
        else:
            twin = contacts.annotate(lname=Lower("contact_name")).filter(
                lname=Lower(OuterRef("books_contact__contact_name"))
            )
        return queryset.filter(Exists(twin))


class UnlinkedFilter(django_filters.FilterSet):
    """Unlinked records on one side; the view picks the side and its queryset."""

    q = django_filters.CharFilter(
        method="search", label="Search", widget=forms.TextInput(attrs={"type": "search"})
    )

    def __init__(self, *args, name_field: str, **kwargs):
        self.name_field = name_field
        super().__init__(*args, **kwargs)

    def search(self, queryset, name, value):
        return queryset.annotate(lname=Lower(self.name_field)).filter(
            lname__startswith=value.strip().lower()
        )


class FailureFilter(django_filters.FilterSet):
    reason_code = django_filters.CharFilter(label="Reason")
    open = django_filters.BooleanFilter(
        field_name="resolved_at",
        lookup_expr="isnull",
        label="Status",
        widget=_yes_no("Open or resolved", "Open", "Resolved"),
    )
    organisation = django_filters.CharFilter(field_name="organization_id", label="Org id")
    # From a mapping row's failure count; not shown in the form.
    link = django_filters.NumberFilter(field_name="link_id", widget=forms.HiddenInput)

    class Meta:
        model = SyncFailure
        fields = ["reason_code", "open", "organisation", "link"]


class RunFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        choices=RunKind.choices, empty_label="Any kind", widget=PlainSelect
    )
    status = django_filters.ChoiceFilter(
        choices=RunStatus.choices, empty_label="Any status", widget=PlainSelect
    )

    class Meta:
        model = SyncRun
        fields = ["kind", "status"]
