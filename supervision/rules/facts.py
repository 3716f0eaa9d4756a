"""The facts a detector reads: plain, frozen values, so every rule is a pure function."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class EntityFacts:
    uscc: str
    name: str
    legal_representative: str = ""
    contact_phone: str = ""
    address: str = ""
    bank_account: str = ""


@dataclass(frozen=True)
class BidFacts:
    id: int
    uscc: str
    state: str  # submitted | withdrawn | decrypted | rejected
    received_at: datetime
    client_ip: str = ""
    device_fingerprint: str = ""
    price: Decimal | None = None
    qualified: bool | None = None
    disqualification_reason: str = ""
    document_digests: tuple[str, ...] = ()
    #: The opened documents' authoring metadata: (document name, field, value), e.g.
    #: ("技术标.docx", "last_modified_by", "王五"); empty until the opening.
    document_authorship: tuple[tuple[str, str, str], ...] = ()

    @property
    def live(self) -> bool:
        return self.state != "withdrawn"


@dataclass(frozen=True)
class SecurityFacts:
    uscc: str
    amount: Decimal
    payer_account: str
    state: str
    received_total: Decimal
    refunded_total: Decimal
    refunded_at: datetime | None = None


@dataclass(frozen=True)
class MemberFacts:
    user_id: int
    name: str
    is_expert: bool
    employer_uscc: str = ""
    #: Declared relations: (entity USCC, ended on or None while current).
    relations: tuple[tuple[str, date | None], ...] = ()


@dataclass(frozen=True)
class ClarificationFacts:
    announcement_id: int
    issued_at: datetime
    affects_bid_preparation: bool
    bid_deadline_after: datetime | None
    deadline_pushed: bool


@dataclass(frozen=True)
class AwardFacts:
    bid_id: int
    candidate_rank: int
    reason: str
    awarded_at: datetime


@dataclass(frozen=True)
class GroupMeeting:
    """Another lot the same group of bidders bid on, and who won it."""

    lot_id: int
    winner_uscc: str


@dataclass
class LotFacts:
    project_id: int
    project_title: str
    lot_id: int
    lot_number: int
    category: str
    method: str
    department: str
    region_id: int | None
    centre_id: int | None
    tenderee_uscc: str
    funding_source: str
    state: str
    estimate_amount: Decimal
    bid_security_amount: Decimal
    documents_issued_at: datetime | None = None
    documents_sale_ends_at: datetime | None = None
    bid_deadline: datetime | None = None
    clarifications: list[ClarificationFacts] = field(default_factory=list)
    bids: list[BidFacts] = field(default_factory=list)
    entities: dict[str, EntityFacts] = field(default_factory=dict)
    securities: list[SecurityFacts] = field(default_factory=list)
    committee: list[MemberFacts] = field(default_factory=list)
    ranking: list[int] = field(default_factory=list)  # bid ids, first candidate first
    evaluation_completed_at: datetime | None = None
    candidates_published_at: datetime | None = None
    candidates_publicity_ends_at: datetime | None = None
    award: AwardFacts | None = None
    contract_signed_at: datetime | None = None
    withdrawals: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    group_meetings: list[GroupMeeting] = field(default_factory=list)
    #: The statutory rules in force for the category and method (catalog rows or alike).
    statutory_rules: list[Any] = field(default_factory=list)
    calendar: Any = None
    #: The clock of the overdue-steps sweep: a step not done by then may be overdue. None in
    #: the trade-log evaluation, which judges what happened.
    as_of: datetime | None = None

    @property
    def live_bids(self) -> list[BidFacts]:
        return [b for b in self.bids if b.live]

    @property
    def priced_bids(self) -> list[BidFacts]:
        return [b for b in self.bids if b.state == "decrypted" and b.price is not None]

    @property
    def opened(self) -> bool:
        """The opening has started: from now the number of bids is known."""
        return self.state not in {"preparing", "bidding"}

    @property
    def evaluated(self) -> bool:
        return self.state in {"evaluated", "publicity", "awarded", "contracted", "filed"} or (
            self.state == "failed" and self.evaluation_completed_at is not None
        )

    def bid(self, bid_id: int) -> BidFacts | None:
        return next((b for b in self.bids if b.id == bid_id), None)


@dataclass(frozen=True)
class EntryFacts:
    """One trade-log entry, with what the state machine and the holds say about it."""

    seq: int
    action: str
    object_type: str
    object_id: str
    occurred_at: datetime
    payload: dict
    category: str = ""
    centre_id: int | None = None
    #: A hold in force on the entry's project when the entry was written: (hold id, reason).
    hold_in_force: tuple[int, str] | None = None


@dataclass(frozen=True)
class RegistrantFacts:
    """One entity registered to bid on an auction listing."""

    uscc: str
    name: str
    number: str  # the bidder number (竞买号)
    deposit_confirmed: bool
    legal_representative: str = ""
    bids: int = 0


@dataclass(frozen=True)
class BannedRepresentative:
    """An entity under a market ban at the listing's time that shares a legal representative
    with a registrant."""

    registrant_uscc: str
    banned_uscc: str
    banned_name: str
    representative: str
    decision: str = ""


@dataclass
class ListingFacts:
    """An auction listing (land-use right, mining right, state-owned equity) as supervision
    sees it: its outcome, its registrants and their bids, read through the read-only
    connection."""

    listing_id: int
    title: str
    category: str
    method: str
    department: str
    region_id: int | None
    centre_id: int | None
    state: str
    starting_price: Decimal
    increment: Decimal
    reserve_price: Decimal | None
    final_price: Decimal | None
    winner_uscc: str = ""
    registrants: tuple[RegistrantFacts, ...] = ()
    banned_representatives: tuple[BannedRepresentative, ...] = ()
    #: For the overdue-steps sweep: when the trading ended, the registrants whose deposit is
    #: still held (received, neither refunded nor applied), the statutory rules and the clock.
    result_at: datetime | None = None
    deposits_held: tuple[str, ...] = ()
    statutory_rules: list[Any] = field(default_factory=list)
    calendar: Any = None
    as_of: datetime | None = None

    @property
    def closed(self) -> bool:
        return self.state in {"sold", "failed", "voided"}

    @property
    def qualified(self) -> tuple[RegistrantFacts, ...]:
        return tuple(r for r in self.registrants if r.deposit_confirmed)

    @property
    def competitors(self) -> tuple[RegistrantFacts, ...]:
        """Registrants who placed at least one bid."""
        return tuple(r for r in self.registrants if r.bids > 0)
