"""Bid-rigging screens over the prices of one lot (economics of cartel detection).

Pure statistics over Decimals; each returns None when it does not apply (too few bids, a
zero denominator), never a made-up number. Definitions: ../shared/reference/red-flags.md.
"""

from decimal import Decimal
from itertools import pairwise
from statistics import mean, stdev


def coefficient_of_variation(prices: list[Decimal]) -> Decimal | None:
    """CV = s / μ (sample standard deviation); low under collusion. n ≥ 3."""
    if len(prices) < 3:
        return None
    average = mean(prices)
    if average <= 0:
        return None
    return stdev(prices) / average


def relative_distance(prices: list[Decimal]) -> Decimal | None:
    """RD = (b2 − b1) / s(b2…bn): the gap between the two lowest against the spread of the
    losing bids; flag RD > 1. Needs two losing bids with some spread."""
    ordered = sorted(prices)
    if len(ordered) < 3:
        return None
    spread = stdev(ordered[1:])
    if spread == 0:
        return None
    return (ordered[1] - ordered[0]) / spread


def spacing_deviation(prices: list[Decimal]) -> Decimal | None:
    """How far the consecutive differences of the sorted prices are from equal: the largest
    |dᵢ − d̄| / d̄. Zero for an exact arithmetic progression (规律性差异). n ≥ 3, d̄ > 0."""
    ordered = sorted(prices)
    if len(ordered) < 3:
        return None
    gaps = [b - a for a, b in pairwise(ordered)]
    average = mean(gaps)
    if average <= 0:
        return None
    return max(abs(g - average) for g in gaps) / average


def identical_values(values: dict[str, object]) -> dict[object, list[str]]:
    """Values shared by two or more keys (e.g. an IP address used by several bidders)."""
    holders: dict[object, list[str]] = {}
    for key, value in values.items():
        if value in (None, ""):
            continue
        holders.setdefault(value, []).append(key)
    return {value: sorted(keys) for value, keys in holders.items() if len(set(keys)) > 1}
