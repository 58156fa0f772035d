"""Working-day and DST arithmetic across bank holidays and both clock changes."""

from datetime import UTC, datetime, timedelta

import pytest

from safeguarding.deadlines.calendars import (
    LONDON,
    add_elapsed,
    add_working_days,
    add_working_hours,
    is_working_day,
)
from safeguarding.deadlines.policies import POLICIES, Calendar, PolicyCode


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def test_seventy_two_hour_clock_over_the_spring_clock_change_is_72_elapsed_hours() -> None:
    # BST starts 01:00 UTC on Sunday 29 March 2026.
    start = london(2026, 3, 28, 12, 0)
    due = add_elapsed(start, timedelta(hours=72))
    assert (due - start).total_seconds() == 72 * 3600
    assert due.astimezone(LONDON).hour == 13  # wall clock moved on an hour


def test_seventy_two_hour_clock_over_the_autumn_clock_change_is_72_elapsed_hours() -> None:
    # BST ends 01:00 UTC on Sunday 25 October 2026.
    start = london(2026, 10, 24, 12, 0)
    due = POLICIES[PolicyCode.RETURN_HOME_INTERVIEW].due_at(start)
    assert (due - start).total_seconds() == 72 * 3600
    assert due.astimezone(LONDON).hour == 11


def test_golden_hour_across_the_autumn_repeated_hour() -> None:
    # 01:30 happens twice on 25 October 2026; the first (BST) one is 00:30 UTC.
    start = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert POLICIES[PolicyCode.GOLDEN_HOUR].due_at(start) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def test_bank_holidays_are_not_working_days() -> None:
    assert not is_working_day(datetime(2026, 12, 25).date())  # Christmas Day
    assert not is_working_day(datetime(2026, 12, 28).date())  # Boxing Day (substitute)
    assert not is_working_day(datetime(2027, 3, 26).date())  # Good Friday
    assert not is_working_day(datetime(2027, 3, 29).date())  # Easter Monday
    assert is_working_day(datetime(2026, 12, 29).date())


def test_one_working_day_over_christmas() -> None:
    # Thursday 24 Dec 2026 14:00 → Fri 25 (Christmas), Sat, Sun, Mon 28 (Boxing Day observed) → Tue 29 14:00.
    assert add_working_days(london(2026, 12, 24, 14, 0), 1) == london(2026, 12, 29, 14, 0)


def test_one_working_day_over_easter() -> None:
    # Thursday 25 March 2027 10:00 → Good Friday, weekend, Easter Monday → Tuesday 30 March 10:00.
    assert add_working_days(london(2027, 3, 25, 10, 0), 1) == london(2027, 3, 30, 10, 0)


def test_five_working_days_for_nrm_over_easter_and_the_spring_clock_change() -> None:
    # Wed 24 March 2027 (GMT) + 5 working days, skipping Good Friday and Easter Monday (and BST starts 28th).
    due = POLICIES[PolicyCode.NRM_REASONABLE_GROUNDS].due_at(london(2027, 3, 24, 11, 0))
    assert due == london(2027, 4, 2, 11, 0)
    assert due.utcoffset() == timedelta(hours=1)


def test_received_at_the_weekend_counts_from_monday_morning() -> None:
    assert add_working_days(london(2026, 11, 28, 22, 0), 1) == london(2026, 12, 1, 9, 0)
    # After hours on a Friday: Monday 09:00 is the start, due Tuesday 09:00.
    assert add_working_days(london(2026, 11, 27, 18, 30), 1) == london(2026, 12, 1, 9, 0)


def test_red_information_request_in_working_hours() -> None:
    red = POLICIES[PolicyCode.INFORMATION_REQUEST_RED]
    # Friday 15:00 + 4 working hours: 2 on Friday, 2 on Monday → Monday 11:00.
    assert red.due_at(london(2026, 11, 27, 15, 0)) == london(2026, 11, 30, 11, 0)
    # Christmas Eve 16:00 + 4 h: 1 h on 24th, then 29th 09:00 + 3 h = 12:00.
    assert red.due_at(london(2026, 12, 24, 16, 0)) == london(2026, 12, 29, 12, 0)
    # Before opening: counts from 09:00.
    assert add_working_hours(london(2026, 11, 26, 7, 0), 4) == london(2026, 11, 26, 13, 0)


def test_working_hours_over_the_autumn_clock_change() -> None:
    # Friday 23 Oct 2026 16:00 BST + 4 h: 1 h Friday, 3 h Monday 26 Oct (GMT) → 12:00 GMT = 12:00 UTC.
    due = add_working_hours(london(2026, 10, 23, 16, 0), 4)
    assert due == london(2026, 10, 26, 12, 0)
    assert due.astimezone(UTC).hour == 12


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        add_working_days(datetime(2026, 1, 5, 9, 0), 1)


def test_warning_is_before_due_and_after_start() -> None:
    for policy in POLICIES.values():
        start = london(2026, 11, 26, 10, 0)
        due = policy.due_at(
            start, start + timedelta(days=7) if policy.calendar is Calendar.SET_DATE else None
        )
        warn = policy.warn_at(start, due)
        assert start < warn < due, policy.code
