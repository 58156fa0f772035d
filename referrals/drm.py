"""When the Daily Risk Management Meeting sits: each working day at 10:00 (Europe/London)."""

from datetime import date, datetime, time

from django.utils import timezone

from safeguarding.deadlines.calendars import is_working_day, next_working_day

DRM_TIME = time(10, 0)


def next_drm_date(moment: datetime) -> date:
    """The meeting that will first discuss something received at `moment`."""
    local = timezone.localtime(moment)
    day = local.date()
    if is_working_day(day) and local.time() < DRM_TIME:
        return day
    return next_working_day(day)
