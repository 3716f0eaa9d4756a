"""Web forms of the credit registry: they parse input; the services check and write."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Category
from credit.models import MeasureType, RecordKind, Severity
from portal.centres.models import Region

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]


def _datetime_field(label, *, required: bool, help_text=""):
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=DATETIME_FORMATS,
        help_text=help_text,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "step": 1}, format="%Y-%m-%dT%H:%M:%S"
        ),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


def regions_within(region: Region | None):
    """The region and every region below it (three levels at most)."""
    if region is None:
        return Region.objects.none()
    return Region.objects.filter(
        Q(pk=region.pk) | Q(parent_id=region.pk) | Q(parent__parent_id=region.pk)
    ).order_by("code")


class CreditRecordForm(forms.Form):
    """A regulator records credit information; the choices are what the regulator may use."""

    required_css_class = "required"

    uscc = forms.CharField(label=_("Unified social credit code"), max_length=40)
    entity_name = forms.CharField(
        label=_("Name of the party"),
        max_length=200,
        required=False,
        help_text=_("As the decision names it. Default: the registered name."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=RecordKind.choices)
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=[("", _("default for the kind")), *Severity.choices],
        required=False,
    )
    category = forms.ModelChoiceField(label=_("Trading category"), queryset=Category.objects.none())
    region = forms.ModelChoiceField(
        label=_("Region of the conduct"),
        queryset=Region.objects.none(),
        required=False,
        help_text=_("Default: the entity's registered region."),
    )
    authority = forms.CharField(label=_("Deciding authority"), max_length=128)
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=300)
    decision_no = forms.CharField(label=_("Decision number"), max_length=128)
    reason = forms.CharField(label=_("Facts and reasons"), widget=forms.Textarea(attrs={"rows": 4}))
    valid_from = _datetime_field(_("Valid from"), required=True)
    valid_to = _datetime_field(
        _("Valid to"), required=False, help_text=_("The last second it is valid; empty: no end.")
    )
    public = forms.BooleanField(
        label=_("Public"),
        required=False,
        initial=True,
        help_text=_("Shown on the entity's public credit page."),
    )
    measure = forms.ModelChoiceField(
        label=_("Measure"),
        queryset=MeasureType.objects.filter(is_active=True),
        required=False,
        empty_label=_("no measure"),
    )
    measure_categories = forms.ModelMultipleChoiceField(
        label=_("Measure applies in"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
        help_text=_("Default: the record's category."),
    )
    measure_all_categories = forms.BooleanField(
        label=_("Measure applies in every category (joint punishment)"), required=False
    )
    measure_region = forms.ModelChoiceField(
        label=_("Measure limited to region"),
        queryset=Region.objects.none(),
        required=False,
        help_text=_("Empty: everywhere on the platform."),
    )
    measure_valid_from = _datetime_field(
        _("Measure valid from"), required=False, help_text=_("Default: the record's start.")
    )
    measure_valid_to = _datetime_field(
        _("Measure valid to"), required=False, help_text=_("Default: the record's end.")
    )
    evidence = MultipleFileField(label=_("Evidence documents"), required=False)

    def __init__(self, *args, regulator=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True)
        within = regions_within(getattr(regulator, "region", None))
        self.fields["region"].queryset = within
        self.fields["measure_region"].queryset = within

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "uscc": data["uscc"],
            "entity_name": data["entity_name"],
            "kind": data["kind"],
            "severity": data["severity"] or None,
            "category": data["category"],
            "region": data["region"],
            "authority": data["authority"],
            "legal_basis": data["legal_basis"],
            "decision_no": data["decision_no"],
            "reason": data["reason"],
            "valid_from": data["valid_from"],
            "valid_to": data["valid_to"],
            "public": data["public"],
            "measure_type": data["measure"],
            "measure_categories": list(data["measure_categories"]) or None,
            "measure_all_categories": data["measure_all_categories"],
            "measure_region": data["measure_region"],
            "measure_valid_from": data["measure_valid_from"],
            "measure_valid_to": data["measure_valid_to"],
        }


class CreditRepairForm(forms.Form):
    required_css_class = "required"

    new_valid_to = _datetime_field(
        _("New end of the measure"), required=True, help_text=_("Its new last second.")
    )
    decision_no = forms.CharField(label=_("Repair decision number"), max_length=128)
    authority = forms.CharField(label=_("Deciding authority"), max_length=128)
    decided_on = forms.DateField(
        label=_("Decided on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class CreditImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("JSON array or JSON Lines, UTF-8 (docs/CREDIT_EXCHANGE.md).")
    )


class CreditLookupForm(forms.Form):
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=40)
