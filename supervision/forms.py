from django import forms
from django.utils.translation import gettext_lazy as _

from portal.centres.forms import DateTimeLocalInput
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


#: Evidence files a complaint form takes at once, and the largest one.
EVIDENCE_ROWS = 3
MAX_EVIDENCE_BYTES = 20 * 2**20


class ComplaintForm(forms.Form):
    """A complaint (投诉) by a party to a trade, with up to three evidence files. Times are read
    in Beijing time and stored in UTC; the time limits are checked by the service."""

    required_css_class = "required"

    project = forms.IntegerField(label=_("Project number"), min_value=1)
    lot = forms.IntegerField(label=_("Lot (if one)"), required=False, min_value=1)
    grounds = forms.CharField(
        label=_("Grounds and request"), widget=forms.Textarea(attrs={"rows": 6}), max_length=5000
    )
    grounds_known_at = forms.DateTimeField(
        label=_("When you knew or should have known the grounds"),
        help_text=_(
            "The filing period runs from here (engineering: 10 days); for government "
            "procurement, when the answer to your question was due or received."
        ),
        widget=DateTimeLocalInput(),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for row in range(1, EVIDENCE_ROWS + 1):
            self.fields[f"evidence_{row}"] = forms.FileField(
                label=_("Evidence file %(n)d") % {"n": row}, required=False
            )
            self.fields[f"evidence_{row}_description"] = forms.CharField(
                label=_("What it shows"), required=False, max_length=500
            )

    def clean(self):
        cleaned = super().clean()
        for row in range(1, EVIDENCE_ROWS + 1):
            upload = cleaned.get(f"evidence_{row}")
            if upload and upload.size > MAX_EVIDENCE_BYTES:
                self.add_error(
                    f"evidence_{row}",
                    _("%(name)s is larger than %(limit)d MB.")
                    % {"name": upload.name, "limit": MAX_EVIDENCE_BYTES // 2**20},
                )
            if upload and not cleaned.get(f"evidence_{row}_description", "").strip():
                self.add_error(
                    f"evidence_{row}_description", _("Say what this evidence file shows.")
                )
        return cleaned

    def evidence_files(self) -> list[tuple[object, str]]:
        return [
            (self.cleaned_data[f"evidence_{row}"], self.cleaned_data[f"evidence_{row}_description"])
            for row in range(1, EVIDENCE_ROWS + 1)
            if self.cleaned_data.get(f"evidence_{row}")
        ]
