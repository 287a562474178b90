"""The offline match list: upload a Books customer export and a CRM export, see the
duplicate clusters, download the match list as CSV. Nothing is stored and no Zoho
connection is needed; matching is the pure `syncadmin.matching` package."""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from syncadmin.access import require
from syncadmin.matching import match_records
from syncadmin.matching.csvio import (
    MAX_BYTES,
    CsvProblem,
    read_books_csv,
    read_crm_csv,
    write_matches_csv,
)
from syncadmin.views.rendering import render_screen

SHOWN_CLUSTERS = 200
REGIONS = [("", "numbers carry a country code"), ("IN", "India"), ("GB", "United Kingdom"),
           ("US", "United States")]  # fmt: skip


class MatchUploadForm(forms.Form):
    books_file = forms.FileField(label="Books customers (Export Customers, CSV)")
    crm_file = forms.FileField(label="CRM Accounts or Contacts (export, CSV)")
    region = forms.ChoiceField(
        choices=REGIONS, required=False, label="Phone numbers without a country code are from"
    )

    def _records(self, field: str, reader, label: str) -> list:
        upload = self.cleaned_data[field]
        if upload.size > MAX_BYTES:  # refused before a byte is read
            limit = MAX_BYTES // 1024 // 1024
            raise forms.ValidationError(
                f"{label}: the file is {upload.size // 1024 // 1024} MB; the limit is {limit} "
                "MB. Export fewer records at a time."
            )
        try:
            region = self.data.get("region", "")
            region = region if region in dict(REGIONS) else ""
            return reader(upload.read(), region=region, label=label)
        except CsvProblem as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_books_file(self) -> list:
        return self._records("books_file", read_books_csv, "Books file")

    def clean_crm_file(self) -> list:
        return self._records("crm_file", read_crm_csv, "CRM file")


def _clusters_for_display(result) -> list[dict]:
    shown = []
    for cluster in result.clusters[:SHOWN_CLUSTERS]:
        members = [result.records[ref] for ref in cluster.refs]
        shown.append(
            {
                "cluster": cluster,
                "members": [
                    {"record": r, "survivor": cluster.survivors.get(r.side.value) == r.ref}
                    for r in members
                ],
            }
        )
    return shown


@require("view_dashboard")
def match_upload(request: HttpRequest) -> HttpResponse:
    posted = request.method == "POST"
    form = MatchUploadForm(request.POST, request.FILES) if posted else MatchUploadForm()
    if not posted or not form.is_valid():
        status = 400 if posted else 200
        response = render_screen(request, "syncadmin/matching/index.html", {"form": form})
        response.status_code = status
        return response
    records = form.cleaned_data["books_file"] + form.cleaned_data["crm_file"]
    result = match_records(records)
    if "download" in request.POST:
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response = HttpResponse(write_matches_csv(result, records), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="matches-{stamp}.csv"'
        return response
    context = {
        "form": form,
        "result": result,
        "clusters": _clusters_for_display(result),
        "more": max(0, len(result.clusters) - SHOWN_CLUSTERS),
        "books_count": len(form.cleaned_data["books_file"]),
        "crm_count": len(form.cleaned_data["crm_file"]),
    }
    return render_screen(request, "syncadmin/matching/index.html", context)
