"""Forms: input validation for views (POST bodies and GET filters alike)."""

from django import forms
from django.conf import settings

from syncadmin.models import DataCentre


class ConnectForm(forms.Form):
    data_centre = forms.ChoiceField(
        choices=DataCentre.choices,
        initial=lambda: settings.ZOHO_DEFAULT_DATA_CENTRE,
        help_text="Where your Zoho account lives (the domain you sign in at).",
    )


class OrganisationForm(forms.Form):
    organization_id = forms.ChoiceField(label="Books organisation", widget=forms.RadioSelect)

    def __init__(self, *args, choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization_id"].choices = choices


# --- dashboard actions (mapping, record page, failures, settings) -----------------------


class BulkLinkForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("pause", "Pause"), ("resume", "Resume"), ("push", "Push now")]
    )
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=(), error_messages={
        "required": "Tick at least one row first."})  # fmt: skip
    reason = forms.CharField(max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id may be posted; the service ignores ids that do not exist.
        self.fields["ids"].valid_value = lambda value: str(value).isdigit()


class BulkRetryForm(forms.Form):
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=(), error_messages={
        "required": "Tick at least one failure first."})  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].valid_value = lambda value: str(value).isdigit()


class PauseForm(forms.Form):
    reason = forms.CharField(max_length=255, help_text="Why, for whoever resumes it.")
    until = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Optional: resume automatically after this time.",
    )


class RelinkForm(forms.Form):
    books_contact = forms.IntegerField(widget=forms.HiddenInput, error_messages={
        "required": "Pick the Books customer to link to."})  # fmt: skip


class UnlinkForm(forms.Form):
    note = forms.CharField(max_length=255, required=False)
    confirm = forms.BooleanField(label="Yes, unlink this pair", error_messages={
        "required": "Tick the box to confirm."})  # fmt: skip


class FixValueForm(forms.Form):
    """The one value a data failure lacks; choices where Zoho accepts only a few."""

    value = forms.CharField(max_length=40)

    def __init__(self, *args, reason_code: str, **kwargs):
        from syncadmin.sync.fixes import FIXABLE

        super().__init__(*args, **kwargs)
        fix = FIXABLE[reason_code]
        if fix.choices:
            self.fields["value"] = forms.ChoiceField(choices=[("", "—"), *fix.choices])
        self.fields["value"].label = fix.label

    def clean_value(self):
        return self.cleaned_data["value"].strip()


class CollisionFixForm(forms.Form):
    choice = forms.ChoiceField(choices=[("link", "Link to the existing customer"),
                                        ("rename", "Retry with the suggested name")])  # fmt: skip


class SyncSettingsForm(forms.Form):
    module_mapping = forms.ChoiceField(choices=())
    scope_field = forms.CharField(max_length=100, required=False,
                                  help_text="CRM API name; empty syncs every record.")  # fmt: skip
    scope_value = forms.CharField(max_length=200, required=False)
    field_mapping = forms.JSONField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text='CRM API name → Books key, e.g. {"Industry": "cf_industry"}',
    )
    writeback_field = forms.CharField(max_length=100)
    books_country = forms.CharField(
        max_length=60, required=False, help_text="Decides the mandatory tax fields (in, uk …)."
    )
    native_integration_active = forms.BooleanField(
        required=False, help_text="Zoho's own CRM integration is on (re-import needs it)."
    )
    money_to_crm = forms.BooleanField(required=False, help_text="Write receivables to CRM.")

    def __init__(self, *args, **kwargs):
        from syncadmin.models import ModuleMapping

        super().__init__(*args, **kwargs)
        self.fields["module_mapping"].choices = ModuleMapping.choices

    def clean_field_mapping(self):
        value = self.cleaned_data["field_mapping"] or {}
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise forms.ValidationError("Give an object of CRM field → Books field names.")
        return value

    def clean(self):
        data = super().clean()
        if bool(data.get("scope_field")) != bool(data.get("scope_value")):
            raise forms.ValidationError("Give both the scope field and its value, or neither.")
        return data


class OrgPauseForm(forms.Form):
    reason = forms.CharField(max_length=255, required=False)
