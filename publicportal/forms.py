"""The public list's filters, shared by the web page and the API (one validation, errors
named by field: `?from=2026-13-01` is refused under `from`, not ignored)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from publicportal import selectors
from publicportal.models import Publication
from publicportal.search import MAX_QUERY_CHARS
from publicportal.selectors import PublicationFilters

PER_PAGE = 20
MAX_PER_PAGE = 100


class PublicationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search words"), required=False, max_length=MAX_QUERY_CHARS)
    category = forms.ChoiceField(label=_("Category"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    method = forms.ChoiceField(label=_("Trading method"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    centre = forms.ChoiceField(label=_("Centre"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    source = forms.ChoiceField(label=_("Source"), required=False)
    system = forms.ChoiceField(label=_("Connected system"), required=False)
    project = forms.CharField(required=False, max_length=120, widget=forms.HiddenInput)
    date_from = forms.DateField(label=_("Published from"), required=False)
    date_to = forms.DateField(label=_("Published until"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[("-date", _("Newest first")), ("date", _("Oldest first"))],
    )
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    page_size = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_PER_PAGE, widget=forms.HiddenInput
    )

    #: The API's names for the two date fields (`?from=&to=`, as the issue's API says).
    API_NAMES = {"from": "date_from", "to": "date_to"}

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = data.copy()
            for api_name, name in self.API_NAMES.items():
                if api_name in data and name not in data:
                    data[name] = data[api_name]
        super().__init__(data, *args, **kwargs)
        references = selectors.references()["choices"]
        self.fields["category"].choices = [("", _("All categories")), *references["category"]]
        # Every source's kinds: trading's, and the auctions' (transfer, disclosure…).
        self.fields["kind"].choices = [("", _("All kinds")), *selectors.KIND_LABELS.items()]
        self.fields["method"].choices = [("", _("All methods")), *references["method"]]
        self.fields["region"].choices = [("", _("All regions")), *references["region"]]
        self.fields["centre"].choices = [("", _("All centres")), *references["centre"]]
        self.fields["status"].choices = [("", _("Any status")), *Publication.Status.choices]
        self.fields["source"].choices = [("", _("All sources")), *Publication.Source.choices]
        self.fields["system"].choices = [("", _("All systems")), *references["system"]]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    def api_errors(self) -> dict:
        """The errors under the API's parameter names."""
        reverse = {name: api_name for api_name, name in self.API_NAMES.items()}
        return {reverse.get(field, field): messages for field, messages in self.errors.items()}

    def filters(self) -> PublicationFilters:
        data = self.cleaned_data
        return PublicationFilters(
            q=(data.get("q") or "").strip(),
            category=data.get("category") or "",
            kind=data.get("kind") or "",
            method=data.get("method") or "",
            region=data.get("region") or "",
            centre=data.get("centre") or "",
            status=data.get("status") or "",
            source=data.get("source") or "",
            system=data.get("system") or "",
            project=data.get("project") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            oldest_first=data.get("sort") == "date",
        )

    def page_number(self) -> int:
        return self.cleaned_data.get("page") or 1

    def per_page(self) -> int:
        return self.cleaned_data.get("page_size") or PER_PAGE
