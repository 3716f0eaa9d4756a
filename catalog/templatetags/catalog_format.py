"""Amounts in yuan on the catalog pages, grouped by thousands whatever the language
(the same way the rule messages write them)."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def yuan(value) -> str:
    """3000000 → "3,000,000"; 1234.5 → "1,234.50"; anything else unchanged."""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return value
    if not amount.is_finite():
        return value
    if amount == amount.to_integral_value():
        return f"{int(amount):,}"
    return f"{amount.quantize(Decimal('0.01')):,}"
