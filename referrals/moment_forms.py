"""Forms for reachable moments and for health's emergency department attendances (referrals/views/moments.py).
Every question in GOV.UK wording; every date a GOV.UK date input."""

from typing import Any

from django import forms

from cases.models import LawfulBasis
from referrals.choices import (
    Concern,
    Consent,
    ContactMethod,
    ReachableMomentKind,
    SupportDeclined,
    ViolentInjury,
)
from referrals.models import NARRATIVE_MAX
from referrals.services.moments import OWN_WORKFLOW
from safeguarding.common.forms import DateField, DateTimeField, GovukFormMixin
from safeguarding.people.validators import normalise_nhs_number, validate_nhs_number

YES_NO = [("yes", "Yes"), ("no", "No")]


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "class": "govuk-textarea"})


def _choice(label: str, choices: Any, what: str, *, radios: bool = True, **kwargs: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect if radios else forms.Select(attrs={"class": "govuk-select"}),
        error_messages={"required": f"Select {what}", "invalid_choice": f"Select {what}"},
        **kwargs,
    )


def _text(
    label: str, max_length: int, what: str, *, required: bool = True, rows: int = 0, **kwargs: Any
) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=_textarea(rows) if rows else forms.TextInput(attrs={"class": "govuk-input"}),
        error_messages={
            "required": f"Enter {what}",
            "max_length": f"{what[0].upper()}{what[1:]} must be {max_length:,} characters or fewer",
        },
        **kwargs,
    )


class TakeUpForm(GovukFormMixin, forms.Form):
    """How support was offered and whether it was taken up; when not, why (coded) and what follows."""

    govuk_what = {
        "kind": "where the contact happened",
        "method": "how support was offered",
        "support_accepted": "whether the child took up the support",
        "declined_reason": "why the support was not taken up",
        "injury": "the injury",
        "concerns": "the concerns",
        "consent": "whether consent was sought",
        "lawful_basis": "the lawful basis",
        "idempotency_key": "the form's key",
    }

    method = _choice("How was support offered?", ContactMethod.choices, "how support was offered")
    support_offered = _text("What support was offered?", 4000, "the support offered", rows=3)
    support_accepted = forms.TypedChoiceField(
        label="Did the child take up the support?",
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select yes if the child took up the support",
            "invalid_choice": "Select yes if the child took up the support",
        },
    )
    declined_reason = _choice(
        "If not, why not?",
        [("", "Select a reason"), *SupportDeclined.choices],
        "why the support was not taken up",
        radios=False,
        required=False,
        help_text="Only if the child did not take up the support.",
    )
    declined_detail = _text(
        "Anything more about why not", 2000, "why the support was not taken up", required=False, rows=2
    )
    follow_up = _text(
        "What happens next",
        2000,
        "what happens next",
        required=False,
        rows=2,
        help_text="For example, who will try again, and when.",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("support_accepted") is False and not cleaned.get("declined_reason"):
            self.add_error("declined_reason", "Select why the support was not taken up")
        return cleaned


class ReachableMomentForm(TakeUpForm):
    kind = _choice(
        "Where did the contact happen?",
        [(value, label) for value, label in ReachableMomentKind.choices if value not in OWN_WORKFLOW],
        "where the contact happened",
    )
    occurred_at = DateTimeField(
        label="When did it happen?",
        help_text="For example, 27 3 2026. The time of the contact, not of typing it in.",
        what="the date of the contact",
        time_label="Time of the contact",
    )

    field_order = [
        "kind",
        "occurred_at",
        "method",
        "support_offered",
        "support_accepted",
        "declined_reason",
        "declined_detail",
        "follow_up",
    ]


class EmergencyAttendanceForm(TakeUpForm):
    """Health records a child seen in the emergency department for an injury from violence. Support offered
    there is offered at the hospital, so the form does not ask how."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    given_name = _text("First name", 100, "the child's first name")
    family_name = _text("Last name", 100, "the child's last name")
    date_of_birth = DateField(
        label="Date of birth", help_text="For example, 27 3 2011.", what="the child's date of birth"
    )
    nhs_number = forms.CharField(
        label="NHS number",
        max_length=12,
        required=False,
        help_text="10 digits. It finds the child if the MASH already knows them.",
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10", "inputmode": "numeric"}),
        error_messages={"max_length": "NHS number must be 10 digits"},
    )
    hospital = _text("Hospital", 200, "the hospital")
    attended_at = DateTimeField(
        label="When did the child arrive?",
        help_text="For example, 27 3 2026.",
        what="the date the child arrived",
        time_label="Time of arrival",
    )
    injury = _choice("What was the injury?", ViolentInjury.choices, "the injury")
    injury_detail = _text("Details of the injury", 2000, "the details of the injury", required=False, rows=2)
    accompanied_by = _text(
        "Who came with the child?",
        200,
        "who came with the child",
        required=False,
        help_text="Leave blank if nobody did.",
    )
    concerns = forms.MultipleChoiceField(
        label="What are you worried about?",
        choices=Concern.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one concern",
            "invalid_choice": "Select concerns from the list",
        },
    )
    narrative = _text("What happened, and why are you worried?", NARRATIVE_MAX, "what happened", rows=5)
    consent = _choice("Consent to share with the MASH", Consent.choices, "whether consent was sought")
    consent_not_sought_reason = _text(
        "Why was consent not sought?", 2000, "why consent was not sought", required=False, rows=2
    )
    lawful_basis = _choice("Lawful basis for sharing", LawfulBasis.choices, "the lawful basis", radios=False)

    field_order = [
        "given_name",
        "family_name",
        "date_of_birth",
        "nhs_number",
        "hospital",
        "attended_at",
        "injury",
        "injury_detail",
        "accompanied_by",
        "concerns",
        "narrative",
        "support_offered",
        "support_accepted",
        "declined_reason",
        "declined_detail",
        "follow_up",
        "consent",
        "consent_not_sought_reason",
        "lawful_basis",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["method"]

    def clean_nhs_number(self) -> str:
        value = self.cleaned_data.get("nhs_number", "")
        if value:
            validate_nhs_number(value)
            return normalise_nhs_number(value)
        return ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if (
            cleaned.get("consent") == Consent.NOT_SOUGHT
            and not cleaned.get("consent_not_sought_reason", "").strip()
        ):
            self.add_error("consent_not_sought_reason", "Explain why consent was not sought")
        return cleaned
