"""Demo data for the embedded default: regions, centres, venues, one account per role.

Regions are real GB/T 2260 divisions of the five places whose implementation plans the
requirements come from (Heilongjiang, Gansu, Chongqing, Hubei, Zhangzhou in Fujian).
Everything is created with update_or_create, so loading twice changes nothing.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm

from portal.accounts.models import Department, Role, User
from portal.centres.models import Centre, Region, Venue
from portal.entities.models import EntityType, MarketEntity
from portal.entities.uscc import check_character
from portal.notices.models import Notice

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - printed for the local demo only

# (code, name, level, parent code)
REGIONS = [
    ("230000", "黑龙江省", "province", None),
    ("230100", "哈尔滨市", "city", "230000"),
    ("230102", "道里区", "county", "230100"),
    ("230103", "南岗区", "county", "230100"),
    ("350000", "福建省", "province", None),
    ("350600", "漳州市", "city", "350000"),
    ("350602", "芗城区", "county", "350600"),
    ("350603", "龙文区", "county", "350600"),
    ("350622", "云霄县", "county", "350600"),
    ("350623", "漳浦县", "county", "350600"),
    ("350624", "诏安县", "county", "350600"),
    ("350626", "东山县", "county", "350600"),
    ("350627", "南靖县", "county", "350600"),
    ("350628", "平和县", "county", "350600"),
    ("350629", "华安县", "county", "350600"),
    ("420000", "湖北省", "province", None),
    ("420100", "武汉市", "city", "420000"),
    ("420102", "江岸区", "county", "420100"),
    ("420500", "宜昌市", "city", "420000"),
    ("500000", "重庆市", "province", None),
    ("500101", "万州区", "county", "500000"),
    ("500103", "渝中区", "county", "500000"),
    ("500106", "沙坪坝区", "county", "500000"),
    ("620000", "甘肃省", "province", None),
    ("620100", "兰州市", "city", "620000"),
    ("620102", "城关区", "county", "620100"),
]

# (code, name, level, region code, parent centre code)
CENTRES = [
    ("hubei", "湖北省公共资源交易中心", "province", "420000", None),
    ("wuhan", "武汉市公共资源交易中心", "city", "420100", None),
    ("chongqing", "重庆市公共资源交易中心", "city", "500000", None),
    ("chongqing-wanzhou", "重庆市万州区公共资源交易中心", "district", "500101", None),
    ("zhangzhou", "漳州市公共资源交易中心", "city", "350600", None),
    ("zhangzhou-zhangpu", "漳州市公共资源交易中心漳浦分中心", "branch", "350623", "zhangzhou"),
    ("gansu", "甘肃省公共资源交易中心", "province", "620000", None),
    ("heilongjiang", "黑龙江省公共资源交易中心", "province", "230000", None),
]

VENUES = [
    ("zhangzhou", "第一开标室", "opening", 40, 0),
    ("zhangzhou", "第二开标室", "opening", 30, 0),
    ("zhangzhou", "第一评标室", "evaluation", 12, 9),
    ("zhangzhou", "拍卖大厅", "auction", 120, 0),
    ("zhangzhou-zhangpu", "开标室", "opening", 20, 0),
    ("wuhan", "一号开标厅", "opening", 60, 0),
    ("wuhan", "远程异地评标室", "evaluation", 15, 15),
]


def demo_uscc(region_code: str, serial: int) -> str:
    body = f"91{region_code}{serial:08d}X"[:17]
    return body + check_character(body)


@transaction.atomic
def load_demo() -> list[tuple[str, str, str]]:
    """Create or refresh the demo data; return the demo accounts (username, role, scope)."""
    regions: dict[str, Region] = {}
    for code, name, level, parent in REGIONS:
        regions[code], _ = Region.objects.update_or_create(
            code=code, defaults={"name": name, "level": level, "parent": regions.get(parent)}
        )
    centres: dict[str, Centre] = {}
    for code, name, level, region, parent in CENTRES:
        centres[code], _ = Centre.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "level": level,
                "region": regions[region],
                "parent": centres.get(parent),
                "service_phone": "12345",
                "complaint_phone": "12345",
            },
        )
    for centre, name, kind, capacity, remote in VENUES:
        Venue.objects.update_or_create(
            centre=centres[centre],
            name=name,
            defaults={"kind": kind, "capacity": capacity, "remote_seats": remote},
        )

    builder, _ = MarketEntity.objects.update_or_create(
        uscc=demo_uscc("350600", 1),
        defaults={
            "name": "漳州示范建设工程有限公司",
            "entity_type": EntityType.ENTERPRISE,
            "legal_representative": "陈建国",
            "region": regions["350600"],
            "contact_phone": "0596-2000001",
            "bank_name": "中国建设银行漳州分行",
            "bank_account_name": "漳州示范建设工程有限公司",
            "bank_account_number": "35050100000000000001",
        },
    )
    owner, _ = MarketEntity.objects.update_or_create(
        uscc=demo_uscc("350600", 2),
        defaults={
            "name": "漳州市示范城市建设投资有限公司",
            "entity_type": EntityType.ENTERPRISE,
            "legal_representative": "林海",
            "region": regions["350600"],
            "contact_phone": "0596-2000002",
        },
    )
    agency, _ = MarketEntity.objects.update_or_create(
        uscc=demo_uscc("420100", 3),
        defaults={
            "name": "武汉示范招标代理有限公司",
            "entity_type": EntityType.ENTERPRISE,
            "legal_representative": "周楚",
            "region": regions["420100"],
            "contact_phone": "027-80000003",
        },
    )

    accounts = [
        ("demo_bidder", Role.BIDDER, {"entity": builder, "is_entity_admin": True}),
        ("demo_tenderee", Role.TENDEREE, {"entity": owner, "is_entity_admin": True}),
        ("demo_agent", Role.AGENT, {"entity": agency, "is_entity_admin": True}),
        ("demo_staff", Role.CENTRE_STAFF, {"centre": centres["zhangzhou"]}),
        ("demo_county_staff", Role.CENTRE_STAFF, {"centre": centres["zhangzhou-zhangpu"]}),
        (
            "demo_regulator",
            Role.REGULATOR,
            {"department": Department.DEVELOPMENT_REFORM, "region": regions["350600"]},
        ),
        ("demo_expert", Role.EXPERT, {}),
        ("demo_pool_maintainer", Role.POOL_MAINTAINER, {}),
        ("demo_drawer", Role.EXPERT_DRAWER, {}),
        ("demo_pool_supervisor", Role.POOL_SUPERVISOR, {}),
        ("demo_admin", Role.PLATFORM_ADMIN, {"is_staff": True, "is_superuser": True}),
    ]
    listing = []
    for username, role, scope in accounts:
        user, created = User.objects.update_or_create(
            username=username, defaults={"role": role, **scope}
        )
        if created or not user.has_usable_password():
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        if role == Role.CENTRE_STAFF:
            assign_perm("centres.manage_centre", user, user.centre)
        where = (
            (user.entity and user.entity.name)
            or (user.centre and user.centre.name)
            or (user.region and f"{user.region.name} · {user.get_department_display()}")
            or ""
        )
        listing.append((username, str(role.label), where))

    notices = [
        (
            Notice.Kind.POLICY,
            "整合建立统一的公共资源交易平台工作方案",
            "国办发〔2015〕63号",
            "按照国务院办公厅工作方案，工程建设项目招标投标、土地使用权和矿业权出让、"
            "国有产权交易、政府采购等纳入统一的公共资源交易平台，实现场外无交易。",
        ),
        (
            Notice.Kind.SERVICE_LIST,
            "公共资源交易平台服务事项清单",
            "",
            "交易登记、场地安排、信息发布、专家抽取、开标评标服务、保证金收退、成交备案、档案查询。",
        ),
        (
            Notice.Kind.COMPLAINT_CHANNEL,
            "投诉举报渠道",
            "",
            "投诉举报电话：12345；投标人可在平台在线提出异议和投诉，各行业主管部门依法受理。",
        ),
        (
            Notice.Kind.RULE_CLEANUP,
            "公共资源交易规则清理结果",
            "",
            "经清理，废止要求外地企业设立分支机构、本地备案、投标许可等限制性规定。",
        ),
    ]
    for kind, title, source, body in notices:
        Notice.objects.update_or_create(
            kind=kind,
            title=title,
            defaults={"body": body, "source": source},
            create_defaults={"body": body, "source": source, "published_at": timezone.now()},
        )
    return listing


def demo_allowed() -> bool:
    return not getattr(settings, "IS_PRODUCTION", True)
