"""Web forms of sealed-bid trading: they parse and check the input's shape; every business
rule is the services' (their refusals are shown on these forms by `add_service_errors`)."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from catalog.models import Category, TradingMethod
from portal.accounts.models import Role
from portal.centres.forms import DateTimeLocalInput
from portal.centres.models import Centre, Region, Venue
from portal.entities.models import MarketEntity
from portal.sealed_uploads import envelope_too_large_message
from trading.models import Announcement, BidSecurity, Criterion, Lot, Project
from trading.services.bids import MAX_DOCUMENT_BYTES, MAX_ENVELOPE_BYTES
from trading.services.projects import SEALED_BID_CATEGORIES

#: The largest single upload (a tender document or a bid document), as the API allows.
#: The fixed number of rows of the tables in forms (blank rows are ignored).
LOT_ROWS = 5
CRITERION_ROWS = 6
COMMITTEE_ROWS = 9


def _money(label, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=16, decimal_places=2, **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each one checked, the list returned (maybe empty)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = [item for item in data if item] if isinstance(data, list | tuple) else [data]
        items = [item for item in items if item]
        if not items:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        files = [super(MultipleFileField, self).clean(item, initial) for item in items]
        for upload in files:
            if upload.size > MAX_DOCUMENT_BYTES:
                raise ValidationError(
                    _("%(name)s is larger than %(limit)d MB."),
                    params={"name": upload.name, "limit": MAX_DOCUMENT_BYTES // 2**20},
                    code="document_too_large",
                )
        return files


def read_uploads(files) -> list[tuple[str, bytes]]:
    """The (name, content) pairs the services take."""
    return [(upload.name, upload.read()) for upload in files]


class SecretInput(forms.PasswordInput):
    """A secret is never rendered back into the page, and never offered to autofill."""

    def __init__(self):
        super().__init__(
            attrs={"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false"},
            render_value=False,
        )


# --- Public list ---------------------------------------------------------------------------


class AnnouncementFilterForm(forms.Form):
    q = forms.CharField(label=_("Title contains"), required=False, max_length=100)
    category = forms.ChoiceField(label=_("Category"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All categories"))] + [
            (code, name)
            for code, name in Category.objects.filter(is_active=True).values_list("code", "name")
        ]
        self.fields["kind"].choices = [("", _("All kinds")), *Announcement.Kind.choices]
        self.fields["region"].choices = [("", _("All regions"))] + [
            (code, name)
            for code, name in Region.objects.filter(
                level__in=[Region.Level.PROVINCE, Region.Level.CITY]
            ).values_list("code", "name")
        ]

    def filters(self) -> dict:
        """The valid filters; an unreadable one is ignored (and shown as an error)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "text": data.get("q") or "",
            "category": data.get("category") or None,
            "kind": data.get("kind") or None,
            "region": data.get("region") or None,
        }


# --- Bidders -------------------------------------------------------------------------------


class BidForm(forms.Form):
    """A sealed bid, sealed either in the bidder's browser (seal-bid.js fills `envelope` and
    `receipt_digest` and sends neither price, documents nor secret) or, without JavaScript, in
    the server's memory with the secret, which is then forgotten."""

    required_css_class = "required"

    CLEAR_FIELDS = ("price", "documents", "secret", "secret_confirmation")
    SEALED_FIELDS = ("envelope", "receipt_digest")

    lot = forms.ModelChoiceField(label=_("Lot"), queryset=Lot.objects.none(), empty_label=None)
    price = _money(_("Price (yuan)"), min_value=Decimal("0.01"), required=False)
    documents = MultipleFileField(
        label=_("Bid documents"),
        required=False,
        help_text=_(
            "One or more files, each at most 200 MB. Choose them again if the form "
            "comes back with an error."
        ),
    )
    secret = forms.CharField(
        label=_("Decryption secret"),
        strip=False,
        max_length=512,
        required=False,
        widget=SecretInput(),
        help_text=_("A passphrase of at least 12 characters, for example four unrelated words."),
    )
    secret_confirmation = forms.CharField(
        label=_("Decryption secret, again"),
        strip=False,
        max_length=512,
        required=False,
        widget=SecretInput(),
    )
    envelope = forms.FileField(
        label=_("Envelope sealed in your browser"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"hidden": True}),
    )
    receipt_digest = forms.CharField(
        label=_("Receipt digest"), max_length=64, required=False, widget=forms.HiddenInput()
    )
    security_form = forms.ChoiceField(label=_("Form of the bid security"), required=False)
    security_amount = _money(_("Bid security amount (yuan)"), required=False, min_value=0)
    security_payer_account = forms.CharField(
        label=_("Paying bank account"),
        max_length=40,
        required=False,
        help_text=_("Refunds go back to this account; your entity's account if left blank."),
    )
    guarantee_issuer = forms.CharField(label=_("Guarantee issuer"), max_length=128, required=False)
    guarantee_number = forms.CharField(label=_("Guarantee number"), max_length=64, required=False)

    SECURITY_FIELDS = (
        "security_form",
        "security_amount",
        "security_payer_account",
        "guarantee_issuer",
        "guarantee_number",
    )

    def __init__(self, *args, lots, **kwargs):
        super().__init__(*args, **kwargs)
        lot_field = self.fields["lot"]
        lot_field.queryset = lots
        lot_field.label_from_instance = lambda lot: f"{lot.number}. {lot.name}"
        self.security_required = any(lot.bid_security_amount > 0 for lot in lots)
        if self.security_required:
            self.fields["security_form"].choices = [("", "—"), *BidSecurity.Form.choices]
        else:
            for name in self.SECURITY_FIELDS:
                del self.fields[name]

    def clean_envelope(self):
        envelope = self.cleaned_data.get("envelope")
        if envelope and envelope.size > MAX_ENVELOPE_BYTES:  # before reading it into memory
            raise ValidationError(envelope_too_large_message(), code="envelope_too_large")
        return envelope

    @property
    def sealed_in_browser(self) -> bool:
        return bool(self.cleaned_data.get("envelope"))

    def _sent(self, name: str) -> bool:
        return bool(self.files.getlist(name) if name in self.files else self.data.get(name))

    def clean(self):
        data = super().clean()
        sealed = any(self._sent(name) for name in self.SEALED_FIELDS)
        for name in self.SEALED_FIELDS if sealed else self.CLEAR_FIELDS:
            if not data.get(name) and name not in self.errors:
                self.add_error(name, self.fields[name].error_messages["required"])
        if sealed:
            for name in self.CLEAR_FIELDS:
                if self._sent(name):
                    self.add_error(
                        name, _("Send either an envelope you sealed, or the bid in clear.")
                    )
        first, second = data.get("secret"), data.get("secret_confirmation")
        if first and second and first != second:
            self.add_error("secret_confirmation", _("The two secrets differ."))
        lot = data.get("lot")
        if lot is not None and lot.bid_security_amount > 0 and not data.get("security_form"):
            self.add_error(
                "security_form",
                _("This lot requires a bid security of %(amount)s yuan.")
                % {"amount": lot.bid_security_amount},
            )
        return data

    def security(self):
        """The services' SecurityInput, or None when no security is given."""
        from trading.services.bids import SecurityInput

        data = self.cleaned_data
        if not data.get("security_form"):
            return None
        return SecurityInput(
            form=data["security_form"],
            amount=data.get("security_amount") or Decimal(0),
            payer_account=data.get("security_payer_account", ""),
            guarantee_issuer=data.get("guarantee_issuer", ""),
            guarantee_number=data.get("guarantee_number", ""),
        )


class SecretForm(forms.Form):
    required_css_class = "required"

    secret = forms.CharField(
        label=_("Decryption secret"), strip=False, max_length=512, widget=SecretInput()
    )


class ObjectionForm(forms.Form):
    text = forms.CharField(label=_("Your objection"), max_length=8000, widget=forms.Textarea)


# --- Tenderees and agents ------------------------------------------------------------------


class ProjectForm(forms.Form):
    required_css_class = "required"

    title = forms.CharField(label=_("Title"), max_length=200)
    tenderee = forms.CharField(
        label=_("Tenderee's unified social credit code"),
        max_length=18,
        help_text=_("The entity you act for as its tendering agent."),
    )
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none())
    method = forms.ModelChoiceField(
        label=_("Trading method"), queryset=TradingMethod.objects.none()
    )
    subject = forms.ChoiceField(label=_("Subject"), choices=Project.Subject.choices)
    funding_source = forms.ChoiceField(
        label=_("Funding source"), choices=Project.FundingSource.choices
    )
    centre = forms.ModelChoiceField(label=_("Trading centre"), queryset=Centre.objects.none())
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.none(),
        required=False,
        help_text=_("The centre's region if left blank."),
    )
    approval_number = forms.CharField(
        label=_("Approval document number"), max_length=100, required=False
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        if actor.role != Role.AGENT:
            del self.fields["tenderee"]
        self.fields["category"].queryset = Category.objects.filter(code__in=SEALED_BID_CATEGORIES)
        self.fields["method"].queryset = (
            TradingMethod.objects.filter(is_active=True, categories__code__in=SEALED_BID_CATEGORIES)
            .distinct()
            .order_by("ordering", "code")
        )
        self.fields["centre"].queryset = Centre.objects.all()
        self.fields["region"].queryset = Region.objects.all()

    def clean_tenderee(self):
        code = self.cleaned_data["tenderee"].strip().upper()
        entity = MarketEntity.objects.filter(uscc=code).first()
        if entity is None:
            raise ValidationError(_("No registered entity has this code."))
        return entity


class RowForm(forms.Form):
    """A row of a fixed table in a form: ignored while every one of its `row_fields` is
    blank; otherwise each of them must be filled."""

    row_fields: tuple[str, ...] = ()

    def clean(self):
        data = super().clean()
        self.is_blank = all(data.get(name) in (None, "") for name in self.row_fields)
        if not self.is_blank:
            for name in self.row_fields:
                if data.get(name) in (None, "") and name not in self.errors:
                    self.add_error(name, forms.Field.default_error_messages["required"])
        return data


def filled_rows(formset) -> list[dict]:
    """The cleaned data of a valid formset's filled rows, in order."""
    return [
        form.cleaned_data
        for form in formset.forms
        if form.cleaned_data and not getattr(form, "is_blank", True)
    ]


class LotRowForm(RowForm):
    row_fields = ("name", "estimate_amount")

    name = forms.CharField(label=_("Lot name"), max_length=200, required=False)
    estimate_amount = _money(
        _("Estimate or budget (yuan)"), required=False, min_value=Decimal("0.01")
    )
    bid_security_amount = _money(_("Bid security (yuan)"), required=False, min_value=0)
    evaluation_method = forms.ChoiceField(
        label=_("Evaluation method"),
        choices=Lot.EvaluationMethod.choices,
        initial=Lot.EvaluationMethod.LOWEST_PRICE,
        required=False,
    )

    def clean_evaluation_method(self):
        return self.cleaned_data["evaluation_method"] or Lot.EvaluationMethod.LOWEST_PRICE


LotFormSet = forms.formset_factory(
    LotRowForm, extra=LOT_ROWS, max_num=LOT_ROWS, absolute_max=LOT_ROWS, validate_max=True
)


class AnnouncementForm(forms.Form):
    """The tender announcement and its schedule (Beijing time), checked by the service
    against the statutory rules."""

    required_css_class = "required"

    title = forms.CharField(label=_("Title"), max_length=250)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}))
    documents_issued_at = forms.DateTimeField(
        label=_("Documents issued from"), widget=DateTimeLocalInput()
    )
    documents_sale_ends_at = forms.DateTimeField(
        label=_("Documents available until"), widget=DateTimeLocalInput()
    )
    questions_deadline = forms.DateTimeField(
        label=_("Questions deadline"), required=False, widget=DateTimeLocalInput()
    )
    bid_deadline = forms.DateTimeField(label=_("Bid deadline"), widget=DateTimeLocalInput())
    opening_at = forms.DateTimeField(label=_("Opening time"), widget=DateTimeLocalInput())
    documents = MultipleFileField(label=_("Tender documents"), required=False)

    def __init__(self, *args, lots, **kwargs):
        super().__init__(*args, **kwargs)
        self.lot_numbers = [lot.number for lot in lots]
        for lot in lots:
            self.fields[self.security_field(lot.number)] = _money(
                _("Bid security of lot %(number)s, %(name)s (yuan)")
                % {"number": lot.number, "name": lot.name},
                required=False,
                min_value=0,
                initial=lot.bid_security_amount,
            )

    @staticmethod
    def security_field(number: int) -> str:
        return f"security_{number}"

    def bid_securities(self) -> dict[int, Decimal]:
        values = {
            number: self.cleaned_data.get(self.security_field(number))
            for number in self.lot_numbers
        }
        return {number: value for number, value in values.items() if value is not None}


class ClarificationForm(forms.Form):
    required_css_class = "required"

    title = forms.CharField(label=_("Title"), max_length=250)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}))
    affects_bid_preparation = forms.BooleanField(
        label=_("This may affect the preparation of bids"),
        required=False,
        help_text=_(
            "If so and the deadline is too close, the platform pushes the bid deadline (and "
            "the opening) as the law requires."
        ),
    )
    new_bid_deadline = forms.DateTimeField(
        label=_("New bid deadline"),
        required=False,
        widget=DateTimeLocalInput(),
        help_text=_("Optional: a later deadline than the current one."),
    )
    documents = MultipleFileField(label=_("Changed documents"), required=False)


class CriterionRowForm(RowForm):
    row_fields = ("code", "name", "kind", "weight")

    code = forms.SlugField(label=_("Code"), max_length=32, required=False)
    name = forms.CharField(label=_("Criterion"), max_length=100, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", "—"), *Criterion.Kind.choices]
    )
    weight = forms.DecimalField(
        label=_("Weight (points)"), max_digits=5, decimal_places=2, required=False, min_value=0
    )


def criteria_formset(*, initial: list[dict], data=None):
    formset_class = forms.formset_factory(
        CriterionRowForm,
        extra=max(0, CRITERION_ROWS - len(initial)),
        max_num=max(CRITERION_ROWS, len(initial)),
    )
    return formset_class(data, initial=initial, prefix="criteria")


class ObjectionAnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), max_length=8000, widget=forms.Textarea)


class AwardForm(forms.Form):
    bid = forms.TypedChoiceField(label=_("Winner"), coerce=int, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the award does not go to the first candidate."),
    )

    def __init__(self, *args, candidates: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        ranked = sorted(candidates, key=lambda candidate: candidate["rank"])
        self.fields["bid"].choices = [
            (
                candidate["bid"],
                _("Candidate %(rank)s: %(bidder)s, %(price)s yuan")
                % {
                    "rank": candidate["rank"],
                    "bidder": candidate["bidder"],
                    "price": candidate["price"],
                },
            )
            for candidate in ranked
        ]
        if ranked:
            self.fields["bid"].initial = ranked[0]["bid"]


class ContractForm(forms.Form):
    required_css_class = "required"

    amount = _money(_("Contract amount (yuan)"), min_value=Decimal("0.01"))
    duration_days = forms.IntegerField(label=_("Duration (days)"), required=False, min_value=1)
    key_terms = forms.CharField(
        label=_("Key terms"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class PerformanceForm(forms.Form):
    required_css_class = "required"

    milestone = forms.CharField(label=_("Milestone"), max_length=100)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))
    amount_paid = _money(_("Amount paid (yuan)"), required=False, min_value=0)


# --- Centre staff --------------------------------------------------------------------------


class ScheduleOpeningForm(forms.Form):
    required_css_class = "required"

    venue = forms.ModelChoiceField(label=_("Venue"), queryset=Venue.objects.none())
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeLocalInput())
    duration_minutes = forms.IntegerField(
        label=_("Venue booked for (minutes)"), min_value=15, max_value=24 * 60, initial=120
    )
    decrypt_window_minutes = forms.IntegerField(
        label=_("Decryption window (minutes)"),
        min_value=5,
        max_value=240,
        initial=30,
        help_text=_("How long bidders have to decrypt their bids once the opening starts."),
    )

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        venues = self.fields["venue"]
        venues.queryset = centre.venues.filter(is_active=True)
        venues.label_from_instance = lambda venue: f"{venue.name} ({venue.get_kind_display()})"


class RepresentativeRowForm(RowForm):
    """A tenderee's representative on the committee; the experts are drawn, never named."""

    row_fields = ("username",)

    username = forms.CharField(
        label=_("Representative's account (user name)"), max_length=150, required=False
    )


CommitteeFormSet = forms.formset_factory(
    RepresentativeRowForm,
    extra=COMMITTEE_ROWS,
    max_num=COMMITTEE_ROWS,
    absolute_max=COMMITTEE_ROWS,
    validate_max=True,
)


# --- Experts -------------------------------------------------------------------------------


class QualificationForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[("pass", _("Passes")), ("reject", _("Rejected"))],
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=300,
        help_text=_("Required for a rejection."),
    )


class ScoresForm(forms.Form):
    """One member's scores: one field per opened bid and non-price criterion."""

    def __init__(self, *args, bids: list[dict], criteria, existing: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.cells = []
        for bid in bids:
            row = []
            for criterion in criteria:
                name = self.field_name(bid["id"], criterion.code)
                self.fields[name] = forms.DecimalField(
                    label=_("%(criterion)s for %(bidder)s (0 to %(weight)s)")
                    % {
                        "criterion": criterion.name,
                        "bidder": bid["bidder"],
                        "weight": criterion.weight,
                    },
                    max_digits=6,
                    decimal_places=2,
                    min_value=0,
                    max_value=criterion.weight,
                    initial=existing.get((bid["id"], criterion.code)),
                )
                row.append((criterion, self[name]))
            self.cells.append((bid, row))
        self.criteria = list(criteria)

    @staticmethod
    def field_name(bid_id: int, code: str) -> str:
        return f"score_{bid_id}_{code}"

    def scores(self) -> dict[int, dict[str, Decimal]]:
        result: dict[int, dict[str, Decimal]] = {}
        for bid, row in self.cells:
            for criterion, _field in row:
                value = self.cleaned_data[self.field_name(bid["id"], criterion.code)]
                result.setdefault(bid["id"], {})[criterion.code] = value
        return result
