"""Web forms of market entities: they parse and check input; the services decide and write."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import ENTITY_ROLES, Role, User
from portal.centres.models import Region
from portal.entities.models import EntityType, MarketEntity, Qualification
from portal.entities.services import check_uscc_available
from portal.errors import ApplicationError

ENTITY_ROLE_CHOICES = [(role.value, role.label) for role in Role if role in ENTITY_ROLES]


class PasswordPairForm(forms.Form):
    """A new account's user name and password, typed twice, checked by Django's validators."""

    required_css_class = "required"

    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirmation = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The rules of the configured validators, in their own (translated) words.
        self.fields["password"].help_text = password_validation.password_validators_help_text_html()

    def account_email(self) -> str:
        return ""

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        confirmation = cleaned.get("password_confirmation")
        if password and confirmation and password != confirmation:
            self.add_error("password_confirmation", _("The two passwords do not match."))
        elif password:
            # The same validators the service applies, run now so that every error shows at once.
            candidate = User(username=cleaned.get("username", ""), email=self.account_email())
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class EntityRegistrationForm(PasswordPairForm):
    """Register an entity once for the whole platform (D1) with its first administrator."""

    entity_field_names = (
        "name",
        "entity_type",
        "legal_representative",
        "region",
        "contact_phone",
        "email",
    )
    account_field_names = ("username", "password", "password_confirmation", "role")
    field_order = ["uscc", *entity_field_names, *account_field_names]

    uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=40,
        help_text=_("18 characters, as printed on the business licence (GB 32100-2015)."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "spellcheck": "false",
                "autocapitalize": "characters",
                "hx-get": reverse_lazy("entities:check_uscc"),
                "hx-trigger": "change",
                "hx-target": "#uscc-check",
                "aria-describedby": "id_uscc_helptext uscc-check",
            }
        ),
    )
    name = forms.CharField(label=_("Entity name"), max_length=200)
    entity_type = forms.ChoiceField(label=_("Entity type"), choices=EntityType.choices)
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=64)
    region = forms.ModelChoiceField(
        label=_("Registered region"), queryset=Region.objects.order_by("code")
    )
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    role = forms.ChoiceField(
        label=_("Your role"),
        choices=ENTITY_ROLE_CHOICES,
        initial=Role.BIDDER,
        help_text=_("What your account does on the platform."),
    )

    def account_email(self) -> str:
        return self.cleaned_data.get("email", "")

    def entity_fields(self):
        """The entity's fields but the code, which the page lays out with its live check."""
        return [self[name] for name in self.entity_field_names]

    def account_fields(self):
        return [self[name] for name in self.account_field_names]

    def clean_uscc(self) -> str:
        # Checked here too, so the code's error shows with all the others; the service checks
        # again inside its transaction, where a simultaneous registration is settled.
        try:
            return check_uscc_available(self.cleaned_data["uscc"])
        except ApplicationError as exc:
            raise forms.ValidationError(exc.fields.get("uscc", [exc.message])) from exc


class InvitationAcceptForm(PasswordPairForm):
    """Join an entity: the invitation gives the entity, the role and the e-mail."""

    def __init__(self, *args, email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self._email = email

    def account_email(self) -> str:
        return self._email


class EntityProfileForm(forms.ModelForm):
    """The profile fields an entity's administrator may change (the code never changes)."""

    required_css_class = "required"

    class Meta:
        model = MarketEntity
        fields = [
            "name",
            "entity_type",
            "legal_representative",
            "region",
            "address",
            "contact_name",
            "contact_phone",
            "contact_email",
            "bank_name",
            "bank_account_name",
            "bank_account_number",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.order_by("code")


class QualificationForm(forms.ModelForm):
    required_css_class = "required"

    class Meta:
        model = Qualification
        fields = ["kind", "grade", "certificate_number", "issuer", "valid_until"]
        widgets = {"valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class InvitationForm(forms.Form):
    required_css_class = "required"

    email = forms.EmailField(label=_("Colleague's e-mail"))
    role = forms.ChoiceField(label=_("Role"), choices=ENTITY_ROLE_CHOICES, initial=Role.BIDDER)


class EntityLookupForm(forms.Form):
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=40)
