"""The housing pages' forms. They check the shape of what was typed; the services decide whether it may be
recorded (dates against today, the child's birth and each other; an outcome only once decided)."""

from typing import Any, ClassVar

from django import forms

from cases.housing.models import (
    ApplicantRelationship,
    HousingApplication,
    HousingApplicationOutcome,
    HousingApplicationStatus,
    PanelOutcome,
    SocialNeedsPanelReferral,
)
from safeguarding.common.forms import DateField, GovukFormMixin

# How the messages name the questions whose labels are questions ("Who applied?").
HOUSING_WHAT = {
    "applicant_relationship": "who applied",
    "status": "where the application has got to",
    "reason": "why the family is being referred",
}


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"class": "govuk-textarea", "rows": rows})


def _note(label: str = "Note") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=2000,
        widget=_textarea(),
        error_messages={"max_length": "The note must be 2,000 characters or fewer"},
    )


def _choice(
    label: str, choices: Any, message: str, *, required: bool = True, blank: str = ""
) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=[("", blank), *choices] if not required else choices,
        required=required,
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
    )


def _status() -> forms.ChoiceField:
    return _choice(
        "Where has the application got to?",
        HousingApplicationStatus.choices,
        "Select where the application has got to",
    )


def _application_outcome() -> forms.ChoiceField:
    return _choice(
        "Outcome",
        HousingApplicationOutcome.choices,
        "Select the outcome of the application",
        required=False,
        blank="Not decided yet",
    )


def _outcome_on() -> DateField:
    return DateField(
        what="the date of the outcome",
        label="When was it decided?",
        help_text="Only once it is decided. For example, 3 4 2026.",
        required=False,
    )


class HousingApplicationForm(GovukFormMixin, forms.Form):
    govuk_what: ClassVar[dict[str, str]] = HOUSING_WHAT

    applicant_relationship = _choice("Who applied?", ApplicantRelationship.choices, "Select who applied")
    applied_on = DateField(
        what="the date of the application", label="When did they apply?", help_text="For example, 27 3 2026."
    )
    housing_provider = forms.CharField(
        label="Housing provider",
        help_text="The council's housing service or the housing association applied to.",
        max_length=160,
        widget=forms.TextInput(attrs={"class": "govuk-input"}),
        error_messages={
            "required": "Enter the housing provider applied to",
            "max_length": "The housing provider must be 160 characters or fewer",
        },
    )
    status = _status()
    outcome = _application_outcome()
    outcome_on = _outcome_on()
    note = _note()


class HousingApplicationUpdateForm(GovukFormMixin, forms.Form):
    govuk_what: ClassVar[dict[str, str]] = HOUSING_WHAT

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    status = _status()
    outcome = _application_outcome()
    outcome_on = _outcome_on()
    note = _note()

    @classmethod
    def initial_from(cls, application: HousingApplication) -> dict[str, Any]:
        return {
            "version": application.version,
            "status": application.status,
            "outcome": application.outcome,
            "outcome_on": application.outcome_on,
            "note": application.note,
        }


def _panel_date() -> DateField:
    return DateField(
        what="the date of the panel",
        label="When is (or was) the panel?",
        help_text="Leave blank until the referral is listed. For example, 10 4 2026.",
        required=False,
    )


def _panel_outcome() -> forms.ChoiceField:
    return _choice(
        "Panel's outcome",
        PanelOutcome.choices,
        "Select the panel's outcome",
        required=False,
        blank="Not decided yet",
    )


class SnpReferralForm(GovukFormMixin, forms.Form):
    govuk_what: ClassVar[dict[str, str]] = HOUSING_WHAT

    referred_on = DateField(
        what="the date of the referral",
        label="When was the family referred?",
        help_text="For example, 27 3 2026.",
    )
    reason = forms.CharField(
        label="Why are they being referred?",
        help_text="What the panel needs to know: for example, the risk to the child where the family lives now.",
        max_length=4000,
        widget=_textarea(5),
        error_messages={
            "required": "Enter why the family is being referred to the panel",
            "max_length": "The reason must be 4,000 characters or fewer",
        },
    )
    panel_date = _panel_date()
    outcome = _panel_outcome()
    outcome_on = _outcome_on()
    outcome_note = _note("Note on the outcome")


class SnpReferralUpdateForm(GovukFormMixin, forms.Form):
    govuk_what: ClassVar[dict[str, str]] = HOUSING_WHAT

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    panel_date = _panel_date()
    outcome = _panel_outcome()
    outcome_on = _outcome_on()
    outcome_note = _note("Note on the outcome")

    @classmethod
    def initial_from(cls, referral: SocialNeedsPanelReferral) -> dict[str, Any]:
        return {
            "version": referral.version,
            "panel_date": referral.panel_date,
            "outcome": referral.outcome,
            "outcome_on": referral.outcome_on,
            "outcome_note": referral.outcome_note,
        }
