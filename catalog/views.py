"""Public pages of the trading catalog: categories, methods, the catalog, the statutory rules
with their sources (/catalog/), and the fee standards (/catalog/fees/)."""

from decimal import Decimal, InvalidOperation

from django.shortcuts import render
from django.utils.translation import gettext as _

from catalog import selectors
from catalog.fees import FeeTierError, fee_for_lot, parse_tiers


def catalog_index(request):
    rules = selectors.all_rules_in_force()
    groups: dict[str, dict] = {}
    for rule in rules:
        key = rule.category.code if rule.category else ""
        group = groups.setdefault(key, {"category": rule.category, "rules": []})
        group["rules"].append(rule)
    return render(
        request,
        "catalog/index.html",
        {
            "categories": selectors.categories_with_methods(),
            "entries": selectors.active_catalog_entries(),
            "rule_groups": list(groups.values()),
        },
    )


def fee_standards(request):
    """The fee standards; with ``?amount=`` the fee each one charges for a lot of that amount."""
    amount = None
    amount_error = ""
    raw_amount = request.GET.get("amount", "").replace(",", "").strip()
    if raw_amount:
        try:
            amount = Decimal(raw_amount)
            if not amount.is_finite() or amount < 0:
                raise InvalidOperation
        except InvalidOperation:
            amount = None
            amount_error = _("Enter a lot amount in yuan, e.g. 3000000.")
    standards = []
    for standard in selectors.active_fee_standards():
        try:
            tiers = parse_tiers(standard.tiers)
        except FeeTierError:
            tiers = ()
        fee = fee_for_lot(standard, amount) if amount is not None and tiers else None
        lowers = [Decimal(0), *(tier.up_to for tier in tiers[:-1])]
        bands = [
            {"lower": lower, "upper": tier.up_to, "rate_percent": tier.rate_percent}
            for lower, tier in zip(lowers, tiers, strict=True)
        ]
        standards.append({"standard": standard, "bands": bands, "fee": fee})
    return render(
        request,
        "catalog/fees.html",
        {
            "standards": standards,
            "amount": amount,
            "raw_amount": raw_amount,
            "amount_error": amount_error,
        },
    )
