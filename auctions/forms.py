"""Web forms of auctions: parsing only; the rules are the services'."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from auctions.models import IncrementRule
from portal.entities.models import MarketEntity


def _money(label, **kwargs):
    return forms.DecimalField(label=label, max_digits=18, decimal_places=2, **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"


def _when(label, **kwargs):
    return forms.DateTimeField(label=label, widget=DateTimeInput(), **kwargs)


class ListingForm(forms.Form):
    """A listing for land, mining or equity, created by the centre's staff."""

    required_css_class = "required"

    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[
            ("land", _("Land-use right")),
            ("mining", _("Mining right")),
            ("equity", _("State-owned equity")),
        ],
    )
    method = forms.ChoiceField(
        label=_("Method"),
        choices=[
            ("auction", _("Auction")),
            ("listing", _("Listing (or equity disclosure)")),
            ("tender", _("Tender (land and mining)")),
        ],
    )
    transferor = forms.CharField(label=_("Transferor's unified social credit code"), max_length=18)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    starting_price = _money(_("Starting (listing) price, yuan"), min_value=Decimal(0))
    increment = _money(_("Increment, yuan"), min_value=Decimal("0.01"))
    increment_rule = forms.ChoiceField(label=_("Increment rule"), choices=IncrementRule.choices)
    deposit_amount = _money(_("Deposit, yuan"), min_value=Decimal(0))
    reserve_price = _money(
        _("Reserve price, yuan (secret until the result)"), required=False, min_value=Decimal(0)
    )
    extension_minutes = forms.IntegerField(
        label=_("Time-limited bidding period, minutes"), min_value=1, max_value=60, initial=5
    )
    registration_ends_at = _when(_("Registration ends at"))
    listing_starts_at = _when(_("Listing (disclosure) starts at"), required=False)
    listing_ends_at = _when(_("Listing (disclosure) ends at"), required=False)
    auction_starts_at = _when(_("Auction starts at"), required=False)
    ends_at = _when(_("Free bidding period ends at"), required=False)
    tender_starts_at = _when(_("Tender: sealed bids accepted from"), required=False)
    opening_at = _when(_("Tender: bid deadline and opening at"), required=False)
    decrypt_window_minutes = forms.IntegerField(
        label=_("Tender: decryption window at the opening, minutes"),
        min_value=5,
        max_value=240,
        initial=30,
        required=False,
    )
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    area_sqm = forms.DecimalField(
        label=_("Area (m²)"), max_digits=14, decimal_places=2, required=False
    )
    land_use = forms.CharField(label=_("Land use"), max_length=64, required=False)
    term_years = forms.IntegerField(label=_("Term (years)"), min_value=1, required=False)
    plot_ratio = forms.CharField(label=_("Plot ratio"), max_length=32, required=False)
    mineral = forms.CharField(label=_("Mineral"), max_length=64, required=False)
    mining_area_sqkm = forms.DecimalField(
        label=_("Mining area (km²)"), max_digits=12, decimal_places=4, required=False
    )
    target_company = forms.CharField(label=_("Target company"), max_length=200, required=False)
    share_percent = forms.DecimalField(
        label=_("Share transferred (%)"), max_digits=7, decimal_places=4, required=False
    )
    appraised_value = _money(_("Appraised value, yuan"), required=False)
    below_appraisal_approval = forms.CharField(
        label=_("Approval of a price below 90 percent of the appraisal (document number)"),
        max_length=200,
        required=False,
    )

    def clean_transferor(self):
        uscc = self.cleaned_data["transferor"].strip().upper()
        entity = MarketEntity.objects.filter(uscc=uscc).first()
        if entity is None:
            raise forms.ValidationError(_("No registered market entity has this code."))
        return entity

    def values(self) -> dict:
        """The filled-in fields, as the service takes them."""
        return {
            key: value
            for key, value in self.cleaned_data.items()
            if value not in (None, "") or key in {"title", "description"}
        }


class BidForm(forms.Form):
    amount = _money(_("Your bid, yuan"), min_value=Decimal("0.01"))


class TenderBidForm(forms.Form):
    """A sealed price bid (投标): the passphrase seals it and is never stored."""

    price = _money(_("Your bid price, yuan"), min_value=Decimal("0.01"))
    passphrase = forms.CharField(
        label=_("Passphrase (keep it: you need it to decrypt your bid at the opening)"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
        max_length=1024,
    )


class DecryptForm(forms.Form):
    passphrase = forms.CharField(
        label=_("Your passphrase"),
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        strip=False,
        max_length=1024,
    )


class DepositForm(forms.Form):
    amount = _money(_("Amount received, yuan"), min_value=Decimal("0.01"))
    reference = forms.CharField(label=_("Bank reference"), max_length=64)


class AgreementForm(forms.Form):
    price = _money(_("Agreed price, yuan"), min_value=Decimal("0.01"))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class QualificationForm(forms.Form):
    """The staff's decision on an intended buyer (资格审核); the service requires the reason
    of a refusal and names the field."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("qualified", _("Qualified")), ("not_qualified", _("Not qualified"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (required when not qualified; the buyer sees it)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
