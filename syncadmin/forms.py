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
