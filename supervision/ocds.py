"""Red flags over open data: OCDS 1.1 compiled releases (with the bids extension), in the
output shape of the Open Contracting Partnership's Cardinal, so that a regulator can screen
another platform's published data and compare our results with the reference side by side.

Per-process flags (R018, R028, R030, R035, R036) run the same detectors as the live alerts
(`supervision.rules.detectors`) over facts built from each release. Data-set flags (R003,
R024, R025, R038, R048, R058) follow Cardinal's definitions: outliers are judged with fences
over the whole input (Q1 − 1.5·IQR, Q3 + 1.5·IQR, quartiles as Cardinal's `statrs` computes
them), or with a fixed `threshold` from the settings file. Definitions:
../shared/reference/red-flags.md.

Output: ``{"OCID": {ocid: {code: value}}, "Buyer": {...}, "ProcuringEntity": {...},
"Tenderer": {...}}``; a group or a code is absent where nothing fired.
"""

import configparser
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.utils.dateparse import parse_datetime

from supervision.rules import detectors
from supervision.rules.facts import AwardFacts, BidFacts, LotFacts

CODES = ("R003", "R018", "R024", "R025", "R028", "R030", "R035", "R036", "R038", "R048", "R058")


@dataclass
class Settings:
    """Cardinal's settings (an INI file): `[R024] threshold = 0.05`, `[R003] threshold = 15`
    and `[R003] <procurementMethodDetails> = <days>` per method, `[R025] percentile/threshold`,
    `[R035] threshold`, `[R038] threshold/minimum_submitted_bids/minimum_contracting_processes`,
    `[R048] digits/threshold/minimum_contracting_processes`, top-level `currency`."""

    sections: dict[str, dict[str, str]] = field(default_factory=dict)
    currency: str | None = None

    @classmethod
    def from_ini(cls, text: str) -> "Settings":
        parser = configparser.ConfigParser()
        parser.optionxform = str  # keep procurementMethodDetails as written
        parser.read_string("[DEFAULT]\n" + text if not text.lstrip().startswith("[") else text)
        sections = {name: dict(parser.items(name)) for name in parser.sections()}
        return cls(sections=sections, currency=parser.defaults().get("currency"))

    def get(self, code: str, key: str, default=None, cast=float):
        value = self.sections.get(code, {}).get(key)
        return default if value is None else cast(value)


def quantile(values: list[float], tau: float) -> float:
    """Quantile by the median-unbiased estimator (Hyndman–Fan R-8), as `statrs` computes it."""
    data = sorted(values)
    n = len(data)
    if n == 0:
        return math.nan
    if n == 1:
        return data[0]
    h = (n + 1 / 3) * tau + 1 / 3
    if h <= 1:
        return data[0]
    if h >= n:
        return data[-1]
    lower = math.floor(h)
    return data[lower - 1] + (h - lower) * (data[lower] - data[lower - 1])


def lower_fence(values: list[float]) -> float:
    q1, q3 = quantile(values, 0.25), quantile(values, 0.75)
    return q1 - 1.5 * (q3 - q1)


def upper_fence(values: list[float]) -> float:
    q1, q3 = quantile(values, 0.25), quantile(values, 0.75)
    return q3 + 1.5 * (q3 - q1)


# --- Reading a release ---------------------------------------------------------------------


def _amount(value) -> tuple[Decimal, str] | None:
    if not isinstance(value, dict):
        return None
    try:
        return Decimal(str(value["amount"])), str(value.get("currency") or "")
    except (KeyError, InvalidOperation):
        return None


def _date(text) -> datetime | None:
    return parse_datetime(text) if isinstance(text, str) else None


def submitted_bids(release: dict) -> list[dict]:
    """Bids other than invited or withdrawn ones (Cardinal's "submitted")."""
    details = (release.get("bids") or {}).get("details") or []
    return [b for b in details if b.get("status") not in {"invited", "withdrawn"}]


def _tenderer(bid: dict) -> str | None:
    tenderers = bid.get("tenderers") or []
    return tenderers[0].get("id") if len(tenderers) == 1 else None


def complete_awards(release: dict) -> list[dict] | None:
    """The active awards, if every award is final (none pending)."""
    awards = release.get("awards") or []
    if not awards or any(
        a.get("status") not in {"active", "cancelled", "unsuccessful"} for a in awards
    ):
        return None
    return [a for a in awards if a.get("status") == "active"]


def single_supplier(awards: list[dict] | None) -> str | None:
    if not awards or len(awards) != 1:
        return None
    suppliers = awards[0].get("suppliers") or []
    return suppliers[0].get("id") if len(suppliers) == 1 else None


def lot_facts(release: dict) -> LotFacts:
    """A release as the facts the live detectors read (one lot per contracting process)."""
    tender = release.get("tender") or {}
    awards = complete_awards(release)
    winner = single_supplier(awards)
    bids: list[BidFacts] = []
    for index, bid in enumerate(submitted_bids(release)):
        tenderer = _tenderer(bid)
        if tenderer is None:
            continue
        status = bid.get("status")
        amount = _amount(bid.get("value"))
        decided = status in {"valid", "disqualified"}
        bids.append(
            BidFacts(
                id=index + 1,
                uscc=tenderer,
                state="decrypted" if decided else "submitted",
                received_at=_date(bid.get("date")) or datetime.min,
                price=amount[0] if (amount and decided) else None,
                qualified={"valid": True, "disqualified": False}.get(status),
            )
        )
    award = None
    if winner is not None:
        winning = [b for b in bids if b.uscc == winner and b.qualified]
        if winning:
            award = AwardFacts(
                bid_id=winning[0].id,
                candidate_rank=1,
                reason="",
                awarded_at=_date(awards[0].get("date")) or datetime.min,
            )
    return LotFacts(
        project_id=0,
        project_title=str(tender.get("title", "")),
        lot_id=0,
        lot_number=1,
        category="",
        method=str(tender.get("procurementMethod", "")),
        department="",
        region_id=None,
        centre_id=None,
        tenderee_uscc=str((release.get("buyer") or {}).get("id", "")),
        funding_source="",
        state="awarded" if awards else "opened",
        estimate_amount=Decimal(0),
        bid_security_amount=Decimal(0),
        bid_deadline=_date((tender.get("tenderPeriod") or {}).get("endDate")),
        bids=bids,
        award=award,
    )


# --- The indicators ------------------------------------------------------------------------


@dataclass
class Results:
    groups: dict[str, dict[str, dict[str, float]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(dict))
    )

    def set(self, group: str, key: str, code: str, value: float) -> None:
        self.groups[group][key][code] = round(float(value), 4)

    def as_dict(self) -> dict:
        order = ["OCID", "Buyer", "ProcuringEntity", "Tenderer"]
        return {
            g: {k: dict(v) for k, v in self.groups[g].items()} for g in order if self.groups.get(g)
        }


def red_flags(releases: Iterable[dict], settings: Settings | None = None) -> dict:
    """Every indicator over the releases (one compiled release each)."""
    settings = settings or Settings()
    results = Results()
    r024_ratios: dict[str, float] = {}
    r025: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    r038: dict[str, dict[str, list[int]]] = {
        g: defaultdict(lambda: [0, 0]) for g in ("Buyer", "ProcuringEntity", "Tenderer")
    }
    r048: dict[str, tuple[int, set[str]]] = {}
    digits = int(settings.get("R048", "digits", 2, int))
    for release in releases:
        ocid = release.get("ocid")
        if not ocid:
            continue
        facts = lot_facts(release)
        _per_process(results, ocid, release, facts, settings)
        ratio = _second_lowest_ratio(release, settings)
        if ratio is not None:
            r024_ratios[ocid] = ratio
        _count_r025(r025, release)
        _count_r038(r038, release)
        _count_r048(r048, release, digits)
    _finalize_ratio(results, r024_ratios, settings)
    _finalize_r025(results, r025, settings)
    _finalize_r038(results, r038, settings)
    _finalize_r048(results, r048, settings)
    return results.as_dict()


def _per_process(
    results: Results, ocid: str, release: dict, facts: LotFacts, settings: Settings
) -> None:
    tender = release.get("tender") or {}
    # R003: whole days of the tender period below the threshold (per method, else default).
    period = tender.get("tenderPeriod") or {}
    start, end = _date(period.get("startDate")), _date(period.get("endDate"))
    if start and end:
        days = (end - start).days
        method = str(tender.get("procurementMethodDetails", ""))
        threshold = settings.get("R003", method, None, int) if method else None
        if threshold is None:
            threshold = settings.get("R003", "threshold", 15, int)
        if days < threshold:
            results.set("OCID", ocid, "R003", days)
    # R018: one tenderer in an open or selective procedure.
    if tender.get("procurementMethod") in {"open", "selective"} and (
        tender.get("numberOfTenderers") == 1
        or (tender.get("numberOfTenderers") is None and detectors.single_bid(facts, {}))
    ):
        results.set("OCID", ocid, "R018", 1)
    if detectors.identical_prices(facts, {}):
        results.set("OCID", ocid, "R028", 1)
    awards = complete_awards(release) or [
        a for a in release.get("awards") or [] if a.get("status") == "active"
    ]
    winners = {s.get("id") for a in awards for s in a.get("suppliers") or []}
    late = [
        b
        for b in facts.bids
        if b.qualified
        and facts.bid_deadline
        and b.received_at > facts.bid_deadline
        and b.uscc in winners
    ]
    if late:
        results.set("OCID", ocid, "R030", 1)
    # R035: the only tenderer with valid bids supplies every active award; others disqualified.
    valid = {b.uscc for b in facts.bids if b.qualified}
    disqualified = {b.uscc for b in facts.bids if b.qualified is False} - valid
    if (
        len(valid) == 1
        and winners == valid
        and len(disqualified) >= settings.get("R035", "threshold", 1, int)
    ):
        results.set("OCID", ocid, "R035", len(disqualified))
    # R036: an active award, and the lowest submitted bid disqualified.
    if winners and detectors.lowest_bid_disqualified(
        LotFacts(**{**facts.__dict__, "state": "awarded"}), {}
    ):
        results.set("OCID", ocid, "R036", 1)


def _second_lowest_ratio(release: dict, settings: Settings) -> float | None:
    """(lowest non-winning valid bid − winning bid) / winning bid, where every award is
    final, one active award has one supplier, and the winner is the lowest (R024, R058)."""
    supplier = single_supplier(complete_awards(release))
    if supplier is None:
        return None
    winner = lowest_other = None
    currency = settings.currency
    for bid in (release.get("bids") or {}).get("details") or []:
        amount = _amount(bid.get("value"))
        tenderer = _tenderer(bid)
        if bid.get("status") != "valid" or amount is None or tenderer is None:
            continue
        value, bid_currency = amount
        currency = currency or bid_currency
        if bid_currency != currency:
            continue
        if tenderer == supplier:
            winner = value if winner is None else min(winner, value)
        else:
            lowest_other = value if lowest_other is None else min(lowest_other, value)
    if winner is None or lowest_other is None or winner <= 0 or lowest_other < winner:
        return None
    return float((lowest_other - winner) / winner)


def _finalize_ratio(results: Results, ratios: dict[str, float], settings: Settings) -> None:
    if not ratios:
        return
    values = list(ratios.values())
    low = settings.get("R024", "threshold", None)
    high = settings.get("R058", "threshold", None)
    if low is None:
        # A computed lower fence at or below zero (or a zero Q1) flags nothing.
        q1, low = quantile(values, 0.25), lower_fence(values)
        low = low if q1 > 0 and low > 0 else None
    high = upper_fence(values) if high is None else high
    for ocid, ratio in ratios.items():
        if low is not None and ratio <= low:
            results.set("OCID", ocid, "R024", ratio)
        if ratio >= high:
            results.set("OCID", ocid, "R058", ratio)


def _count_r025(counts, release: dict) -> None:
    supplier = single_supplier(complete_awards(release))
    if supplier is None:
        return
    valid = {
        _tenderer(b)
        for b in (release.get("bids") or {}).get("details") or []
        if b.get("status") == "valid" and _tenderer(b)
    }
    for tenderer in valid:
        counts[tenderer][0] += int(tenderer == supplier)
        counts[tenderer][1] += 1


def _finalize_r025(results: Results, counts, settings: Settings) -> None:
    if not counts:
        return
    percentile = settings.get("R025", "percentile", 75, int)
    bids_fence = quantile([float(d) for _n, d in counts.values()], percentile / 100)
    ratios = {t: n / d for t, (n, d) in counts.items()}
    low = settings.get("R025", "threshold", None)
    if low is None:
        values = list(ratios.values())
        q1, low = quantile(values, 0.25), lower_fence(values)
        low = low if q1 > 0 and low > 0 else None
    for tenderer, (_n, d) in counts.items():
        if low is not None and d > bids_fence and ratios[tenderer] < low:
            results.set("Tenderer", tenderer, "R025", ratios[tenderer])


def _count_r038(counts, release: dict) -> None:
    bids = submitted_bids(release)
    if not bids:
        return
    disqualified = sum(1 for b in bids if b.get("status") == "disqualified")
    for bid in bids:
        for tenderer in bid.get("tenderers") or []:
            if tenderer.get("id"):
                counts["Tenderer"][tenderer["id"]][0] += int(bid.get("status") == "disqualified")
                counts["Tenderer"][tenderer["id"]][1] += 1
    buyer = (release.get("buyer") or {}).get("id")
    entity = ((release.get("tender") or {}).get("procuringEntity") or {}).get("id")
    for group, key in (("Buyer", buyer), ("ProcuringEntity", entity)):
        if key:
            counts[group][key][0] += disqualified
            counts[group][key][1] += len(bids)


def _finalize_r038(results: Results, counts, settings: Settings) -> None:
    minimum = {
        "Buyer": settings.get("R038", "minimum_contracting_processes", 2, int),
        "ProcuringEntity": settings.get("R038", "minimum_contracting_processes", 2, int),
        "Tenderer": settings.get("R038", "minimum_submitted_bids", 2, int),
    }
    for group, fractions in counts.items():
        ratios = {k: n / d for k, (n, d) in fractions.items() if d >= minimum[group]}
        if not ratios:
            continue
        high = settings.get("R038", "threshold", None)
        high = upper_fence(list(ratios.values())) if high is None else high
        for key, ratio in ratios.items():
            if ratio >= high:
                results.set(group, key, "R038", ratio)


def _count_r048(counts, release: dict, digits: int) -> None:
    awards = [a for a in release.get("awards") or [] if a.get("status") == "active"]
    for award in awards:
        items = award.get("items") or (release.get("tender") or {}).get("items") or []
        prefixes = {
            str((i.get("classification") or {}).get("id", ""))[:digits]
            for i in items
            if (i.get("classification") or {}).get("id")
        }
        for supplier in award.get("suppliers") or []:
            if supplier.get("id"):
                processes, seen = counts.get(supplier["id"], (0, set()))
                counts[supplier["id"]] = (processes + 1, seen | prefixes)


def _finalize_r048(results: Results, counts, settings: Settings) -> None:
    minimum = settings.get("R048", "minimum_contracting_processes", 20, int)
    eligible = {s: len(p) for s, (n, p) in counts.items() if n >= minimum}
    if not eligible:
        return
    high = settings.get("R048", "threshold", None)
    high = upper_fence([float(v) for v in eligible.values()]) if high is None else high
    for supplier, distinct in eligible.items():
        if distinct >= high:
            results.set("Tenderer", supplier, "R048", distinct)
