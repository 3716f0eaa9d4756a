"""The unified transaction code (统一交易编码, C1).

Format, 17 characters: ``{letter}{region}{year}{sequence}``

- letter (1): the lot's kind — A engineering (工程), B goods (货物), C services (服务),
  D property rights (产权), E land and mining (土地、矿业权); from the category
  (`Category.transaction_code_letter`, or one of its `alternative_code_letters`);
- region (6): the GB/T 2260 division code of the region the project is registered in;
- year (4): the year of registration (Beijing time);
- sequence (6): 000001, 000002, … per (letter, region, year).

Example: ``A3506002026000001`` — the first engineering project of 漳州市 (350600) in 2026.

Codes are gapless and never given twice. `next_transaction_code` increments the counter
row with ``UPDATE … SET last = last + 1`` inside the caller's transaction: the row lock
serialises concurrent callers, and if the caller's transaction rolls back the number is
given back with it. Call it inside the service that registers the project.
"""

import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Category, TransactionCodeCounter
from portal.centres.models import Region
from portal.errors import ApplicationError

CODE_PATTERN = re.compile(
    r"^(?P<letter>[A-Z])(?P<region>[0-9]{6})(?P<year>[0-9]{4})(?P<sequence>[0-9]{6})$"
)
MAX_SEQUENCE = 999_999


@dataclass(frozen=True)
class TransactionCode:
    letter: str
    region_code: str
    year: int
    sequence: int

    def __str__(self) -> str:
        return format_transaction_code(
            letter=self.letter,
            region_code=self.region_code,
            year=self.year,
            sequence=self.sequence,
        )


def format_transaction_code(*, letter: str, region_code: str, year: int, sequence: int) -> str:
    return f"{letter}{region_code}{year:04d}{sequence:06d}"


def parse_transaction_code(code: str) -> TransactionCode:
    """Split a code into its parts; ValueError when it is not a unified transaction code."""
    match = CODE_PATTERN.match(code.strip().upper())
    if match is None:
        raise ValueError(f"{code!r} is not a unified transaction code")
    return TransactionCode(
        letter=match["letter"],
        region_code=match["region"],
        year=int(match["year"]),
        sequence=int(match["sequence"]),
    )


@transaction.atomic
def next_transaction_code(
    *, category: Category, region: Region, year: int | None = None, letter: str | None = None
) -> str:
    """The next unified transaction code for a project of `category` registered in `region`.

    `letter` defaults to the category's; a procurement of services passes ``"C"`` (one of
    the category's alternative letters). Raises ApplicationError for a letter the category
    does not allow and when the year's six-digit sequence is exhausted.
    """
    letter = letter or category.transaction_code_letter
    if letter not in category.code_letters:
        message = _("%(category)s lots take the letter %(letters)s, not %(letter)s.") % {
            "category": category.name,
            "letters": "/".join(category.code_letters),
            "letter": letter,
        }
        raise ApplicationError(message, code="code_letter_invalid", fields={"letter": [message]})
    year = year or timezone.localdate().year
    counter, _created = TransactionCodeCounter.objects.get_or_create(
        letter=letter, region=region, year=year
    )
    counters = TransactionCodeCounter.objects.filter(pk=counter.pk)
    # Refuse before the UPDATE so the check constraint never fires on exhaustion.
    updated = counters.filter(last__lt=MAX_SEQUENCE).update(last=F("last") + 1)
    if not updated:
        raise ApplicationError(
            _("The transaction code sequence for %(letter)s %(region)s %(year)s is exhausted.")
            % {"letter": letter, "region": region.code, "year": year},
            code="code_sequence_exhausted",
            status_code=409,
        )
    sequence = counters.values_list("last", flat=True).get()
    return format_transaction_code(
        letter=letter, region_code=region.code, year=year, sequence=sequence
    )
