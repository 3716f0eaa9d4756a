"""The Django side of the auction benchmark, run in a child process with the benchmark's
environment (its own database): `seed` and `verify`.

    python bench/_auction_seed.py seed --bidders 200 --starts-in 20 --lasts 600 --out …json
    python bench/_auction_seed.py verify --listing 1 --accepted …json

The listing goes through the project's own services (create, announce, register, confirm
the deposit) on a clock moved 21 days back, so that the announcement keeps the statutory
period before an auction that starts, on the real clock, a few seconds from now. The
bidders' entities, users and API tokens are bulk-created, with unusable passwords.
"""

import argparse
import itertools
import json
import os
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, os.environ.get("PORTAL_SOURCE") or str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
if os.environ.get("PORTAL_ENV") != "test" or "portal_bench" not in os.environ.get(
    "DATABASE_URL", ""
):
    sys.exit("refusing to run outside a benchmark database (PORTAL_ENV=test, portal_bench…)")

import django

django.setup()

import time_machine  # noqa: E402
from _surge_seed import _user, make_uscc  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from auctions.models import Bid, DepositMovement, Listing, Registration  # noqa: E402
from auctions.services import listings, registrations  # noqa: E402
from portal.accounts.models import Role, User  # noqa: E402
from portal.centres.models import Centre, Region  # noqa: E402
from portal.centres.services import assign_centre_staff  # noqa: E402
from portal.entities.models import EntityType, MarketEntity  # noqa: E402
from portal.tradelog.models import TradeLogEntry  # noqa: E402

STARTING = Decimal("10000000.00")
INCREMENT = Decimal("1000.00")
DEPOSIT = Decimal("2000000.00")


def seed(bidders: int, starts_in: float, lasts: float) -> dict:
    began = time.perf_counter()
    now = timezone.now()
    starts_at = now + timedelta(seconds=starts_in)
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
    transferor = MarketEntity.objects.create(
        uscc=make_uscc(9_999_999),
        name="漳州市自然资源局",
        entity_type=EntityType.ENTERPRISE,
        legal_representative="张三",
        region=city,
        contact_phone="0596-1234567",
    )
    with transaction.atomic():
        entities = MarketEntity.objects.bulk_create(
            MarketEntity(
                uscc=make_uscc(i + 1),
                name=f"压测置业有限公司{i + 1:04d}",
                entity_type=EntityType.ENTERPRISE,
                legal_representative="李四",
                region=city,
                contact_phone="0596-7654321",
            )
            for i in range(bidders)
        )
        users = User.objects.bulk_create(
            _user(f"bidder{i + 1:04d}", Role.BIDDER, entity=entity, is_entity_admin=True)
            for i, entity in enumerate(entities)
        )
        tokens = Token.objects.bulk_create(Token(key=Token.generate_key(), user=u) for u in users)
    with time_machine.travel(now - timedelta(days=21), tick=True):
        listing = listings.create_listing(
            actor=staff,
            centre=centre,
            region=city,
            category_code="land",
            method_code="auction",
            transferor=transferor,
            title="漳州市2026P99号地块（竞价压测）",
            starting_price=STARTING,
            increment=INCREMENT,
            deposit_amount=DEPOSIT,
            registration_ends_at=starts_at,
            auction_starts_at=starts_at,
            ends_at=starts_at + timedelta(seconds=lasts),
            extension_minutes=5,
        )
        listings.announce_listing(actor=staff, listing=listing)
        for user in users:
            registration = registrations.register(actor=user, listing=listing)
            registrations.confirm_deposit(
                actor=staff, registration=registration, amount=DEPOSIT, reference="BENCH"
            )
    return {
        "listing": listing.pk,
        "starts_at": starts_at.isoformat(),
        "increment": str(INCREMENT),
        "tokens": [token.key for token in tokens],
        "seconds": round(time.perf_counter() - began, 2),
    }


def verify(listing_id: int, accepted_path: Path) -> dict:
    """The invariants, from the bid log: strictly increasing by at least one increment, no
    duplicate price, every answered 201 in the log and nothing else, the trade log complete."""
    listing = Listing.objects.get(pk=listing_id)
    accepted = {(row[0], Decimal(row[1])) for row in json.loads(accepted_path.read_text())}
    log = list(Bid.objects.filter(listing=listing).order_by("sequence"))
    in_log = {(bid.sequence, bid.amount) for bid in log}
    steps_ok = all(b.amount >= a.amount + listing.increment for a, b in itertools.pairwise(log))
    logged = TradeLogEntry.objects.filter(action="auction.bid").count()
    return {
        "bids_in_log": len(log),
        "accepted_answers": len(accepted),
        "lost": len(accepted - in_log),
        "unanswered_in_log": len(in_log - accepted),
        "duplicate_prices": len(log) - len({bid.amount for bid in log}),
        "sequence_gapless": [bid.sequence for bid in log] == list(range(1, len(log) + 1)),
        "strictly_increasing_by_increment": steps_ok,
        "first_at_or_above_start": not log or log[0].amount >= listing.starting_price,
        "trade_log_bid_entries": logged,
        "row_cache_matches_log": listing.bid_count == len(log)
        and (not log or listing.current_price == log[-1].amount),
        "deposits_received": DepositMovement.objects.filter(kind="received").count(),
        "registrations": Registration.objects.filter(listing=listing).count(),
    }


def cost(listing_id: int, bids: int) -> dict:
    """In-process cost of one accepted bid (`place_bid`, no HTTP), and the share of it spent
    appending to the trade log (the chained `auction.bid` entry), two bidders alternating."""
    import auctions.state_machine as state_machine
    from auctions.services.bidding import place_bid

    listing = Listing.objects.get(pk=listing_id)
    users = [r.user for r in Registration.objects.filter(listing=listing).order_by("pk")[:2]]
    append = state_machine.append_entry
    in_log: list[float] = []

    def timed_append(**kwargs):
        began = time.perf_counter()
        try:
            return append(**kwargs)
        finally:
            in_log.append(time.perf_counter() - began)

    state_machine.append_entry = timed_append
    totals: list[float] = []
    with time_machine.travel(listing.auction_starts_at + timedelta(seconds=1), tick=True):
        price = listing.current_price or (listing.starting_price - listing.increment)
        for i in range(bids):
            price += listing.increment
            began = time.perf_counter()
            place_bid(actor=users[i % 2], listing=listing.pk, amount=price)
            totals.append(time.perf_counter() - began)
    state_machine.append_entry = append
    totals.sort()
    in_log.sort()

    def pct(values, p):
        return round(values[min(len(values) - 1, int(len(values) * p / 100))] * 1000, 2)

    return {
        "bids": bids,
        "bid_ms": {"p50": pct(totals, 50), "p99": pct(totals, 99)},
        "trade_log_append_ms": {"p50": pct(in_log, 50), "p99": pct(in_log, 99)},
        "trade_log_share_pct": round(100 * sum(in_log) / sum(totals), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("seed")
    s.add_argument("--bidders", type=int, required=True)
    s.add_argument("--starts-in", type=float, required=True)
    s.add_argument("--lasts", type=float, required=True)
    s.add_argument("--out", type=Path, required=True)
    v = sub.add_parser("verify")
    v.add_argument("--listing", type=int, required=True)
    v.add_argument("--accepted", type=Path, required=True)
    c = sub.add_parser("cost")
    c.add_argument("--listing", type=int, required=True)
    c.add_argument("--bids", type=int, default=1000)
    args = parser.parse_args()
    if args.command == "cost":
        print(json.dumps(cost(args.listing, args.bids)))
    elif args.command == "seed":
        args.out.write_text(json.dumps(seed(args.bidders, args.starts_in, args.lasts)))
    else:
        print(json.dumps(verify(args.listing, args.accepted)))


if __name__ == "__main__":
    main()
