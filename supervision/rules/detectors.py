"""The detectors: pure functions of the facts and the rule's thresholds (`AlertRule.params`).

A lot detector takes `LotFacts` and returns a `Hit` for every finding; an entry detector takes
one `EntryFacts`. A hit names its subject (unique per rule, so re-evaluating is harmless),
the entities involved and the evidence: the exact values that fired it.

Process-compliance detectors are the alert twins of the catalog's statutory rules: they run
`catalog.rules.check_schedule` over the schedule the trade actually followed, so a period or
a cap slipped past the operation side's own check (an import, a manual override, a bug) is
caught with the same numbers and the same legal source.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import combinations
from typing import Any

from django.utils.translation import gettext as _

from catalog.rules import as_local_date, check_schedule, field_label
from catalog.working_days import period_end
from supervision.rules import screens
from supervision.rules.facts import BidFacts, EntryFacts, GroupMeeting, ListingFacts, LotFacts
from trading.state_machine import LOT_TRANSITIONS, PROJECT_TRANSITIONS


@dataclass(frozen=True)
class Hit:
    subject: str
    title: str
    evidence: dict[str, Any]
    entities: tuple[str, ...] = ()
    severity: str | None = None  # None: the rule's severity
    source: str | None = None  # None: the rule's source


LotDetector = Callable[[LotFacts, dict], list[Hit]]
EntryDetector = Callable[[EntryFacts, dict], list[Hit]]


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _ratio(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.4f}"


# --- Process compliance: the statutory rules' twins -----------------------------------------


def _schedule(facts: LotFacts) -> dict[str, Any]:
    """The schedule the trade followed, under the field names the catalog's rules use."""
    schedule: dict[str, Any] = {
        "estimate_amount": facts.estimate_amount,
        "budget_amount": facts.estimate_amount,
        "bid_security_amount": facts.bid_security_amount,
    }
    if facts.documents_issued_at:
        schedule["documents_issued_at"] = facts.documents_issued_at
        schedule["documents_sale_starts_at"] = facts.documents_issued_at
    if facts.documents_sale_ends_at:
        schedule["documents_sale_ends_at"] = facts.documents_sale_ends_at
    if facts.bid_deadline:
        schedule["bid_deadline"] = facts.bid_deadline
    if facts.committee:
        schedule["committee_size"] = len(facts.committee)
        schedule["committee_experts"] = sum(1 for m in facts.committee if m.is_expert)
    if facts.candidates_published_at:
        schedule["candidates_published_at"] = facts.candidates_published_at
    if facts.candidates_publicity_ends_at:
        schedule["candidates_publicity_ends_at"] = facts.candidates_publicity_ends_at
    if facts.evaluation_completed_at:
        schedule["evaluation_report_received_at"] = facts.evaluation_completed_at
    if facts.award:
        schedule["award_notice_issued_at"] = facts.award.awarded_at
        schedule["award_decided_at"] = facts.award.awarded_at
    if facts.contract_signed_at:
        schedule["contract_signed_at"] = facts.contract_signed_at
        refunds = [s.refunded_at for s in facts.securities if s.refunded_at]
        if refunds and all(s.state != "held" for s in facts.securities):
            schedule["bid_securities_returned_at"] = max(refunds)
            schedule["unsuccessful_securities_returned_at"] = max(refunds)
            schedule["winner_security_returned_at"] = max(refunds)
    return schedule


def _statutory(facts: LotFacts, suffixes: list[str]) -> list:
    rules = [r for r in facts.statutory_rules if any(r.code.endswith(f".{s}") for s in suffixes)]
    if not rules or facts.calendar is None:
        return []
    return check_schedule(rules=rules, schedule=_schedule(facts), calendar=facts.calendar)


def statutory_twin(facts: LotFacts, params: dict) -> list[Hit]:
    """Every statutory rule named in `params["statutory_rules"]` (code suffixes) that the
    trade's actual schedule breaks; one hit per rule, citing the rule's own source."""
    if params.get("after") == "opened" and not facts.opened:
        return []
    hits = []
    for violation in _statutory(facts, params.get("statutory_rules", [])):
        hits.append(
            Hit(
                subject=f"lot:{facts.lot_id}:{violation.rule}",
                title=violation.message,
                evidence={
                    "statutory_rule": violation.rule,
                    "field": violation.field,
                    "message": violation.message,
                    "values": {
                        k: v
                        for k, v in _schedule(facts).items()
                        if k in _fields_of(facts, violation)
                    },
                },
                source=violation.source,
            )
        )
    return hits


def _fields_of(facts: LotFacts, violation) -> set[str]:
    rule = next((r for r in facts.statutory_rules if r.code == violation.rule), None)
    if rule is None:
        return {violation.field}
    return {f for f in (rule.start_field, rule.end_field, rule.condition_field) if f}


def late_clarification(facts: LotFacts, params: dict) -> list[Hit]:
    """A clarification or change that may affect bid preparation, issued closer to the bid
    deadline than the law allows, without the deadline being moved (招标投标法 第23条)."""
    rules = [
        r
        for r in facts.statutory_rules
        if r.code.endswith(".clarification_before_deadline")
        and not r.code.startswith("engineering.prequalification")
    ]
    if not rules or facts.calendar is None:
        return []
    hits = []
    for item in facts.clarifications:
        if not item.affects_bid_preparation or item.bid_deadline_after is None:
            continue
        schedule = {
            "clarification_issued_at": item.issued_at,
            "bid_deadline": item.bid_deadline_after,
        }
        for violation in check_schedule(rules=rules, schedule=schedule, calendar=facts.calendar):
            hits.append(
                Hit(
                    subject=f"announcement:{item.announcement_id}",
                    title=violation.message,
                    evidence={
                        "announcement": item.announcement_id,
                        "clarification_issued_at": item.issued_at,
                        "bid_deadline": item.bid_deadline_after,
                        "deadline_pushed": item.deadline_pushed,
                        "statutory_rule": violation.rule,
                    },
                    source=violation.source,
                )
            )
    return hits


def avoidance_breach(facts: LotFacts, params: dict) -> list[Hit]:
    """A committee expert who works for, or declared a relation with, the tenderee or a
    bidder, current or ended within the look-back (实施条例 第46条; 采购条例 第9条)."""
    if not facts.committee:
        return []
    parties = {b.uscc for b in facts.live_bids} | {facts.tenderee_uscc}
    lookback_years = int(params.get("lookback_years", 3))
    reference = (facts.evaluation_completed_at or facts.bid_deadline or datetime.now()).date()
    since = reference - timedelta(days=365 * lookback_years)
    hits = []
    for member in facts.committee:
        if not member.is_expert:
            continue
        reasons = []
        if member.employer_uscc and member.employer_uscc in parties:
            reasons.append({"kind": "employer", "uscc": member.employer_uscc})
        for uscc, ended_on in member.relations:
            if uscc in parties and (ended_on is None or ended_on >= since):
                reasons.append({"kind": "declared_relation", "uscc": uscc, "ended_on": ended_on})
        if reasons:
            hits.append(
                Hit(
                    subject=f"lot:{facts.lot_id}:member:{member.user_id}",
                    title=_("Expert %(name)s should have been avoided") % {"name": member.name},
                    evidence={"expert": member.user_id, "name": member.name, "reasons": reasons},
                    entities=tuple(sorted({r["uscc"] for r in reasons})),
                )
            )
    return hits


def award_not_first(facts: LotFacts, params: dict) -> list[Hit]:
    """The award went to a bid other than the first-ranked candidate without a recorded
    reason (实施条例 第55条)."""
    award = facts.award
    if award is None or not facts.ranking:
        return []
    if award.bid_id == facts.ranking[0] or award.reason.strip():
        return []
    winner = facts.bid(award.bid_id)
    return [
        Hit(
            subject=f"lot:{facts.lot_id}",
            title=_("Award not to the first candidate, without a reason"),
            evidence={
                "awarded_bid": award.bid_id,
                "first_candidate_bid": facts.ranking[0],
                "recorded_rank": award.candidate_rank,
            },
            entities=(winner.uscc,) if winner else (),
        )
    ]


def publicity_cut_short(facts: LotFacts, params: dict) -> list[Hit]:
    """The candidates' publicity shorter than the law, or the award made before it ended."""
    hits = statutory_twin(facts, {"statutory_rules": ["candidates_publicity_period"]})
    if (
        facts.award is not None
        and facts.candidates_publicity_ends_at is not None
        and facts.award.awarded_at < facts.candidates_publicity_ends_at
    ):
        hits.append(
            Hit(
                subject=f"lot:{facts.lot_id}:award_before_publicity_end",
                title=_("Awarded before the candidates' publicity ended"),
                evidence={
                    "awarded_at": facts.award.awarded_at,
                    "publicity_ends_at": facts.candidates_publicity_ends_at,
                },
            )
        )
    return hits


def deposit_refund(facts: LotFacts, params: dict) -> list[Hit]:
    """Bid securities returned late (the statutory twins) or short (less refunded than
    received, 实施条例 第57条)."""
    hits = statutory_twin(facts, params)
    for security in facts.securities:
        if security.state == "refunded" and security.refunded_total < security.received_total:
            hits.append(
                Hit(
                    subject=f"lot:{facts.lot_id}:short:{security.uscc}",
                    title=_("Bid security returned short"),
                    evidence={
                        "received": _money(security.received_total),
                        "refunded": _money(security.refunded_total),
                        "account": security.payer_account,
                    },
                    entities=(security.uscc,),
                )
            )
    return hits


# --- Process compliance: steps that never happened (the overdue-steps sweep) -------------


def _overdue(
    rules: list, schedule: dict[str, Any], as_of: datetime, calendar, subject: str
) -> list[Hit]:
    """Each `max_interval` rule whose start happened and whose end has not: if doing the step
    now would already break the rule (the catalog's own check, same numbers, same source),
    the step is overdue."""
    hits = []
    for rule in rules:
        if rule.kind != "max_interval" or schedule.get(rule.start_field) is None:
            continue
        if schedule.get(rule.end_field) is not None:
            continue  # the step happened: the statutory twin judges whether it was late
        now = {**schedule, rule.end_field: as_of}
        for violation in check_schedule(rules=[rule], schedule=now, calendar=calendar):
            due = period_end(
                as_local_date(schedule[rule.start_field], rule.start_field),
                int(rule.value),
                rule.unit,
                calendar=calendar,
                extend=True,
            ).day
            hits.append(
                Hit(
                    subject=f"{subject}:overdue:{rule.code}",
                    title=_("Overdue: %(end)s has not happened; it was due by %(due)s")
                    % {"end": field_label(rule.end_field), "due": f"{due:%Y-%m-%d}"},
                    evidence={
                        "statutory_rule": rule.code,
                        rule.start_field: schedule[rule.start_field],
                        "missing": rule.end_field,
                        "due_by": due,
                        "as_of": as_of,
                        "message": violation.message,
                    },
                    source=violation.source,
                )
            )
    return hits


def overdue_step(facts: LotFacts, params: dict) -> list[Hit]:
    """A statutory step never done by its deadline: the contract not signed within the
    period after the award notice (招标投标法 第46条), bid securities not returned within
    their period (实施条例 第57条; 采购条例 第33条). Only the sweep sets `as_of`."""
    if facts.as_of is None or facts.calendar is None:
        return []
    suffixes = params.get("statutory_rules", [])
    rules = [r for r in facts.statutory_rules if any(r.code.endswith(f".{s}") for s in suffixes)]
    schedule = _schedule(facts)
    # Securities returned or not, whether or not the contract is signed.
    winner = facts.bid(facts.award.bid_id).uscc if facts.award and facts.award.bid_id else ""
    held = {s.uscc for s in facts.securities if s.state == "held"}
    for name in (
        "bid_securities_returned_at",
        "unsuccessful_securities_returned_at",
        "winner_security_returned_at",
    ):
        schedule.pop(name, None)
    returned = [s.refunded_at for s in facts.securities if s.refunded_at]
    if facts.securities and not held:
        schedule["bid_securities_returned_at"] = max(returned, default=facts.as_of)
    if facts.securities and not (held - {winner}):
        schedule["unsuccessful_securities_returned_at"] = max(returned, default=facts.as_of)
    if winner and winner not in held:
        schedule["winner_security_returned_at"] = max(returned, default=facts.as_of)
    hits = []
    for hit in _overdue(rules, schedule, facts.as_of, facts.calendar, f"lot:{facts.lot_id}"):
        if hit.evidence["missing"].endswith("returned_at"):
            hit = replace(
                hit,
                evidence={**hit.evidence, "securities_held": sorted(held)},
                entities=tuple(sorted(held)),
            )
        hits.append(hit)
    return hits


def auction_deposit_overdue(listing: ListingFacts, params: dict) -> list[Hit]:
    """Deposits of a closed auction or listing still held after the period to return them
    (39号令 第21条 and the mining and equity rules)."""
    if listing.as_of is None or listing.calendar is None or listing.result_at is None:
        return []
    suffixes = params.get("statutory_rules", [])
    rules = [r for r in listing.statutory_rules if any(r.code.endswith(f".{s}") for s in suffixes)]
    schedule: dict[str, Any] = {"trading_ends_at": listing.result_at}
    unsuccessful = tuple(u for u in listing.deposits_held if u != listing.winner_uscc)
    if not unsuccessful:
        schedule["unsuccessful_deposits_returned_at"] = listing.result_at
    return [
        replace(h, evidence={**h.evidence, "deposits_held": unsuccessful}, entities=unsuccessful)
        for h in _overdue(
            rules, schedule, listing.as_of, listing.calendar, f"listing:{listing.listing_id}"
        )
    ]


# --- Process compliance: an entry the state machine should have refused ---------------------


def step_outside_state(entry: EntryFacts, params: dict) -> list[Hit]:
    """A state move from a state its event does not allow, or any step written while a hold
    was in force on the project: the state machine should have refused both."""
    hits = []
    kind, _dot, event = entry.action.partition(".")
    table = {"project": PROJECT_TRANSITIONS, "lot": LOT_TRANSITIONS}.get(kind)
    if table is not None and event in table and "from" in entry.payload:
        allowed, target = table[event]
        if entry.payload["from"] not in allowed or entry.payload.get("to") != target:
            hits.append(
                Hit(
                    subject=f"entry:{entry.seq}",
                    title=_("A step done outside its state: %(action)s") % {"action": entry.action},
                    evidence={
                        "seq": entry.seq,
                        "action": entry.action,
                        "from": entry.payload["from"],
                        "to": entry.payload.get("to"),
                        "allowed_from": sorted(allowed),
                    },
                )
            )
    if entry.hold_in_force is not None and not entry.action.startswith("hold."):
        hold_id, reason = entry.hold_in_force
        hits.append(
            Hit(
                subject=f"entry:{entry.seq}:hold",
                title=_("A step done while the trade was suspended: %(action)s")
                % {"action": entry.action},
                evidence={
                    "seq": entry.seq,
                    "action": entry.action,
                    "hold": hold_id,
                    "hold_reason": reason,
                },
                severity="critical",
            )
        )
    return hits


# --- Competition ------------------------------------------------------------------------


def single_bid(facts: LotFacts, params: dict) -> list[Hit]:
    """Only one bid received once the bids are known (OCP R018)."""
    if not facts.opened or facts.method in params.get("exclude_methods", []):
        return []
    live = facts.live_bids
    if len(live) != 1:
        return []
    return [
        Hit(
            subject=f"lot:{facts.lot_id}",
            title=_("A single bid"),
            evidence={"bids_received": 1, "bid": live[0].id},
            entities=(live[0].uscc,),
        )
    ]


def all_but_winner_disqualified(facts: LotFacts, params: dict) -> list[Hit]:
    """One bid left qualified and at least `threshold` others disqualified (OCP R035)."""
    if not facts.evaluated:
        return []
    qualified = [b for b in facts.priced_bids if b.qualified]
    disqualified = [b for b in facts.priced_bids if b.qualified is False]
    if len(qualified) != 1 or len(disqualified) < int(params.get("threshold", 1)):
        return []
    return [
        Hit(
            subject=f"lot:{facts.lot_id}",
            title=_("All bids but one disqualified"),
            evidence={
                "qualified": qualified[0].id,
                "disqualified": [
                    {"bid": b.id, "bidder": b.uscc, "reason": b.disqualification_reason}
                    for b in disqualified
                ],
            },
            entities=tuple(b.uscc for b in qualified + disqualified),
        )
    ]


def lowest_bid_disqualified(facts: LotFacts, params: dict) -> list[Hit]:
    """The lowest bid was disqualified (OCP R036)."""
    if not facts.evaluated or not facts.priced_bids:
        return []
    lowest = min(facts.priced_bids, key=lambda b: (b.price, b.id))
    if lowest.qualified is not False:
        return []
    return [
        Hit(
            subject=f"lot:{facts.lot_id}",
            title=_("The lowest bid was disqualified"),
            evidence={
                "bid": lowest.id,
                "price": _money(lowest.price),
                "reason": lowest.disqualification_reason,
                "prices": sorted(_money(b.price) for b in facts.priced_bids),
            },
            entities=(lowest.uscc,),
        )
    ]


def late_bid_won(facts: LotFacts, params: dict) -> list[Hit]:
    """The winning bid was received after the bid deadline (OCP R030)."""
    if facts.award is None or facts.bid_deadline is None:
        return []
    winner = facts.bid(facts.award.bid_id)
    if winner is None or winner.received_at <= facts.bid_deadline:
        return []
    return [
        Hit(
            subject=f"lot:{facts.lot_id}",
            title=_("A late bid won"),
            evidence={
                "bid": winner.id,
                "received_at": winner.received_at,
                "bid_deadline": facts.bid_deadline,
            },
            entities=(winner.uscc,),
        )
    ]


# --- Collusion screens (围标串标) ----------------------------------------------------------


def _shared(facts: LotFacts, attribute: str, label: str, params: dict) -> list[Hit]:
    ignored = set(params.get("ignore", []))
    values: dict[str, set] = {}
    for bid in facts.live_bids:
        value = getattr(bid, attribute)
        if value and value not in ignored:
            values.setdefault(value, set()).add(bid.uscc)
    hits = []
    for value, usccs in sorted(values.items()):
        if len(usccs) < 2:
            continue
        hits.append(
            Hit(
                subject=f"lot:{facts.lot_id}:{value}",
                title=label,
                evidence={
                    attribute: value,
                    "bids": [
                        {"bid": b.id, "bidder": b.uscc, "received_at": b.received_at}
                        for b in facts.live_bids
                        if getattr(b, attribute) == value
                    ],
                },
                entities=tuple(sorted(usccs)),
            )
        )
    return hits


def shared_ip(facts: LotFacts, params: dict) -> list[Hit]:
    """Bids of different entities submitted from the same IP address (实施条例 第40条)."""
    return _shared(facts, "client_ip", _("Bids from different bidders from one IP address"), params)


def shared_device(facts: LotFacts, params: dict) -> list[Hit]:
    """Bids of different entities made on the same device (机器码 / device fingerprint)."""
    return _shared(
        facts, "device_fingerprint", _("Bids from different bidders from one device"), params
    )


def identical_documents(facts: LotFacts, params: dict) -> list[Hit]:
    """A bid document with the same digest in the bids of different entities (实施条例
    第40条: 不同投标人的投标文件异常一致)."""
    holders: dict[str, set[str]] = {}
    for bid in facts.live_bids:
        for digest in bid.document_digests:
            holders.setdefault(digest, set()).add(bid.uscc)
    hits = []
    for digest, usccs in sorted(holders.items()):
        if len(usccs) > 1:
            hits.append(
                Hit(
                    subject=f"lot:{facts.lot_id}:{digest}",
                    title=_("Identical documents in the bids of different bidders"),
                    evidence={
                        "digest": digest,
                        "bids": [
                            {"bid": b.id, "bidder": b.uscc}
                            for b in facts.live_bids
                            if digest in b.document_digests
                        ],
                    },
                    entities=tuple(sorted(usccs)),
                )
            )
    return hits


#: The metadata fields compared by default: who wrote, who last saved, for which company.
AUTHORSHIP_FIELDS = ("creator", "author", "last_modified_by", "company")


def _authorship_key(value: str) -> str:
    return "".join(value.split()).casefold()


def shared_authoring_metadata(facts: LotFacts, params: dict) -> list[Hit]:
    """Documents of different bidders written or last saved by the same person or company
    (实施条例 第40条: 不同投标人的投标文件由同一单位或者个人编制). The fields compared and
    the generic values ignored ("Administrator", "User", "Microsoft Office 用户"…) are the
    rule's params; values compare ignoring case and spacing."""
    fields = set(params.get("fields", AUTHORSHIP_FIELDS))
    ignored = {_authorship_key(v) for v in params.get("ignore", [])}
    holders: dict[str, list[tuple[BidFacts, str, str, str]]] = {}
    for bid in facts.live_bids:
        for document, field_name, value in bid.document_authorship:
            key = _authorship_key(value)
            if field_name not in fields or not key or key in ignored:
                continue
            holders.setdefault(key, []).append((bid, document, field_name, value))
    hits = []
    for key, found in sorted(holders.items()):
        usccs = sorted({bid.uscc for bid, *_rest in found})
        if len(usccs) < 2:
            continue
        hits.append(
            Hit(
                subject=f"lot:{facts.lot_id}:author:{key}",
                title=_("Documents of different bidders share their author: %(value)s")
                % {"value": found[0][3]},
                evidence={
                    "value": found[0][3],
                    "documents": [
                        {
                            "bid": bid.id,
                            "bidder": bid.uscc,
                            "document": doc,
                            "field": name,
                            "value": value,
                        }
                        for bid, doc, name, value in found
                    ],
                },
                entities=tuple(usccs),
            )
        )
    return hits


def shared_security_account(facts: LotFacts, params: dict) -> list[Hit]:
    """Bid securities of different entities paid from the same account (实施条例 第40条)."""
    holders: dict[str, set[str]] = {}
    for security in facts.securities:
        if security.payer_account:
            holders.setdefault(security.payer_account, set()).add(security.uscc)
    return [
        Hit(
            subject=f"lot:{facts.lot_id}:{account}",
            title=_("Bid securities paid from the same account"),
            evidence={"account": account, "bidders": sorted(usccs)},
            entities=tuple(sorted(usccs)),
        )
        for account, usccs in sorted(holders.items())
        if len(usccs) > 1
    ]


def _normalise(text: str) -> str:
    return "".join(text.split()).lower()


def shared_contact(facts: LotFacts, params: dict) -> list[Hit]:
    """Bidders sharing a legal representative, contact phone or address (OCP R044; 87号令
    第37条)."""
    fields = params.get("fields", ["legal_representative", "contact_phone", "address"])
    bidders = sorted({b.uscc for b in facts.live_bids})
    hits = []
    for first, second in combinations(bidders, 2):
        a, b = facts.entities.get(first), facts.entities.get(second)
        if a is None or b is None:
            continue
        shared = {
            name: getattr(a, name)
            for name in fields
            if getattr(a, name) and _normalise(getattr(a, name)) == _normalise(getattr(b, name))
        }
        if shared:
            hits.append(
                Hit(
                    subject=f"lot:{facts.lot_id}:{first}:{second}",
                    title=_("Bidders share a representative, phone or address"),
                    evidence={"bidders": [first, second], "shared": shared},
                    entities=(first, second),
                )
            )
    return hits


def identical_prices(facts: LotFacts, params: dict) -> list[Hit]:
    """Bids of different entities at the same price (OCP R028)."""
    prices = {b.uscc: b.price for b in facts.priced_bids}
    return [
        Hit(
            subject=f"lot:{facts.lot_id}:{_money(price)}",
            title=_("Identical bid prices"),
            evidence={"price": _money(price), "bidders": usccs},
            entities=tuple(usccs),
        )
        for price, usccs in screens.identical_values(prices).items()
    ]


def _prices(facts: LotFacts, params: dict) -> list[Decimal] | None:
    prices = [b.price for b in facts.priced_bids]
    return prices if len(prices) >= int(params.get("min_bids", 3)) else None


def low_price_variation(facts: LotFacts, params: dict) -> list[Hit]:
    """The Swiss screen: coefficient of variation below `max_cv` (0.06) together with the
    relative distance above `min_rd` (1): prices bunched, with a gap under the winner."""
    prices = _prices(facts, params)
    cv = screens.coefficient_of_variation(prices) if prices else None
    rd = screens.relative_distance(prices) if prices else None
    max_cv = Decimal(str(params.get("max_cv", "0.06")))
    min_rd = Decimal(str(params.get("min_rd", "1")))
    if cv is None or cv >= max_cv or rd is None or rd <= min_rd:
        return []
    return [
        Hit(
            subject=f"lot:{facts.lot_id}",
            title=_("Bid prices vary suspiciously little"),
            evidence={
                "cv": _ratio(cv),
                "rd": _ratio(rd),
                "max_cv": str(max_cv),
                "min_rd": str(min_rd),
                "prices": sorted(_money(p) for p in prices),
            },
            entities=tuple(sorted(b.uscc for b in facts.priced_bids)),
        )
    ]


def price_gap(facts: LotFacts, params: dict) -> list[Hit]:
    """The two lowest bids far apart compared with the spread of the losing bids (RD > 1):
    cover bids clustered above a designated winner."""
    prices = _prices(facts, params)
    rd = screens.relative_distance(prices) if prices else None
    if rd is None or rd <= Decimal(str(params.get("min_rd", "1"))):
        return []
    return [
        Hit(
            subject=f"lot:{facts.lot_id}",
            title=_("Lowest bid far below a tight cluster of losing bids"),
            evidence={
                "rd": _ratio(rd),
                "threshold": str(params.get("min_rd", "1")),
                "prices": sorted(_money(p) for p in prices),
            },
            entities=tuple(sorted(b.uscc for b in facts.priced_bids)),
        )
    ]


def equal_spacing(facts: LotFacts, params: dict) -> list[Hit]:
    """Prices in a regular pattern: consecutive differences nearly equal (规律性差异)."""
    prices = _prices(facts, params)
    deviation = screens.spacing_deviation(prices) if prices else None
    if deviation is None or deviation > Decimal(str(params.get("max_deviation", "0.02"))):
        return []
    return [
        Hit(
            subject=f"lot:{facts.lot_id}",
            title=_("Bid prices equally spaced"),
            evidence={
                "deviation": _ratio(deviation),
                "threshold": str(params.get("max_deviation", "0.02")),
                "prices": sorted(_money(p) for p in prices),
            },
            entities=tuple(sorted(b.uscc for b in facts.priced_bids)),
        )
    ]


def bid_rotation(facts: LotFacts, params: dict) -> list[Hit]:
    """The same group of bidders meets on several lots and the winner rotates."""
    if facts.award is None:
        return []
    winner = facts.bid(facts.award.bid_id)
    group = sorted({b.uscc for b in facts.live_bids})
    if winner is None or len(group) < 2:
        return []
    meetings = [*facts.group_meetings, GroupMeeting(lot_id=facts.lot_id, winner_uscc=winner.uscc)]
    winners = {m.winner_uscc for m in meetings}
    if len(meetings) < int(params.get("min_meetings", 3)) or len(winners) < int(
        params.get("min_distinct_winners", 2)
    ):
        return []
    return [
        Hit(
            subject=f"group:{'+'.join(group)}:{len(meetings)}",
            title=_("The same bidders meet repeatedly and take turns winning"),
            evidence={
                "group": group,
                "meetings": [{"lot": m.lot_id, "winner": m.winner_uscc} for m in meetings],
            },
            entities=tuple(group),
        )
    ]


# --- Auctions (land, mining, equity) ------------------------------------------------------


def auction_single_bidder(listing: ListingFacts, params: dict) -> list[Hit]:
    """An auction or listing sold with only one qualified (deposit confirmed) registrant:
    no competition reached the price. Agreement transfers are one buyer by law and are not
    flagged (the rule is not applied to that method)."""
    if listing.state != "sold" or listing.method == "agreement":
        return []
    qualified = listing.qualified
    if len(qualified) > int(params.get("max_qualified", 1)):
        return []
    return [
        Hit(
            subject=f"listing:{listing.listing_id}",
            title=_("Sold with a single registered bidder: %(title)s") % {"title": listing.title},
            evidence={
                "listing": listing.listing_id,
                "qualified_registrants": [r.uscc for r in qualified],
                "registrations": len(listing.registrants),
                "final_price": str(listing.final_price),
            },
            entities=tuple(r.uscc for r in qualified),
        )
    ]


def auction_reserve_without_competition(listing: ListingFacts, params: dict) -> list[Hit]:
    """A sale at (or within `increments` increments above) the secret reserve price with at
    most one bidder actually bidding: the price the seller fixed, never contested — a sign the
    reserve leaked or the field was cleared beforehand."""
    if listing.state != "sold" or listing.reserve_price is None or listing.final_price is None:
        return []
    ceiling = listing.reserve_price + listing.increment * int(params.get("increments", 0))
    bidders = listing.competitors
    if not (listing.reserve_price <= listing.final_price <= ceiling) or len(bidders) > 1:
        return []
    return [
        Hit(
            subject=f"listing:{listing.listing_id}",
            title=_("Sold at the reserve price without competition: %(title)s")
            % {"title": listing.title},
            evidence={
                "listing": listing.listing_id,
                "reserve_price": str(listing.reserve_price),
                "final_price": str(listing.final_price),
                "bidders_who_bid": [r.uscc for r in bidders],
                "registrations": len(listing.registrants),
            },
            entities=tuple(r.uscc for r in bidders),
        )
    ]


def auction_banned_representative(listing: ListingFacts, params: dict) -> list[Hit]:
    """A registrant shares its legal representative with an entity under a market ban: the
    banned party may be bidding through another company (失信主体借壳参与)."""
    return [
        Hit(
            subject=f"listing:{listing.listing_id}:{match.registrant_uscc}:{match.banned_uscc}",
            title=_("A bidder shares its legal representative with a banned entity: %(name)s")
            % {"name": match.banned_name},
            evidence={
                "listing": listing.listing_id,
                "registrant": match.registrant_uscc,
                "banned_entity": match.banned_uscc,
                "legal_representative": match.representative,
                "ban_decision": match.decision,
            },
            entities=(match.registrant_uscc, match.banned_uscc),
        )
        for match in listing.banned_representatives
    ]
