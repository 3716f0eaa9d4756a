"""Factories for the personas the tests are built on."""

import factory
from django.utils import timezone

from portal.accounts.models import Department, Role, User
from portal.centres.models import Centre, Region, Venue
from portal.entities.models import EntityType, MarketEntity
from portal.entities.uscc import CHARSET, check_character


def make_uscc(n: int, region_code: str = "350600") -> str:
    """A valid unified social credit code, distinct for each n (法人, 企业 + region + org code)."""
    org = ""
    value = n
    for _ in range(8):
        org = CHARSET[value % 10] + org
        value //= 10
    body = f"91{region_code}{org}0"  # organisation code: 8 digits + a 9th character
    body = body[:17]
    return body + check_character(body)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "350000"
    name = "福建省"
    level = Region.Level.PROVINCE
    parent = None


class CityFactory(RegionFactory):
    code = "350600"
    name = "漳州市"
    level = Region.Level.CITY
    parent = factory.SubFactory(RegionFactory)


class CentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Centre

    code = factory.Sequence(lambda n: f"centre-{n}")
    name = factory.Sequence(lambda n: f"第{n}公共资源交易中心")
    level = Centre.Level.CITY
    region = factory.SubFactory(CityFactory)


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    centre = factory.SubFactory(CentreFactory)
    name = factory.Sequence(lambda n: f"开标室{n}")
    kind = Venue.Kind.OPENING
    capacity = 30


class EntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MarketEntity

    uscc = factory.Sequence(lambda n: make_uscc(n + 1))
    name = factory.Sequence(lambda n: f"测试建设有限公司{n}")
    entity_type = EntityType.ENTERPRISE
    legal_representative = "张三"
    region = factory.SubFactory(CityFactory)
    contact_phone = "0596-1234567"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.cn")
    role = Role.BIDDER
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")
    last_login = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class BidderFactory(UserFactory):
    role = Role.BIDDER
    entity = factory.SubFactory(EntityFactory)
    is_entity_admin = True


class RegulatorFactory(UserFactory):
    role = Role.REGULATOR
    department = Department.DEVELOPMENT_REFORM
    region = factory.SubFactory(CityFactory)


class PlatformAdminFactory(UserFactory):
    role = Role.PLATFORM_ADMIN
    is_staff = True
    is_superuser = True


def make_centre_staff(centre: Centre, **kwargs) -> User:
    """Staff of `centre`: the role, the scope and the guardian permission on that centre."""
    from portal.centres.services import assign_centre_staff

    user = UserFactory.build(role=Role.EXPERT, **kwargs)
    user.set_password("correct-horse-battery")
    return assign_centre_staff(user=user, centre=centre)
