"""Who may record, repair and read credit information (checks only, no writes).

Only regulators record credit information, and only where they are competent (H2, H1):
- their department supervises the record's category (`CompetenceRule`, with its source);
  a measure across every category (joint punishment) needs a rule without a category;
- the record's region — where the conduct took place, or else the entity's registered
  region — is their region or below it; so is the measure's region when it has one.
Centre staff operate trades and platform administrators run the platform: neither records.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from catalog.models import Category
from credit.models import CompetenceRule
from credit.rules import within_region
from portal.accounts.models import ENTITY_ROLES, Role
from portal.centres.models import Region


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_regulator(user) -> bool:
    return _active(user) and user.role == Role.REGULATOR and bool(user.department)


def region_chain(region: Region | None) -> list[str]:
    """The region's code, then its parent's, up to the province (at most three levels)."""
    if region is None:
        return []
    if region.parent_id is not None and not Region.parent.is_cached(region):
        region = Region.objects.select_related("parent__parent").get(pk=region.pk)
    chain = []
    while region is not None:
        chain.append(region.code)
        region = region.parent
    return chain


def competent_departments(category: Category) -> set[str]:
    """Departments that may record for `category`: its own rules and its parent's."""
    categories = [category.pk] + ([category.parent_id] if category.parent_id else [])
    return set(
        CompetenceRule.objects.filter(category__in=categories).values_list("department", flat=True)
    )


def joint_punishment_departments() -> set[str]:
    return set(
        CompetenceRule.objects.filter(category__isnull=True).values_list("department", flat=True)
    )


def competence_sources(category: Category) -> list[str]:
    rules = CompetenceRule.objects.filter(
        Q(category=category) | Q(category_id=category.parent_id, category__isnull=False)
    )
    return sorted({rule.source for rule in rules})


@dataclass(frozen=True)
class Refused:
    """Why a regulator may not record: a message per input it concerns."""

    fields: dict[str, list[str]]

    @property
    def message(self) -> str:
        return " ".join(message for messages in self.fields.values() for message in messages)


def check_can_record(
    user,
    *,
    category: Category,
    region: Region,
    measure_categories: list[Category] = (),
    all_categories: bool = False,
    measure_region: Region | None = None,
) -> Refused | None:
    """None if `user` may record this, else why not (by input)."""
    if not is_regulator(user):
        return Refused(
            {"permission": [_("Only regulators of the competent department record credit.")]}
        )
    fields: dict[str, list[str]] = {}
    if user.department not in competent_departments(category):
        fields["category"] = [
            _("Your department (%(department)s) does not supervise %(category)s.")
            % {"department": user.get_department_display(), "category": category.name}
        ]
    for other in measure_categories:
        if other.pk != category.pk and user.department not in competent_departments(other):
            fields.setdefault("measure_categories", []).append(
                _("Your department does not supervise %(category)s.") % {"category": other.name}
            )
    if all_categories and user.department not in joint_punishment_departments():
        fields.setdefault("measure_categories", []).append(
            _("Your department may not decide measures across every category.")
        )
    scope = user.region.code if user.region_id else None
    if scope is None or not within_region(region_chain(region), scope):
        fields["region"] = [
            _("%(region)s is outside your region (%(scope)s).")
            % {"region": region.name, "scope": user.region.name if user.region_id else "—"}
        ]
    if measure_region is not None and (
        scope is None or not within_region(region_chain(measure_region), scope)
    ):
        fields["measure_region"] = [
            _("A measure may be limited to your region or a region below it, not %(region)s.")
            % {"region": measure_region.name}
        ]
    return Refused(fields) if fields else None


def can_record_credit(user) -> bool:
    """Role-level: may this account record credit in some category (shows the form)?"""
    return (
        is_regulator(user)
        and CompetenceRule.objects.filter(
            department=user.department, category__isnull=False
        ).exists()
    )


def can_read_credit_file(user, uscc: str) -> bool:
    """The whole file (non-public records, evidence, the score): the entity's own members
    and regulators."""
    if not _active(user):
        return False
    if user.role == Role.REGULATOR:
        return True
    return user.role in ENTITY_ROLES and user.entity is not None and user.entity.uscc == uscc


def can_export_all(user) -> bool:
    """The interconnection export with non-public records: regulators and platform admins."""
    return _active(user) and user.role in {Role.REGULATOR, Role.PLATFORM_ADMIN}
