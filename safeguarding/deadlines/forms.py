"""The forms of the actions on one clock: they check what was typed; the services decide what is allowed."""

import re
from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone

REASON_MAX = 2000
TIME_PATTERN = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


class MeetForm(forms.Form):
    note = forms.CharField(
        label="What was done (optional)",
        help_text="For example, who was contacted and how. Do not include information not needed here.",
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "class": "govuk-textarea"}),
        error_messages={"max_length": "The note must be 2,000 characters or fewer"},
    )


class PauseForm(forms.Form):
    reason = forms.CharField(
        label="Why are you pausing this clock?",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "class": "govuk-textarea"}),
        error_messages={
            "required": "Enter why you are pausing this clock",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )


class ResumeForm(forms.Form):
    pass


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why are you cancelling this clock?",
        help_text="A cancelled clock no longer counts for or against the time limit.",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "class": "govuk-textarea"}),
        error_messages={
            "required": "Enter why you are cancelling this clock",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )


def _number(attrs: dict[str, str]) -> forms.TextInput:
    return forms.TextInput(attrs={"inputmode": "numeric", **attrs})


class ExtendForm(forms.Form):
    due_day = forms.CharField(
        label="Day", required=False, widget=_number({"class": "govuk-input govuk-date-input__input"})
    )
    due_month = forms.CharField(
        label="Month", required=False, widget=_number({"class": "govuk-input govuk-date-input__input"})
    )
    due_year = forms.CharField(
        label="Year", required=False, widget=_number({"class": "govuk-input govuk-date-input__input"})
    )
    due_time = forms.CharField(
        label="New due time",
        help_text="Use the 24-hour clock, for example 14:30.",
        error_messages={"required": "Enter the new due time, for example 14:30"},
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-5", "autocomplete": "off"}),
    )
    reason = forms.CharField(
        label="Why are you extending this clock?",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "class": "govuk-textarea"}),
        error_messages={
            "required": "Enter why you are extending this clock",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        parts = [str(cleaned.get(name) or "").strip() for name in ("due_day", "due_month", "due_year")]
        if not all(parts):
            self.add_error("due_day", "Enter the new due date, including a day, month and year")
            return cleaned
        if not all(part.isdigit() for part in parts) or len(parts[2]) != 4:
            self.add_error("due_day", "The new due date must be a real date, for example 27 3 2026")
            return cleaned
        try:
            day = datetime(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            self.add_error("due_day", "The new due date must be a real date, for example 27 3 2026")
            return cleaned
        if not cleaned.get("due_time"):
            return cleaned  # already reported as missing
        match = TIME_PATTERN.match(str(cleaned["due_time"]))
        if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            self.add_error("due_time", "Enter the new due time in hours and minutes, for example 14:30")
            return cleaned
        moment = day.replace(hour=int(match.group(1)), minute=int(match.group(2)))
        cleaned["new_due_at"] = timezone.make_aware(moment, timezone.get_current_timezone())
        return cleaned
