"""Service fees per lot (按宗分级, I1): cumulative differential rates (差额定率累进).

Each rate applies to the part of the lot amount that falls in its band. With the bands
"up to 1,000,000 at 1 %", "up to 5,000,000 at 0.5 %", "above at 0.2 %", a lot of 3,000,000
yuan pays 1,000,000 × 1 % + 2,000,000 × 0.5 % = 20,000 yuan. The result is then held
within the per-lot minimum and maximum and rounded to the yuan (half up).

Pure functions, no I/O: `FeeStandard.tiers` is parsed here, and the fee is computed here.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

YUAN = Decimal("1")


class FeeTierError(ValueError):
    """The tiers of a fee standard are not a valid ascending list of bands."""


@dataclass(frozen=True)
class FeeTier:
    """A band: `rate` applies to the part of the amount up to `up_to` (None: no ceiling)."""

    up_to: Decimal | None
    rate: Decimal

    @property
    def rate_percent(self) -> str:
        """The rate as a percentage, e.g. ``0.15`` for a rate of 0.0015."""
        percent = (self.rate * 100).normalize()
        return f"{percent:f}"


def _decimal(value, what: str) -> Decimal:
    message = _("%(what)s is not a number: %(value)s") % {"what": what, "value": value}
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise FeeTierError(message) from exc
    if not number.is_finite():
        raise FeeTierError(message)
    return number


def parse_tiers(raw: Iterable[Mapping]) -> tuple[FeeTier, ...]:
    """Read ``[{"up_to": "1000000", "rate": "0.01"}, …, {"up_to": null, "rate": "0.002"}]``.

    Bands ascend strictly; only the last one is open-ended; rates lie in [0, 1).
    """
    if not isinstance(raw, list | tuple) or not raw:
        raise FeeTierError(_("Tiers must be a non-empty list of bands."))
    tiers: list[FeeTier] = []
    for position, band in enumerate(raw, start=1):
        if not isinstance(band, Mapping) or "rate" not in band or "up_to" not in band:
            raise FeeTierError(_("Band %(n)s needs an up_to amount and a rate.") % {"n": position})
        rate = _decimal(band["rate"], _("The rate of band %(n)s") % {"n": position})
        if not Decimal(0) <= rate < Decimal(1):
            raise FeeTierError(
                _("The rate of band %(n)s must be between 0 and 1.") % {"n": position}
            )
        up_to = None
        if band["up_to"] is not None:
            up_to = _decimal(band["up_to"], _("The ceiling of band %(n)s") % {"n": position})
            previous = tiers[-1].up_to if tiers else Decimal(0)
            if previous is None or up_to <= previous:
                raise FeeTierError(
                    _("The ceiling of band %(n)s must be above the previous one.") % {"n": position}
                )
        elif position != len(raw):
            raise FeeTierError(_("Only the last band may be open-ended."))
        tiers.append(FeeTier(up_to=up_to, rate=rate))
    if tiers[-1].up_to is not None:
        raise FeeTierError(_("The last band must be open-ended (up_to null)."))
    return tuple(tiers)


def compute_fee(
    *,
    amount: Decimal,
    tiers: Iterable[FeeTier] | Iterable[Mapping],
    minimum: Decimal | None = None,
    maximum: Decimal | None = None,
) -> Decimal:
    """The fee for one lot of `amount` yuan, rounded to the yuan."""
    amount = Decimal(amount)
    if amount < 0:
        raise ValueError(_("A lot amount cannot be negative."))
    bands = tuple(tiers)
    if bands and not isinstance(bands[0], FeeTier):
        bands = parse_tiers(list(bands))
    fee = Decimal(0)
    lower = Decimal(0)
    for band in bands:
        upper = amount if band.up_to is None else min(amount, band.up_to)
        if upper > lower:
            fee += (upper - lower) * band.rate
        if band.up_to is None or amount <= band.up_to:
            break
        lower = band.up_to
    if minimum is not None:
        fee = max(fee, Decimal(minimum))
    if maximum is not None:
        fee = min(fee, Decimal(maximum))
    return fee.quantize(YUAN, rounding=ROUND_HALF_UP)


def fee_for_lot(standard, amount: Decimal) -> Decimal:
    """The fee a `FeeStandard` charges for one lot of `amount` yuan."""
    return compute_fee(
        amount=amount,
        tiers=parse_tiers(standard.tiers),
        minimum=standard.minimum_fee,
        maximum=standard.maximum_fee,
    )
