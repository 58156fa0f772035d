"""Deadline arithmetic. Elapsed clocks add real (UTC) time, so a 72-hour clock over a clock change is 72 hours.
Working-day and working-hour clocks count Monday to Friday in Europe/London, skipping England and Wales bank
holidays from the `holidays` package."""

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
WORKDAY_START = time(9, 0)
WORKDAY_END = time(17, 0)


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    # England and Wales share bank holidays apart from none that matter here; "ENG" is the subdivision.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def _local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("Deadline arithmetic needs timezone-aware datetimes")
    return moment.astimezone(LONDON)


def _at(day: date, wall: time) -> datetime:
    # zoneinfo resolves the wall time to the right UTC offset for that date (GMT or BST).
    return datetime.combine(day, wall, tzinfo=LONDON)


def end_of_working_day(day: date) -> datetime:
    """A clock due "on" a date (a panel or plan action) is due at the end of that working day in London."""
    return _at(day, WORKDAY_END)


def add_elapsed(start: datetime, duration: timedelta) -> datetime:
    # Python adds wall-clock time to datetimes in a zone with DST; in UTC, wall-clock time is elapsed time.
    return _local(start).astimezone(UTC) + duration


def add_working_days(start: datetime, days: int) -> datetime:
    """`days` working days after `start`, at the same wall-clock time. Something received on a non-working
    day, or after hours, is treated as received at the start of the next working day."""
    if days < 0:
        raise ValueError("days must be zero or more")
    local = _local(start)
    day, wall = local.date(), local.timetz().replace(tzinfo=None)
    if not is_working_day(day):
        day, wall = _next_or_same_working_day(day), WORKDAY_START
    elif wall >= WORKDAY_END:
        day, wall = next_working_day(day), WORKDAY_START
    elif wall < WORKDAY_START:
        wall = WORKDAY_START
    for _ in range(days):
        day = next_working_day(day)
    return _at(day, wall)


def add_working_hours(start: datetime, hours: float) -> datetime:
    """`hours` of working time (09:00-17:00 on working days) after `start`."""
    if hours < 0:
        raise ValueError("hours must be zero or more")
    remaining = timedelta(hours=hours)
    local = _local(start)
    day = local.date()
    cursor = local.timetz().replace(tzinfo=None)
    while True:
        if not is_working_day(day):
            day, cursor = _next_or_same_working_day(day), WORKDAY_START
            continue
        if cursor >= WORKDAY_END:
            day, cursor = next_working_day(day), WORKDAY_START
            continue
        if cursor < WORKDAY_START:
            cursor = WORKDAY_START
        window_end = _at(day, WORKDAY_END)
        position = _at(day, cursor)
        available = window_end - position
        if remaining <= available:
            return position + remaining
        remaining -= available
        day = next_working_day(day)
        cursor = WORKDAY_START


def _next_or_same_working_day(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day
