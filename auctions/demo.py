"""Demo data of auctions for `manage.py load_demo` (make demo): a land listing in its listing
period, a live mining-rights auction, an equity transfer in disclosure, a land tender in its
bid period (one sealed bid already in, by demo_bidder_zhiye with `TENDER_PASSPHRASE`) and a
land auction sold with its result — each built through the services, as a user would have built it.

The statutory periods (announcement ≥ 20 days before the start, listing and disclosure
periods) make a sold lot or a lot in its listing period impossible to build at one instant,
so each step runs on a clock set to when it happened (time-machine, a development
dependency; the demo is never loaded in production). The steps of all lots run in time
order, so the trade log reads chronologically. Idempotent: a lot whose title exists is left
alone.
"""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm

from auctions.models import Listing
from auctions.services import listings, registrations, tender
from auctions.services.bidding import place_bid
from auctions.services.settlement import advance_listing
from portal.accounts.models import Role, User
from portal.centres.models import Centre
from portal.entities.models import EntityType, MarketEntity

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = Decimal

LAND_LISTING = "漳州市芗城区2026-12号地块国有建设用地使用权（示范）"
MINING_LIVE = "漳浦县示范花岗岩矿采矿权（示范）"
EQUITY_DISCLOSURE = "漳州示范国有控股公司20%股权转让（示范）"
LAND_SOLD = "漳州市龙文区2026-09号地块国有建设用地使用权（示范）"
LAND_TENDER = "漳州市龙海区2026-15号地块国有建设用地使用权招标出让（示范）"
#: The passphrase demo_bidder_zhiye sealed its demo tender bid with (to decrypt it at the
#: opening in a demonstration; a real passphrase is known to its bidder only).
TENDER_PASSPHRASE = "harbour-lantern-meadow-26"  # noqa: S105 (demo data, documented)

#: (username, USCC serial, entity name, legal representative); demo_bidder exists already.
BIDDERS = [
    ("demo_bidder_zhiye", 11, "漳州示范置业有限公司", "黄志明"),
    ("demo_bidder_touzi", 12, "厦门示范投资发展有限公司", "吴晓东"),
]


def _entity(uscc: str, name: str, representative: str, region) -> MarketEntity:
    entity, _ = MarketEntity.objects.update_or_create(
        uscc=uscc,
        defaults={
            "name": name,
            "entity_type": EntityType.ENTERPRISE,
            "legal_representative": representative,
            "region": region,
            "contact_phone": "0596-2000100",
        },
    )
    return entity


def _people(password: str, demo_uscc) -> tuple[User, list[User], MarketEntity, MarketEntity]:
    """The staff of the Zhangzhou centre, three bidders and two transferors."""
    staff = User.objects.get(username="demo_staff")
    centre = Centre.objects.get(code="zhangzhou")
    assign_perm("centres.manage_centre", staff, centre)
    bidders = [User.objects.get(username="demo_bidder")]
    for username, serial, name, representative in BIDDERS:
        entity = _entity(demo_uscc("350600", serial), name, representative, centre.region)
        user, created = User.objects.update_or_create(
            username=username,
            defaults={"role": Role.BIDDER, "entity": entity, "is_entity_admin": True},
        )
        if created or not user.has_usable_password():
            user.set_password(password)
            user.save(update_fields=["password"])
        bidders.append(user)
    land_bureau = _entity(
        demo_uscc("350600", 21), "漳州市自然资源局（示范出让人）", "郑国土", centre.region
    )
    state_holder = _entity(
        demo_uscc("350600", 22), "漳州示范国有资本投资运营有限公司", "蔡国资", centre.region
    )
    return staff, bidders, land_bureau, state_holder


def _day(today: date, offset: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(today + timedelta(days=offset), time(hour, minute), tzinfo=SHANGHAI)


Step = tuple[datetime, Callable[[], object]]


def _register_and_pay(listing_ref: dict, bidder: User, staff: User, qualifications: str = ""):
    listing = listing_ref["listing"]
    registration = registrations.register(
        actor=bidder, listing=listing, qualifications=qualifications
    )
    return registrations.confirm_deposit(
        actor=staff,
        registration=registration,
        amount=listing.deposit_amount,
        reference=f"DEMO-{listing.pk}-{registration.number}",
    )


def _bid(listing_ref: dict, bidder: User, amount: str):
    return place_bid(actor=bidder, listing=listing_ref["listing"].pk, amount=amount)


def _steps(staff, bidders, land_bureau, state_holder, now: datetime) -> dict[str, list[Step]]:
    today = timezone.localtime(now, SHANGHAI).date()
    centre = staff.centre
    own, zhiye, touzi = bidders
    common = {"actor": staff, "centre": centre, "region": centre.region}

    def create(ref: dict, **arguments):
        ref["listing"] = listings.create_listing(**common, **arguments)
        listings.announce_listing(actor=staff, listing=ref["listing"])

    land, mining, equity, sold, sealed = {}, {}, {}, {}, {}
    live_start = now.replace(second=0, microsecond=0) - timedelta(minutes=20)
    return {
        LAND_LISTING: [
            (
                _day(today, -26),
                lambda: create(
                    land,
                    category_code="land",
                    method_code="listing",
                    transferor=land_bureau,
                    title=LAND_LISTING,
                    description="挂牌出让，竞买人在挂牌期内报价；期满仍有两家以上竞价的转入现场竞价。",
                    starting_price=D("52000000.00"),
                    increment=D("500000.00"),
                    deposit_amount=D("10400000.00"),
                    reserve_price=D("55000000.00"),
                    registration_ends_at=_day(today, 14, 12),
                    listing_starts_at=_day(today, -4),
                    listing_ends_at=_day(today, 14, 15),
                    location="芗城区江滨路以南、迎宾大道以西",
                    area_sqm=D("28650.40"),
                    land_use="城镇住宅用地",
                    term_years=70,
                    plot_ratio="1.0–2.8",
                ),
            ),
            (_day(today, -6, 10), lambda: _register_and_pay(land, zhiye, staff)),
            (_day(today, -5, 15), lambda: _register_and_pay(land, touzi, staff)),
            (_day(today, -3, 10, 12), lambda: _bid(land, zhiye, "52000000.00")),
            (_day(today, -2, 14, 40), lambda: _bid(land, touzi, "52500000.00")),
        ],
        MINING_LIVE: [
            (
                _day(today, -22),
                lambda: create(
                    mining,
                    category_code="mining",
                    method_code="auction",
                    transferor=land_bureau,
                    title=MINING_LIVE,
                    description="网络拍卖出让采矿权，限时竞价期 5 分钟。",
                    starting_price=D("3600000.00"),
                    increment=D("50000.00"),
                    deposit_amount=D("720000.00"),
                    reserve_price=D("3800000.00"),
                    registration_ends_at=live_start - timedelta(hours=2),
                    auction_starts_at=live_start,
                    ends_at=live_start + timedelta(hours=3),
                    extension_minutes=5,
                    mineral="饰面用花岗岩",
                    mining_area_sqkm=D("0.1860"),
                    mining_licence_kind="采矿权",
                ),
            ),
            (_day(today, -4, 10), lambda: _register_and_pay(mining, own, staff)),
            (_day(today, -4, 11), lambda: _register_and_pay(mining, zhiye, staff)),
            (_day(today, -3, 16), lambda: _register_and_pay(mining, touzi, staff)),
            (live_start + timedelta(minutes=6), lambda: _bid(mining, zhiye, "3600000.00")),
            (live_start + timedelta(minutes=13), lambda: _bid(mining, touzi, "3650000.00")),
        ],
        EQUITY_DISCLOSURE: [
            (
                _day(today, -6),
                lambda: create(
                    equity,
                    category_code="equity",
                    method_code="listing",
                    transferor=state_holder,
                    title=EQUITY_DISCLOSURE,
                    description=(
                        "公开挂牌转让所持 20% 股权；意向受让方须在披露期内登记并说明资格条件。"
                    ),
                    starting_price=D("16800000.00"),
                    increment=D("100000.00"),
                    deposit_amount=D("1680000.00"),
                    registration_ends_at=_day(today, 30, 17),
                    listing_starts_at=_day(today, -6),
                    listing_ends_at=_day(today, 30, 17),
                    target_company="漳州示范水务有限公司",
                    share_percent=D("20"),
                    appraised_value=D("16800000.00"),
                ),
            ),
            (
                _day(today, -2, 11),
                lambda: _register_and_pay(
                    equity,
                    touzi,
                    staff,
                    "依法设立并有效存续的企业法人；注册资本 2 亿元；近三年无重大违法记录。",
                ),
            ),
        ],
        LAND_TENDER: [
            (
                _day(today, -25),
                lambda: create(
                    sealed,
                    category_code="land",
                    method_code="tender",
                    transferor=land_bureau,
                    title=LAND_TENDER,
                    description=(
                        "招标出让，价高者得：投标人在投标截止前密封报价，开标时由投标人本人解密；"
                        "投标人少于三人的，终止招标。"
                    ),
                    starting_price=D("36000000.00"),
                    increment=D("100000.00"),
                    deposit_amount=D("7200000.00"),
                    reserve_price=D("37500000.00"),
                    registration_ends_at=_day(today, 8, 17),
                    tender_starts_at=_day(today, -3),
                    opening_at=_day(today, 10, 10),
                    decrypt_window_minutes=30,
                    location="龙海区港尾镇滨海大道以东",
                    area_sqm=D("21480.00"),
                    land_use="商务金融用地",
                    term_years=40,
                    plot_ratio="≤3.0",
                ),
            ),
            (_day(today, -5, 10), lambda: _register_and_pay(sealed, zhiye, staff)),
            (_day(today, -4, 15), lambda: _register_and_pay(sealed, touzi, staff)),
            (
                _day(today, -2, 11, 20),
                lambda: tender.submit_tender_bid(
                    actor=zhiye,
                    listing=sealed["listing"].pk,
                    price="37800000.00",
                    passphrase=TENDER_PASSPHRASE,
                ),
            ),
        ],
        LAND_SOLD: [
            (
                _day(today, -48),
                lambda: create(
                    sold,
                    category_code="land",
                    method_code="auction",
                    transferor=land_bureau,
                    title=LAND_SOLD,
                    description="网络拍卖出让，限时竞价期 5 分钟。",
                    starting_price=D("18000000.00"),
                    increment=D("200000.00"),
                    deposit_amount=D("3600000.00"),
                    reserve_price=D("18500000.00"),
                    registration_ends_at=_day(today, -21, 17),
                    auction_starts_at=_day(today, -20),
                    ends_at=_day(today, -20, 10),
                    extension_minutes=5,
                    location="龙文区蓝田经济开发区",
                    area_sqm=D("15320.00"),
                    land_use="工业用地",
                    term_years=50,
                    plot_ratio="≥1.2",
                ),
            ),
            (_day(today, -25, 10), lambda: _register_and_pay(sold, own, staff)),
            (_day(today, -24, 10), lambda: _register_and_pay(sold, zhiye, staff)),
            (_day(today, -23, 10), lambda: _register_and_pay(sold, touzi, staff)),
            (_day(today, -20, 9, 10), lambda: _bid(sold, zhiye, "18000000.00")),
            (_day(today, -20, 9, 30), lambda: _bid(sold, own, "18200000.00")),
            (_day(today, -20, 9, 58), lambda: _bid(sold, touzi, "18600000.00")),
            (_day(today, -20, 10, 1), lambda: _bid(sold, zhiye, "18800000.00")),
            # A full period passes with no bid: the auction ends, the result is published.
            (_day(today, -20, 10, 7), lambda: advance_listing(sold["listing"].pk)),
        ],
    }


@transaction.atomic
def load_auction_demo(*, password: str, demo_uscc) -> list[tuple[str, str, str]]:
    """Build the demo lots that do not exist yet; return the extra demo accounts."""
    import time_machine  # a development dependency: the demo is loaded only outside production

    staff, bidders, land_bureau, state_holder = _people(password, demo_uscc)
    now = timezone.now()
    existing = set(Listing.objects.filter(centre=staff.centre).values_list("title", flat=True))
    steps = [
        step
        for title, lot_steps in _steps(staff, bidders, land_bureau, state_holder, now).items()
        if title not in existing
        for step in lot_steps
    ]
    for when, action in sorted(steps, key=lambda step: step[0]):
        with time_machine.travel(when, tick=False):
            action()
    return [(user.username, str(Role.BIDDER.label), user.entity.name) for user in bidders[1:]]
