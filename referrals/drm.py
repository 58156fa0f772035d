"""The Daily Risk Management meeting's forms, filled in as it goes: one outcome per child, and who attended
for each agency."""

from collections.abc import Sequence

from django import forms

from referrals.choices import DrmAttendanceStatus
from referrals.models import DRM_OUTCOME_MAX as OUTCOME_MAX
from referrals.models import DrmAttendance
from referrals.services.drm import AttendanceEntry
from safeguarding.common.forms import GovukFormMixin
from safeguarding.organisations.models import Agency


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

    def entries(self) -> list[AttendanceEntry]:
        """What was recorded, once valid: the agencies given a status."""
        cleaned = self.cleaned_data
        return [
            AttendanceEntry(agency, cleaned[f"{agency.pk}-status"], cleaned[f"{agency.pk}-attendee"])
            for agency in self.agencies
            if cleaned[f"{agency.pk}-status"]
        ]

    def rows(self) -> list[tuple[Agency, forms.BoundField, forms.BoundField]]:
        return [
            (agency, self[f"{agency.pk}-status"], self[f"{agency.pk}-attendee"]) for agency in self.agencies
        ]
