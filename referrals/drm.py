"""The Daily Risk Management meeting: when it sits (each working day at 10:00, Europe/London), and the
forms it fills in as it goes: one outcome per child, and who attended for each agency."""

from collections.abc import Sequence
from datetime import date, datetime, time

from django import forms
from django.utils import timezone

from referrals.choices import DrmAttendanceStatus
from referrals.models import DRM_OUTCOME_MAX as OUTCOME_MAX
from referrals.models import DrmAttendance
from safeguarding.common.forms import GovukFormMixin
from safeguarding.deadlines.calendars import is_working_day, next_working_day
from safeguarding.organisations.models import Agency

DRM_TIME = time(10, 0)


def next_drm_date(moment: datetime) -> date:
    """The meeting that will first discuss something received at `moment`."""
    local = timezone.localtime(moment)
    day = local.date()
    if is_working_day(day) and local.time() < DRM_TIME:
        return day
    return next_working_day(day)


class DrmChildOutcomeForm(GovukFormMixin, forms.Form):
    """The outcome agreed for one child. Each child's form has its own prefix, so ids stay unique."""

    outcome = forms.CharField(
        label="Outcome agreed",
        max_length=OUTCOME_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "class": "govuk-textarea govuk-!-margin-bottom-2"}),
        error_messages={
            "required": "Enter the outcome agreed at the meeting",
            "max_length": f"The outcome must be {OUTCOME_MAX:,} characters or fewer",
        },
    )


class DrmAttendanceForm(GovukFormMixin, forms.Form):
    """Who came for each agency of the authority: a status and a name per agency (fields `<agency id>-status`
    and `<agency id>-attendee`). An agency left at "Not recorded" is not recorded."""

    def __init__(
        self, *args: object, agencies: Sequence[tuple[Agency, DrmAttendance | None]], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.agencies = [agency for agency, _ in agencies]
        for agency, recorded in agencies:
            self.fields[f"{agency.pk}-status"] = forms.ChoiceField(
                label=f"Did {agency.name} attend?",
                choices=[("", "Not recorded"), *DrmAttendanceStatus.choices],
                required=False,
                initial=getattr(recorded, "status", ""),
                widget=forms.Select(attrs={"class": "govuk-select"}),
                error_messages={"invalid_choice": f"Select whether {agency.name} attended"},
            )
            self.fields[f"{agency.pk}-attendee"] = forms.CharField(
                label=f"Who attended for {agency.name}",
                max_length=200,
                required=False,
                initial=getattr(recorded, "attendee", ""),
                widget=forms.TextInput(attrs={"class": "govuk-input govuk-!-width-full"}),
                error_messages={"max_length": "The name must be 200 characters or fewer"},
            )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        for agency in self.agencies:
            if cleaned.get(f"{agency.pk}-attendee") and not cleaned.get(f"{agency.pk}-status"):
                self.add_error(f"{agency.pk}-status", f"Select whether {agency.name} attended")
        return cleaned

    def rows(self) -> list[tuple[Agency, forms.BoundField, forms.BoundField]]:
        return [
            (agency, self[f"{agency.pk}-status"], self[f"{agency.pk}-attendee"]) for agency in self.agencies
        ]
