"""The auction's rules as pure functions of plain values: no I/O, tested exhaustively.

- The increment rule: a bid beats the current highest by at least one increment, or by
  exactly one (as announced); the first bid starts at the starting price.
- Time extension (限时竞价): a bid in the last N minutes moves the end to N minutes after
  it; the auction ends when a full period passes with no bid.
- The outcome: computed from the bid log alone, so that no outage, counter or cache can
  produce a result (practice.md, "The deadline and the auction clock").
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

CENT = Decimal("0.01")

AT_LEAST = "at_least"
EXACTLY = "exactly"


@dataclass(frozen=True)
class BidRefusal:
    code: str
    minimum: Decimal


def is_whole_fen(amount: Decimal) -> bool:
    return amount == amount.quantize(CENT)


def minimum_next_bid(
    *, current_price: Decimal | None, starting_price: Decimal, increment: Decimal
) -> Decimal:
    """The lowest acceptable next bid: the starting price first, then one increment above."""
    if current_price is None:
        return starting_price
    return current_price + increment


def check_bid(
    *,
    amount: Decimal,
    current_price: Decimal | None,
    starting_price: Decimal,
    increment: Decimal,
    increment_rule: str,
) -> BidRefusal | None:
    """None when `amount` is acceptable; else why not and the minimum that would be."""
    minimum = minimum_next_bid(
        current_price=current_price, starting_price=starting_price, increment=increment
    )
    if not is_whole_fen(amount):
        return BidRefusal("not_whole_fen", minimum)
    if amount < minimum:
        return BidRefusal("too_low", minimum)
    if increment_rule == EXACTLY and amount != minimum:
        return BidRefusal("not_exactly_one_increment", minimum)
    return None


def too_low(amount: Decimal, minimum: Decimal) -> BidRefusal | None:
    """The `too_low` refusal of `amount` against a known minimum next bid, or None (an
    amount not to the fen is left to `check_bid`, which names that rule first)."""
    if is_whole_fen(amount) and amount < minimum:
        return BidRefusal("too_low", minimum)
    return None


def extended_end(*, ends_at: datetime, placed_at: datetime, extension: timedelta) -> datetime:
    """The end after a bid at `placed_at`: a bid in the last period moves it to a full period
    after the bid; an earlier bid leaves it."""
    return max(ends_at, placed_at + extension)


def end_from_log(
    *, scheduled_end: datetime, bid_times: Iterable[datetime], extension: timedelta
) -> datetime:
    """The end of the live phase as the bid log says: the scheduled end, extended by every bid
    placed before the end it then had. A bid recorded after that end (impossible under the
    lock; listed here so a corrupt log cannot extend an ended auction) is ignored."""
    end = scheduled_end
    for placed_at in sorted(bid_times):
        if placed_at < end:
            end = extended_end(ends_at=end, placed_at=placed_at, extension=extension)
    return end


@dataclass(frozen=True)
class LoggedBid:
    sequence: int
    bidder: int
    amount: Decimal
    placed_at: datetime


@dataclass(frozen=True)
class Outcome:
    """`winner` is the winning bid, or None with `reason` (no_bids, below_reserve)."""

    winner: LoggedBid | None
    reason: str = ""


def outcome(bids: Sequence[LoggedBid], *, reserve: Decimal | None) -> Outcome:
    """The highest bid wins; at equal prices the earlier (lower sequence). Below the reserve
    the auction fails (39号令(国土) 第20条)."""
    if not bids:
        return Outcome(None, "no_bids")
    best = min(bids, key=lambda bid: (-bid.amount, bid.sequence))
    if reserve is not None and best.amount < reserve:
        return Outcome(None, "below_reserve")
    return Outcome(best)


def sealed_bids_in_receipt_order(
    bids: Iterable[tuple[int, Decimal, datetime, int]],
) -> list[LoggedBid]:
    """A tender's opened bids, given as (bidder, price, received_at, id), as a log numbered
    in order of receipt, so that `outcome` gives the earliest receipt at an equal price."""
    ordered = sorted(bids, key=lambda bid: (bid[2], bid[3]))
    return [
        LoggedBid(sequence=index, bidder=bidder, amount=price, placed_at=received_at)
        for index, (bidder, price, received_at, _id) in enumerate(ordered, start=1)
    ]


#: A sealed bid that is not decrypted at the opening: the bidder's own failure (a wrong
#: passphrase, a malformed package, no attempt) counts as revoking the bid (撤销); a failure not
#: of its making (the stored envelope damaged, a suite the platform cannot run) counts as a
#: withdrawal (撤回), so the bidder may claim its losses. 电子招标投标办法 第31条, which the
#: land tender has no counterpart of, applied by analogy. Either way the bid is invalid.
FAILED_DECRYPTION_SOURCE = "电子招标投标办法 第31条"
FAILED_DECRYPTION_CONSEQUENCE = {
    None: "revoked",
    "wrong_secret": "revoked",
    "invalid_package": "revoked",
    "corrupted": "withdrawn",
    "unsupported_suite": "withdrawn",
    "wrong_archive_key": "withdrawn",
    "key_kind_mismatch": "withdrawn",
}


def failed_decryption_consequence(cause: str | None) -> str:
    """ "revoked" or "withdrawn" for the cause of the last failed attempt (None: none made);
    an unknown cause is not attributed to the platform."""
    return FAILED_DECRYPTION_CONSEQUENCE.get(cause, "revoked")


def listing_end_decision(bids: Sequence[LoggedBid], *, reserve: Decimal | None) -> str:
    """At the end of a listing period (39号令(国土) 第20条): two or more bidders still
    competing → a live auction; otherwise the listing's outcome ("sold" or "failed")."""
    if len({bid.bidder for bid in bids}) >= 2:
        return "auction"
    return "sold" if outcome(bids, reserve=reserve).winner else "failed"


def equity_disclosure_decision(qualified_buyers: int) -> str:
    """At the end of the disclosure (32号令 第20–21条 (check)): one qualified buyer → an
    agreement at no less than the listing price; several → online bidding; none → failed."""
    if qualified_buyers >= 2:
        return "auction"
    if qualified_buyers == 1:
        return "agreement"
    return "failed"


def below_share(amount: Decimal, reference: Decimal, percent: Decimal) -> bool:
    """Is `amount` below `percent` % of `reference` (exact decimal arithmetic)?"""
    return amount * 100 < reference * percent
