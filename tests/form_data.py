"""What a browser posts for the pages' questions, for tests that post forms."""

from datetime import date

from safeguarding.common.forms import DATE_PARTS


def date_parts(
    name: str,
    value: date | None = None,
    *,
    day: str | None = None,
    month: str | None = None,
    year: str | None = None,
) -> dict[str, str]:
    """A GOV.UK date input's three parts, as posted: `date_parts("date_of_birth", date(2011, 3, 27))` is
    {"date_of_birth_day": "27", "date_of_birth_month": "3", "date_of_birth_year": "2011"}. Give `day`,
    `month` and `year` to post what a person typed, mistakes included; with neither, the parts are blank."""
    typed = (
        (str(value.day), str(value.month), str(value.year))
        if value is not None
        else (day or "", month or "", year or "")
    )
    return {f"{name}_{part}": text for part, text in zip(DATE_PARTS, typed, strict=True)}
