"""Times and durations as the clock pages word them. Shared with clocks.js: keep describe_duration and its
JavaScript twin in step."""

from datetime import UTC, datetime, timedelta

from django.utils import timezone


def _units(number: int, unit: str) -> str:
    return f"{number} {unit}{'' if number == 1 else 's'}"


def describe_duration(delta: timedelta) -> str:
    """The two largest units, finer as the time shrinks: '2 days 3 hours', '40 minutes', '4 minutes 12
    seconds'. Under an hour it counts seconds, so the live countdown visibly moves."""
    seconds = int(abs(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return _units(days, "day") + (f" {_units(hours, 'hour')}" if hours else "")
    if hours:
        return _units(hours, "hour") + (f" {_units(minutes, 'minute')}" if minutes else "")
    if minutes:
        return _units(minutes, "minute") + (f" {_units(seconds, 'second')}" if seconds else "")
    return _units(seconds, "second")


def describe_remaining(due_at: datetime, now: datetime) -> str:
    remaining = due_at - now
    if remaining.total_seconds() > 0:
        return f"{describe_duration(remaining)} left"
    return f"{describe_duration(remaining)} overdue"


def utc_iso(moment: datetime) -> str:
    # Whole seconds with an explicit offset: what every browser's Date.parse reads the same way.
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def describe_time(moment: datetime, now: datetime) -> str:
    """'14:05' today, '4 Mar 14:05' this year, '4 Mar 2027 14:05' otherwise (UK time)."""
    local, today = timezone.localtime(moment), timezone.localtime(now)
    if local.date() == today.date():
        return local.strftime("%H:%M")
    if local.year == today.year:
        return f"{local.day} {local.strftime('%b %H:%M')}"
    return f"{local.day} {local.strftime('%b %Y %H:%M')}"
