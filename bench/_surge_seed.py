"""The Django side of the deadline-surge benchmark, run in a child process with the
benchmark's environment (its own database): `seed`, `announce` and `verify`.

    python bench/_surge_seed.py seed --bidders 1000 --out /tmp/….json
    python bench/_surge_seed.py announce --project 1 --deadline 2026-03-02T09:31:05+08:00
    python bench/_surge_seed.py verify --project 1 --receipts /tmp/….json

The project goes through the project's own services (submit, register, announce), exactly
as the `announced` fixture of tests/trading/conftest.py does; the bidders' entities, users
and API tokens are bulk-created (no service is involved in them, and password hashing would
dominate the seeding time), with unusable passwords.
"""

import argparse
import json
import os
import sys
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

# The portal's code: the working tree, or the export of a commit the benchmark measures.
sys.path.insert(0, os.environ.get("PORTAL_SOURCE") or str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
if os.environ.get("PORTAL_ENV") != "test" or "portal_bench" not in os.environ.get(
    "DATABASE_URL", ""
):
    sys.exit("refusing to run outside a benchmark database (PORTAL_ENV=test, portal_bench…)")

import django

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from catalog.models import Category, TradingMethod  # noqa: E402
from portal.accounts.models import Role, User  # noqa: E402
from portal.centres.models import Centre, Region  # noqa: E402
from portal.centres.services import assign_centre_staff  # noqa: E402
from portal.entities.models import EntityType, MarketEntity  # noqa: E402
from portal.entities.uscc import CHARSET, check_character  # noqa: E402
from portal.tradelog.models import TradeLogEntry  # noqa: E402
from portal.tradelog.selectors import verify_trade_log  # noqa: E402
from trading.models import BidSecurity, BidSubmission, DepositMovement, Lot, Project  # noqa: E402
from trading.services import projects  # noqa: E402

SECURITY = Decimal("100000.00")


def make_uscc(n: int, region_code: str = "350600") -> str:
    """As tests/factories.py: a valid unified social credit code, distinct for each n."""
    org = ""
    value = n
    for _ in range(8):
        org = CHARSET[value % 10] + org
        value //= 10
    body = f"91{region_code}{org}0"[:17]
    return body + check_character(body)


def _user(username: str, role: str, **fields) -> User:
    user = User(username=username, role=role, email=f"{username}@bench.example.cn", **fields)
    user.password = make_password(None)  # unusable: nobody logs in, the API uses tokens
    return user


def seed(bidders: int) -> dict:
    started = time.perf_counter()
    province, _ = Region.objects.get_or_create(
        code="350000", defaults={"name": "福建省", "level": Region.Level.PROVINCE}
    )
    city, _ = Region.objects.get_or_create(
        code="350600", defaults={"name": "漳州市", "level": Region.Level.CITY, "parent": province}
    )
    centre = Centre.objects.create(
        code="zhangzhou", name="漳州市公共资源交易中心", level=Centre.Level.CITY, region=city
    )
    staff = assign_centre_staff(user=_user("staff_zz", Role.EXPERT), centre=centre)
    tenderee_entity = MarketEntity.objects.create(
        uscc=make_uscc(9_999_999),
        name="漳州市示范城市建设投资有限公司",
        entity_type=EntityType.ENTERPRISE,
        legal_representative="张三",
        region=city,
        contact_phone="0596-1234567",
    )
    tenderee = _user("tenderee", Role.TENDEREE, entity=tenderee_entity, is_entity_admin=True)
    tenderee.save()
    project = projects.submit_project(
        actor=tenderee,
        title="漳州市示范路桥维修工程（截标高峰压测）",
        category=Category.objects.get(code="engineering"),
        method=TradingMethod.objects.get(code="open_tender"),
        subject="works",
        funding_source="state_owned",
        centre=centre,
        region=city,
        lots=[
            projects.LotInput(
                name="一标段", estimate_amount=Decimal("5000000.00"), bid_security_amount=SECURITY
            )
        ],
    )
    projects.register_project(project=project, actor=staff)

    with transaction.atomic():
        entities = MarketEntity.objects.bulk_create(
            MarketEntity(
                uscc=make_uscc(i + 1),
                name=f"压测建设有限公司{i + 1:04d}",
                entity_type=EntityType.ENTERPRISE,
                legal_representative="李四",
                region=city,
                contact_phone="0596-7654321",
                bank_account_number=f"6222020000{i + 1:08d}",
            )
            for i in range(bidders)
        )
        users = User.objects.bulk_create(
            _user(f"bidder{i + 1:04d}", Role.BIDDER, entity=entity, is_entity_admin=True)
            for i, entity in enumerate(entities)
        )
        tokens = Token.objects.bulk_create(
            Token(key=Token.generate_key(), user=user) for user in users
        )
    return {
        "project": project.pk,
        "lot": project.lots.get().number,
        "lot_id": project.lots.get().pk,
        "security": str(SECURITY),
        "tokens": [token.key for token in tokens],
        "usccs": [entity.uscc for entity in entities],
        "seconds": round(time.perf_counter() - started, 2),
    }


def announce(project_id: int, deadline: datetime) -> dict:
    """Publish the tender announcement: documents issued 30 days before the deadline (the
    statutory minimum is 20), on sale for 10 days, opening at the deadline."""
    project = Project.objects.get(pk=project_id)
    issued = deadline - timedelta(days=30)
    projects.publish_tender_announcement(
        project=project,
        actor=User.objects.get(username="tenderee"),
        title="招标公告",
        body="截标高峰压测。",
        documents_issued_at=issued,
        documents_sale_ends_at=issued + timedelta(days=10),
        bid_deadline=deadline,
        opening_at=deadline,
    )
    project.refresh_from_db()
    lot = project.lots.get()
    return {
        "project_state": project.state,
        "lot_state": lot.state,
        "bid_deadline": project.schedule.bid_deadline.isoformat(),
    }


def verify(project_id: int, receipts: dict) -> dict:
    """What the database holds after the surge, checked against the accepted responses."""
    lot = Lot.objects.get(project_id=project_id)
    bids = BidSubmission.objects.filter(lot=lot)
    stored = {
        b["receipt_digest"]: b
        for b in bids.values("id", "receipt_digest", "received_at", "envelope")
    }
    logged = {
        entry.payload.get("receipt_digest"): entry
        for entry in TradeLogEntry.objects.filter(action="bid.submitted", payload__lot=lot.pk).only(
            "payload", "seq"
        )
    }
    deadline = lot.project.schedule.bid_deadline
    accepted = receipts["accepted"]  # {receipt_digest: bid id}
    folder = f"sealed-bids/{lot.pk}"
    files = default_storage.listdir(folder)[1] if default_storage.exists(folder) else []
    envelope_names = {os.path.basename(b["envelope"]) for b in stored.values()}
    problems = verify_trade_log()
    received = [b["received_at"] for b in stored.values()]
    return {
        "bid_rows": len(stored),
        "accepted_responses": len(accepted),
        "accepted_found_in_bids": sum(1 for digest in accepted if digest in stored),
        "accepted_found_in_trade_log": sum(1 for digest in accepted if digest in logged),
        "bid_ids_match": all(
            stored[d]["id"] == bid_id for d, bid_id in accepted.items() if d in stored
        ),
        "bids_without_accepted_response": sorted(
            stored[d]["id"] for d in stored if d not in accepted
        ),
        "trade_log_bid_entries": len(logged),
        "securities_held": BidSecurity.objects.filter(
            lot=lot, state=BidSecurity.State.HELD
        ).count(),
        "deposit_movements": DepositMovement.objects.filter(security__lot=lot).count(),
        "envelope_files": len(files),
        "orphan_envelope_files": len(set(files) - envelope_names),
        "missing_envelope_files": len(envelope_names - set(files)),
        "trade_log_problems": [f"{p.seq}: {p.kind}: {p.detail}" for p in problems][:20],
        "all_received_before_deadline": all(r < deadline for r in received),
        "first_received_at": min(received).isoformat() if received else None,
        "last_received_at": max(received).isoformat() if received else None,
        "bid_deadline": deadline.isoformat(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("seed")
    p.add_argument("--bidders", type=int, required=True)
    p.add_argument("--out", type=Path, required=True)
    p = sub.add_parser("announce")
    p.add_argument("--project", type=int, required=True)
    p.add_argument("--deadline", required=True)
    p = sub.add_parser("verify")
    p.add_argument("--project", type=int, required=True)
    p.add_argument("--receipts", type=Path, required=True)
    args = parser.parse_args()
    if args.command == "seed":
        result = seed(args.bidders)
        args.out.write_text(json.dumps(result))
        print(json.dumps({k: v for k, v in result.items() if k not in {"tokens", "usccs"}}))
    elif args.command == "announce":
        deadline = datetime.fromisoformat(args.deadline)
        print(json.dumps(announce(args.project, timezone.localtime(deadline))))
    else:
        receipts = json.loads(args.receipts.read_text())
        print(json.dumps(verify(args.project, receipts)))


if __name__ == "__main__":
    main()
