"""CSV exports that a spreadsheet never runs: a cell starting with =, +, -, @, a tab or a carriage return would
be taken as a formula (CSV injection), so it is prefixed with an apostrophe and shown as text."""

CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(CSV_FORMULA_START) else text
