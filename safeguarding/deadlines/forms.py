"""The forms of the actions on one clock: they check what was typed; the services decide what is allowed."""

import re
from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone

from safeguarding.organisations.models import Agency, User
from safeguarding.organisations.roles import CASE_WORKER_ROLES, Role

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


class TakeForm(forms.Form):
    pass


class AllocateForm(forms.Form):
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label="Who should do this work?",
        help_text="They are told in the app and by email.",
        empty_label="Choose a person",
        error_messages={
            "required": "Select who should do this work",
            "invalid_choice": "Select a person from the list",
        },
    )

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            User.objects.filter(
                agency=agency,
                is_active=True,
                groups__name__in=[Role.group_name(role) for role in CASE_WORKER_ROLES],
            )
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
        # The user name too: two people of one agency may share a name.
        field.label_from_instance = lambda user: (  # type: ignore[method-assign,assignment]
            f"{user.get_full_name()} ({user.username})" if user.get_full_name() else user.username
        )
        field.widget.attrs["class"] = "govuk-select"
