"""The resident identity card number (公民身份号码), GB 11643-1999: 17 digits and a check
character (ISO 7064 MOD 11-2; "X" stands for 10). Pure."""

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"


def normalise_id_number(value: str) -> str:
    return value.strip().upper()


def check_character(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def is_valid_id_number(value: str) -> bool:
    return (
        len(value) == 18
        and value[:17].isdigit()
        and value[:17].isascii()
        and value[17] == check_character(value[:17])
    )
