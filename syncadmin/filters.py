"""GET filters for the list screens; invalid values are reported, not ignored."""

import django_filters
from django import forms
from django.db.models import Q

from syncadmin.models import (
    LinkProvenance,
    LinkState,
    RecordLink,
    RunKind,
    RunStatus,
    SyncFailure,
    SyncRun,
)


class LinkFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    state = django_filters.ChoiceFilter(choices=LinkState.choices, empty_label="Any state")
    provenance = django_filters.ChoiceFilter(
        choices=LinkProvenance.choices, empty_label="Any provenance"
    )
    paused = django_filters.BooleanFilter(
        widget=forms.Select(
            choices=[("", "Paused or not"), ("true", "Paused"), ("false", "Syncing")]
        )
    )

    class Meta:
        model = RecordLink
        fields = ["q", "state", "provenance", "paused"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(crm_record__name__icontains=value)
            | Q(crm_record__email__icontains=value)
            | Q(crm_record__crm_id=value)
            | Q(books_contact__contact_name__icontains=value)
            | Q(books_contact__contact_id=value)
        )


class FailureFilter(django_filters.FilterSet):
    reason_code = django_filters.CharFilter(label="Reason")
    open = django_filters.BooleanFilter(
        field_name="resolved_at",
        lookup_expr="isnull",
        label="Status",
        widget=forms.Select(
            choices=[("", "Open or resolved"), ("true", "Open"), ("false", "Resolved")]
        ),
    )

    class Meta:
        model = SyncFailure
        fields = ["reason_code", "open"]


class RunFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=RunKind.choices, empty_label="Any kind")
    status = django_filters.ChoiceFilter(choices=RunStatus.choices, empty_label="Any status")

    class Meta:
        model = SyncRun
        fields = ["kind", "status"]
