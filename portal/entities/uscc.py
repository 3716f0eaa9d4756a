"""The unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters: registration authority (1), entity type (1), administrative division (6,
GB/T 2260), organisation code (9) and a check character (1). The character set has 31
characters — the digits and the capitals without I, O, Z, S and V. Each of the first 17
characters takes its index in that set, weighted by 3^(i−1) mod 31; the check value is
31 − (Σ mod 31), where 31 becomes 0.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28
LENGTH = 18


@dataclass(frozen=True)
class UsccError:
    """Why a code is not a valid unified social credit code: the rule and where it failed."""

    rule: str  # "length" | "character" | "check_digit"
    message: str


def check_character(first17: str) -> str:
    """The check character for the first 17 characters of a code."""
    total = sum(CHARSET.index(char) * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def validate_uscc(code: str) -> UsccError | None:
    """Return why `code` is invalid, or None when it is a well-formed code.

    Lower-case letters are not accepted silently: callers normalise with `normalise_uscc`
    first, so what is stored is exactly what was validated.
    """
    if len(code) != LENGTH:
        return UsccError(
            "length",
            _(
                "A unified social credit code has 18 characters; this one has %(count)d "
                "(GB 32100-2015)."
            )
            % {"count": len(code)},
        )
    for position, char in enumerate(code, start=1):
        if char not in CHARSET:
            return UsccError(
                "character",
                _(
                    "Character %(position)d, “%(char)s”, is not allowed: the code uses digits "
                    "and capital letters except I, O, Z, S and V (GB 32100-2015)."
                )
                % {"position": position, "char": char},
            )
    expected = check_character(code[:17])
    if code[17] != expected:
        return UsccError(
            "check_digit",
            _(
                "Wrong check character: the 18th character should be “%(expected)s”, "
                "not “%(actual)s” (GB 32100-2015 check algorithm)."
            )
            % {"expected": expected, "actual": code[17]},
        )
    return None


def normalise_uscc(code: str) -> str:
    """Strip surrounding blanks and upper-case: how people type codes copied from licences."""
    return code.strip().upper()
