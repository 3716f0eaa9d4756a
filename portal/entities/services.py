"""Writes on market entities: register once, keep the profile, invite colleagues."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import ENTITY_ROLES, Role, User
from portal.centres.models import Region
from portal.entities.models import EntityInvitation, MarketEntity, Qualification
from portal.entities.uscc import normalise_uscc, validate_uscc
from portal.errors import ApplicationError
from portal.tradelog.services import append_entry

#: Profile fields an entity administrator may change. The code is the identity: it never changes.
EDITABLE_PROFILE_FIELDS = frozenset(
    {
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
    }
)


def check_uscc_available(uscc: str) -> str:
    """Validate a code and make sure it is not registered yet; return it normalised.

    Raises ApplicationError with the message under `uscc`, naming the rule that failed, or
    saying the entity exists and how to join it.
    """
    code = normalise_uscc(uscc)
    error = validate_uscc(code)
    if error is not None:
        raise ApplicationError(
            error.message, code=f"uscc_{error.rule}", fields={"uscc": [error.message]}
        )
    existing = MarketEntity.objects.filter(uscc=code).only("name").first()
    if existing is not None:
        raise _already_registered(existing.name)
    return code


def _already_registered(name: str) -> ApplicationError:
    message = _(
        "This code is already registered, by %(name)s. Registration is once for the whole "
        "platform: ask that entity's administrator to invite you as a member."
    ) % {"name": name}
    return ApplicationError(
        message, code="uscc_registered", fields={"uscc": [message]}, status_code=409
    )


def _check_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(
            " ".join(exc.messages), code="password_invalid", fields={"password": exc.messages}
        ) from exc


def _check_username_free(username: str) -> None:
    if User.objects.filter(username__iexact=username).exists():
        message = _("This user name is taken.")
        raise ApplicationError(message, code="username_taken", fields={"username": [message]})


@transaction.atomic
def register_entity(
    *,
    uscc: str,
    name: str,
    entity_type: str,
    legal_representative: str,
    region: Region,
    contact_phone: str,
    username: str,
    password: str,
    email: str = "",
    role: str = Role.BIDDER,
    contact_name: str = "",
    address: str = "",
) -> tuple[MarketEntity, User]:
    """Register a market entity once, for every category and centre, with its first admin.

    Nothing here depends on a centre or a region gate (D1, D3): the entity may trade
    anywhere on the platform as soon as this returns.
    """
    code = check_uscc_available(uscc)
    if role not in ENTITY_ROLES:
        message = _("An entity's account is a bidder, tenderee or agent.")
        raise ApplicationError(message, code="role_invalid", fields={"role": [message]})
    _check_username_free(username)
    entity = MarketEntity(
        uscc=code,
        name=name.strip(),
        entity_type=entity_type,
        legal_representative=legal_representative.strip(),
        region=region,
        contact_phone=contact_phone.strip(),
        contact_name=contact_name.strip(),
        contact_email=email,
        address=address.strip(),
    )
    entity.full_clean(validate_unique=False)
    user = User(username=username, email=email, role=role, entity=entity, is_entity_admin=True)
    _check_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["entity"])
    try:
        # The unique index on the code settles a race between two simultaneous registrations.
        with transaction.atomic():
            entity.save()
    except IntegrityError as exc:
        raise _already_registered(name) from exc
    user.entity = entity
    user.save()
    # The first history record is authored by the account that registered the entity.
    entity.history.filter(history_type="+").update(history_user=user)
    append_entry(
        action="entity.registered",
        obj=entity,
        actor=user,
        payload={"uscc": entity.uscc, "name": entity.name, "region": region.code},
    )
    return entity, user


@transaction.atomic
def update_entity_profile(*, entity: MarketEntity, actor: User, **changes) -> MarketEntity:
    """Change profile fields; the history (who, what, when) is kept by django-simple-history."""
    unknown = set(changes) - EDITABLE_PROFILE_FIELDS
    if unknown:
        raise ApplicationError(
            _("These fields cannot be changed: %(fields)s")
            % {"fields": ", ".join(sorted(unknown))},
            code="field_not_editable",
            fields={field: [_("This field cannot be changed.")] for field in unknown},
        )
    entity = MarketEntity.objects.select_for_update(of=("self",)).get(pk=entity.pk)
    changed = {}
    for field, value in changes.items():
        if getattr(entity, field) != value:
            setattr(entity, field, value)
            changed[field] = value.code if isinstance(value, Region) else value
    if not changed:
        return entity
    entity.full_clean(validate_unique=False)
    entity._history_user = actor
    entity.save()
    append_entry(
        action="entity.profile_changed", obj=entity, actor=actor, payload={"changed": changed}
    )
    return entity


@transaction.atomic
def add_qualification(
    *,
    entity: MarketEntity,
    actor: User,
    kind: str,
    certificate_number: str,
    issuer: str,
    grade: str = "",
    valid_until=None,
) -> Qualification:
    qualification = Qualification(
        entity=entity,
        kind=kind,
        grade=grade,
        certificate_number=certificate_number,
        issuer=issuer,
        valid_until=valid_until,
    )
    qualification.full_clean()
    qualification._history_user = actor
    qualification.save()
    append_entry(
        action="entity.qualification_added",
        obj=entity,
        actor=actor,
        payload={"kind": kind, "grade": grade, "certificate_number": certificate_number},
    )
    return qualification


@transaction.atomic
def invite_member(
    *, entity: MarketEntity, actor: User, email: str, role: str = Role.BIDDER
) -> EntityInvitation:
    if role not in ENTITY_ROLES:
        message = _("An entity's account is a bidder, tenderee or agent.")
        raise ApplicationError(message, code="role_invalid", fields={"role": [message]})
    invitation = EntityInvitation.objects.create(
        entity=entity,
        email=email,
        role=role,
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=settings.ENTITY_INVITATION_DAYS),
    )
    append_entry(
        action="entity.member_invited",
        obj=entity,
        actor=actor,
        payload={"email": email, "role": role},
    )
    return invitation


@transaction.atomic
def accept_invitation(*, token: str, username: str, password: str) -> User:
    invitation = (
        EntityInvitation.objects.select_for_update(of=("self",))
        .select_related("entity")
        .filter(token=token)
        .first()
    )
    if invitation is None or invitation.accepted_by_id is not None:
        raise ApplicationError(
            _("This invitation does not exist or has been used."),
            code="invitation_invalid",
            status_code=404,
        )
    if invitation.expires_at <= timezone.now():
        raise ApplicationError(_("This invitation has expired."), code="invitation_expired")
    _check_username_free(username)
    user = User(
        username=username, email=invitation.email, role=invitation.role, entity=invitation.entity
    )
    _check_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_by"])
    append_entry(
        action="entity.member_joined",
        obj=invitation.entity,
        actor=user,
        payload={"username": username, "role": invitation.role},
    )
    return user
