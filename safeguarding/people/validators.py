import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone


def nhs_number_is_valid(value: str) -> bool:
    """Modulus 11 check used by NHS England: weights 10..2 over the first nine digits; the check digit is
    11 minus the remainder (11 means 0; 10 means the number can never be valid)."""
    if len(value) != 10 or not value.isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(value[:9], range(10, 1, -1), strict=True))
    check = 11 - (total % 11)
    if check == 11:
        check = 0
    return check != 10 and check == int(value[9])


def normalise_nhs_number(value: str) -> str:
    return "".join(value.split())


def validate_nhs_number(value: str) -> None:
    cleaned = normalise_nhs_number(value)
    if not (len(cleaned) == 10 and cleaned.isdigit()):
        raise ValidationError(
            "Enter an NHS number with 10 digits, like 485 777 3456", code="nhs_number_format"
        )
    if not nhs_number_is_valid(cleaned):
        raise ValidationError(
            "Enter a valid NHS number - the check digit does not match", code="nhs_number_checksum"
        )


def validate_date_of_birth(value: date) -> None:
    if value > timezone.localdate():
        raise ValidationError("Date of birth must be today or in the past", code="date_of_birth_future")
    if value.year < 1900:
        raise ValidationError("Date of birth must be after 1 January 1900", code="date_of_birth_too_early")


# Characters that reorder how text is displayed without being seen (bidirectional overrides and isolates,
# and the invisible direction marks): in a name they can make one record look like another.
DIRECTION_CONTROLS = frozenset("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def validate_no_direction_controls(value: str) -> None:
    if any(character in DIRECTION_CONTROLS for character in value):
        raise ValidationError(
            "Remove the hidden characters that change the direction of the text", code="direction_controls"
        )


# A UK postcode as Royal Mail writes it (outward code, a space, inward code); GIR 0AA included.
POSTCODE = re.compile(r"^(GIR 0AA|[A-PR-UWYZ][A-HK-Y]?[0-9][A-Z0-9]? [0-9][ABD-HJLNP-UW-Z]{2})$")


def normalise_postcode(value: str) -> str:
    """Upper case, with one space before the last three characters: "nb12ab" is "NB1 2AB"."""
    compact = "".join(value.split()).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def validate_postcode(value: str) -> None:
    if value and not POSTCODE.match(normalise_postcode(value)):
        raise ValidationError("Enter a real postcode, like SW1A 1AA", code="postcode")
