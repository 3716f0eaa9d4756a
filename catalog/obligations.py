"""Must this project trade on the platform? (公共资源交易目录, A3; 场外无交易, A4)

Catalogued projects must trade on the platform; private-investment projects not legally
required to tender, and uncatalogued items, may opt in. The answer is the catalog entry the
project falls under: a mandatory one if any matches, else an opt-in one, else None.
"""

from collections.abc import Collection, Iterable
from decimal import Decimal
from typing import Protocol, TypeVar

ANY_SOURCE = "any"


class EntryLike(Protocol):
    category: object  # has .code
    subject_kind: str
    funding_source: str
    minimum_amount: Decimal | None
    mandatory: bool


def entry_matches(
    entry: EntryLike,
    *,
    category_codes: Collection[str],
    subject_kind: str,
    funding_source: str,
    amount: Decimal | None,
) -> bool:
    """An entry matches a project of its category, subject kind (empty: any), funding
    source (`any`: every source) and worth at least its minimum (none: any amount).

    A project whose amount is unknown matches no entry that has a minimum.
    """
    if entry.category.code not in category_codes:
        return False
    if entry.subject_kind and entry.subject_kind != subject_kind:
        return False
    if entry.funding_source != ANY_SOURCE and entry.funding_source != funding_source:
        return False
    if entry.minimum_amount is not None:
        return amount is not None and Decimal(amount) >= entry.minimum_amount
    return True


E = TypeVar("E", bound=EntryLike)


def find_catalog_entry(
    entries: Iterable[E],
    *,
    category_codes: Collection[str],
    subject_kind: str,
    funding_source: str,
    amount: Decimal | None,
) -> E | None:
    """The entry the project falls under: mandatory first (the most specific, i.e. the one
    with the highest minimum), then opt-in; None when the project is not catalogued."""
    matching = [
        entry
        for entry in entries
        if entry_matches(
            entry,
            category_codes=category_codes,
            subject_kind=subject_kind,
            funding_source=funding_source,
            amount=amount,
        )
    ]
    if not matching:
        return None
    return max(
        matching,
        key=lambda entry: (
            entry.mandatory,
            bool(entry.subject_kind),
            entry.funding_source != ANY_SOURCE,
            entry.minimum_amount if entry.minimum_amount is not None else Decimal(-1),
        ),
    )
