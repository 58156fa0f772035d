"""The education pages' forms. They check the shape of what was typed; the services decide whether it may be
recorded (dates against today and the child's birth, a correction's reason, an outcome recorded once)."""

from typing import Any, ClassVar

from django import forms

from cases.education.models import EducationChange, EducationStatus, SchoolPlaceOutcome
from cases.education.services import EFFECTIVE_DATE_AHEAD
from safeguarding.common.forms import DateField, GovukFormMixin


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"class": "govuk-textarea", "rows": rows})


def _text_input(width: str = "govuk-input") -> forms.TextInput:
    return forms.TextInput(attrs={"class": width})


class EducationChangeForm(GovukFormMixin, forms.Form):
    govuk_what: ClassVar[dict[str, str]] = {"status": "their education status"}

    status = forms.ChoiceField(
        label="What is their education status now?",
        choices=EducationStatus.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select their education status",
            "invalid_choice": "Select their education status",
        },
    )
    provider_name = forms.CharField(
        label="School or provider",
        help_text="The school, college or alternative provision. Leave blank for elective home education.",
        required=False,
        max_length=160,
        widget=_text_input(),
        error_messages={"max_length": "The school or provider must be 160 characters or fewer"},
    )
    effective_date = DateField(
        what="the date it took effect",
        label="When did it take effect?",
        help_text=(
            f"For example, 27 3 2026. Up to {EFFECTIVE_DATE_AHEAD.days} days ahead for a change already agreed."
        ),
    )
    note = forms.CharField(
        label="Note",
        help_text="Who told you, and anything the case owner should know.",
        required=False,
        max_length=2000,
        widget=_textarea(),
        error_messages={"max_length": "The note must be 2,000 characters or fewer"},
    )

    def change_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "status": data["status"],
            "provider_name": data["provider_name"],
            "effective_date": data["effective_date"],
            "note": data["note"],
        }


class EducationCorrectionForm(EducationChangeForm):
    govuk_what: ClassVar[dict[str, str]] = {
        **EducationChangeForm.govuk_what,
        "correction_reason": "the reason for the correction",
    }

    correction_reason = forms.CharField(
        label="Why is the entry being corrected?",
        help_text="The entry stays in the history, marked as corrected, with this reason.",
        max_length=2000,
        widget=_textarea(),
        error_messages={
            "required": "Enter why the entry is being corrected",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )

    @classmethod
    def initial_from(cls, entry: EducationChange) -> dict[str, Any]:
        return {
            "status": entry.status,
            "provider_name": entry.provider_name,
            "effective_date": entry.effective_date,
            "note": entry.note,
        }


class SchoolPlaceApplicationForm(GovukFormMixin, forms.Form):
    school_name = forms.CharField(
        label="School applied to",
        max_length=160,
        widget=_text_input(),
        error_messages={
            "required": "Enter the name of the school applied to",
            "max_length": "The name of the school must be 160 characters or fewer",
        },
    )
    applied_on = DateField(
        what="the date it was applied for",
        label="When was it applied for?",
        help_text="For example, 27 3 2026.",
    )
    due_on = DateField(
        what="the date a decision is due by",
        label="When is a decision due by?",
        help_text="A clock runs to the end of this working day. For example, 10 4 2026.",
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=2000,
        widget=_textarea(),
        error_messages={"max_length": "The note must be 2,000 characters or fewer"},
    )


class SchoolPlaceOutcomeForm(GovukFormMixin, forms.Form):
    govuk_what: ClassVar[dict[str, str]] = {"outcome": "the outcome of the application"}

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    outcome = forms.ChoiceField(
        label="What was the outcome?",
        choices=SchoolPlaceOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the outcome of the application",
            "invalid_choice": "Select the outcome of the application",
        },
    )
    outcome_on = DateField(
        what="the date of the outcome", label="When was it decided?", help_text="For example, 3 4 2026."
    )
    outcome_note = forms.CharField(
        label="Note",
        required=False,
        max_length=2000,
        widget=_textarea(),
        error_messages={"max_length": "The note must be 2,000 characters or fewer"},
    )
