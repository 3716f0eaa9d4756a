"""Web forms of centres: booking a venue of the staff's own centre."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.centres.models import Centre, Venue

#: What <input type="datetime-local"> sends and expects.
DATETIME_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATETIME_LOCAL_FORMAT)


class BookingForm(forms.Form):
    """Times are read in Beijing time (the platform's time zone) and stored in UTC."""

    required_css_class = "required"

    venue = forms.ModelChoiceField(label=_("Venue"), queryset=Venue.objects.none())
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeLocalInput())
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DateTimeLocalInput())
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=200,
        help_text=_("For example the project's bid opening."),
    )

    def __init__(self, *args, centre: Centre, **kwargs):
        super().__init__(*args, **kwargs)
        venues = self.fields["venue"]
        venues.queryset = centre.venues.filter(is_active=True).select_related("centre")
        venues.label_from_instance = lambda venue: venue.name  # the centre is the page's
