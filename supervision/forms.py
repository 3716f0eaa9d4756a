from django import forms
from django.utils.translation import gettext_lazy as _

from supervision.models import Alert, Severity


class AlertFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("all")), *Alert.Status.choices]
    )
    severity = forms.ChoiceField(
        label=_("Severity"), required=False, choices=[("", _("all")), *Severity.choices]
    )
    rule = forms.CharField(label=_("Rule"), required=False, max_length=64)


class TriageForm(forms.Form):
    status = forms.ChoiceField(
        label=_("New status"),
        choices=[c for c in Alert.Status.choices if c[0] != Alert.Status.NEW],
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
