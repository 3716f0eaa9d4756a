"""Web forms of the expert pool. The draw form has no field that names an expert: only
specialties and counts, the time, the region scope and reserves (F2)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from experts.models import ConductRecord, ExpertDraw, ExpertProfile, ExpertRelation, Specialty
from experts.models import Unavailability as UnavailabilityModel
from experts.services import SpecialtyCount
from portal.centres.forms import DateTimeLocalInput
from portal.centres.models import Region

#: Lines of the draw form (specialty + count); a draw rarely needs more than three.
DRAW_LINES = 4


class DateInput(forms.DateInput):
    input_type = "date"


class SpecialtyChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class ApplicationForm(forms.Form):
    required_css_class = "required"

    full_name = forms.CharField(label=_("Full name"), max_length=64)
    id_number = forms.CharField(
        label=_("Identity card number"), max_length=18, help_text=_("18 characters.")
    )
    employer_name = forms.CharField(label=_("Employer"), max_length=200)
    employer_uscc = forms.CharField(
        label=_("Employer's unified social credit code"),
        max_length=18,
        required=False,
        help_text=_("Where the employer has one; it is how conflicts of interest are found."),
    )
    title = forms.ChoiceField(label=_("Professional title"), choices=ExpertProfile.Title.choices)
    career_started_on = forms.DateField(label=_("Relevant work since"), widget=DateInput())
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.exclude(level=Region.Level.PROVINCE)
    )
    specialties = SpecialtyChoiceField(
        label=_("Specialties"),
        queryset=Specialty.objects.filter(is_active=True, level__gte=2),
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )


class RelationForm(forms.Form):
    required_css_class = "required"

    entity_uscc = forms.CharField(label=_("Unified social credit code"), max_length=18)
    entity_name = forms.CharField(label=_("Entity name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ExpertRelation.Kind.choices)
    started_on = forms.DateField(label=_("Since"), required=False, widget=DateInput())
    ended_on = forms.DateField(
        label=_("Until"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty while the relation lasts."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class UnavailabilityForm(forms.Form):
    required_css_class = "required"

    starts_at = forms.DateTimeField(label=_("From"), widget=DateTimeLocalInput())
    ends_at = forms.DateTimeField(label=_("Until"), widget=DateTimeLocalInput())
    reason = forms.ChoiceField(label=_("Reason"), choices=UnavailabilityModel.Reason.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class InvitationAnswerForm(forms.Form):
    ANSWERS = [
        ("confirm", _("I confirm: I will take part")),
        ("decline", _("I decline")),
        ("recuse", _("I must be avoided (conflict of interest)")),
    ]
    answer = forms.ChoiceField(label=_("Answer"), choices=ANSWERS, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class PoolFilterForm(forms.Form):
    specialty = forms.ModelChoiceField(
        label=_("Specialty"),
        queryset=Specialty.objects.filter(is_active=True),
        required=False,
        to_field_name="code",
    )
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.all(), required=False, to_field_name="code"
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *ExpertProfile.Status.choices],
        required=False,
    )


class AdmitForm(forms.Form):
    title_equivalent = forms.BooleanField(
        label=_("Recognise an equivalent professional level (同等专业水平)"), required=False
    )


class ReasonForm(forms.Form):
    required_css_class = "required"

    reason = forms.CharField(label=_("Reason"), max_length=300)


class AssessmentForm(forms.Form):
    passed = forms.TypedChoiceField(
        label=_("Result"),
        choices=[("yes", _("Passed")), ("no", _("Failed"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class DrawForm(forms.Form):
    """Specialties with counts, the time, the region scope, reserves — nothing else."""

    required_css_class = "required"

    project = forms.IntegerField(
        label=_("Project number"), min_value=1, help_text=_("The trading project's number.")
    )
    lot = forms.IntegerField(
        label=_("Lot number (internal id)"),
        min_value=1,
        required=False,
        help_text=_("Leave empty for one committee for the whole project."),
    )
    needed_at = forms.DateTimeField(label=_("Evaluation starts"), widget=DateTimeLocalInput())
    needed_until = forms.DateTimeField(label=_("Evaluation ends"), widget=DateTimeLocalInput())
    region_scope = forms.ChoiceField(
        label=_("Region scope"), choices=ExpertDraw.RegionScope.choices
    )
    backups = forms.IntegerField(
        label=_("Reserves per specialty"), min_value=0, max_value=10, initial=2
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        specialties = Specialty.objects.filter(is_active=True).order_by("code")
        for line in range(1, DRAW_LINES + 1):
            self.fields[f"specialty_{line}"] = forms.ModelChoiceField(
                label=_("Specialty %(line)d") % {"line": line},
                queryset=specialties,
                to_field_name="code",
                required=line == 1,
            )
            self.fields[f"specialty_{line}"].label_from_instance = lambda obj: (
                f"{obj.code} {obj.name}"
            )
            self.fields[f"count_{line}"] = forms.IntegerField(
                label=_("Experts %(line)d") % {"line": line},
                min_value=1,
                max_value=25,
                required=line == 1,
            )

    def clean(self):
        data = super().clean()
        lines = []
        for line in range(1, DRAW_LINES + 1):
            specialty, count = data.get(f"specialty_{line}"), data.get(f"count_{line}")
            if specialty and not count:
                self.add_error(f"count_{line}", _("How many experts of this specialty?"))
            elif count and not specialty:
                self.add_error(f"specialty_{line}", _("Which specialty?"))
            elif specialty and count:
                lines.append(SpecialtyCount(code=specialty.code, count=count))
        data["lines"] = lines
        return data

    def line_pairs(self):
        return [
            (self[f"specialty_{line}"], self[f"count_{line}"]) for line in range(1, DRAW_LINES + 1)
        ]

    def setting_fields(self):
        return [
            self[name]
            for name in ("project", "lot", "needed_at", "needed_until", "region_scope", "backups")
        ]


class ConductForm(forms.Form):
    required_css_class = "required"

    expert = forms.ModelChoiceField(label=_("Expert"), queryset=ExpertProfile.objects.none())
    kind = forms.ChoiceField(label=_("Conduct"), choices=ConductRecord.Kind.choices)
    serious = forms.BooleanField(
        label=_("Serious case (blacklists the expert at once)"), required=False
    )
    note = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, experts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expert"].queryset = (
            experts if experts is not None else (ExpertProfile.objects.none())
        )
