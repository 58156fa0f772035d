"""Forms for the MASH front door. They check what a form can check (required, lengths, choices, real dates);
the services decide everything else (a booking in the future, a referral received before the child was born)
and the views show the services' refusals in the same error summary."""

import uuid
from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet

from cases.models import LawfulBasis
from cases.networks.forms import GradingForm
from referrals.choices import (
    AppropriateAdult,
    Concern,
    Consent,
    DecisionOutcome,
    RagRating,
    ReferralSource,
)
from referrals.models import NARRATIVE_MAX
from referrals.moment_forms import TakeUpForm
from safeguarding.common.forms import DateField, DateTimeField, GovukFormMixin
from safeguarding.organisations.models import Agency
from safeguarding.people.validators import normalise_nhs_number, validate_date_of_birth, validate_nhs_number

SUMMARY_MAX = 4000
SHORT_TEXT_MAX = 2000
YES_NO = [("yes", "Yes"), ("no", "No")]


def _text(attrs: dict[str, str] | None = None) -> forms.TextInput:
    return forms.TextInput(attrs={"class": "govuk-input", **(attrs or {})})


def _textarea(rows: int = 5) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "class": "govuk-textarea"})


def _yes_no(label: str, required_message: str, help_text: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": required_message, "invalid_choice": required_message},
    )


# --- Search before create ------------------------------------------------------------------------------------


class PersonSearchForm(GovukFormMixin, forms.Form):
    name = forms.CharField(
        label="Name or alias",
        help_text="First name, last name, or any name the child is known by, including street names.",
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "class": "govuk-input govuk-!-width-two-thirds",
                "autocomplete": "off",
                "spellcheck": "false",
            }
        ),
        error_messages={
            "required": "Enter a name or alias to search for",
            "max_length": "The name must be 200 characters or fewer",
        },
    )
    date_of_birth = DateField(
        what="the date of birth",
        label="Date of birth",
        help_text="For example, 27 3 2011. Leave blank if it is not known.",
        required=False,
    )
    nhs_number = forms.CharField(
        label="NHS number",
        help_text="10 digits, for example 485 777 3456. Leave blank if it is not known.",
        required=False,
        max_length=14,
        widget=forms.TextInput(
            attrs={
                "class": "govuk-input govuk-input--width-10",
                "inputmode": "numeric",
                "spellcheck": "false",
            }
        ),
    )

    def clean_date_of_birth(self) -> date | None:
        value: date | None = self.cleaned_data.get("date_of_birth")
        if value:
            validate_date_of_birth(value)
        return value

    def clean_nhs_number(self) -> str | None:
        value = (self.cleaned_data.get("nhs_number") or "").strip()
        if not value:
            return None
        validate_nhs_number(value)
        return normalise_nhs_number(value)


NEW_PERSON = "new"


class PersonChoiceForm(GovukFormMixin, forms.Form):
    """Which of the people found the referral is about, or none of them (a new record)."""

    person = forms.CharField(error_messages={"required": "Select the person, or that none of these is them"})

    def __init__(self, *args: Any, allowed: list[uuid.UUID], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allowed = {str(pk) for pk in allowed} | {NEW_PERSON}

    def clean_person(self) -> str:
        value = str(self.cleaned_data["person"])
        if value not in self.allowed:
            raise forms.ValidationError("Select the person, or that none of these is them")
        return value


# --- The referral and the custody booking -------------------------------------------------------------------


class _ReferralFieldsForm(GovukFormMixin, forms.Form):
    """What every referral records: who referred, the concerns, what happened, consent and the lawful basis."""

    govuk_what = {
        "concerns": "the concerns",
        "narrative": "what has happened",
        "consent_not_sought_reason": "why consent was not sought",
    }

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)
    referrer_agency = forms.ModelChoiceField(
        label="Referring agency",
        help_text="Leave blank if the referrer is not one of this authority's agencies.",
        queryset=Agency.objects.none(),
        required=False,
        empty_label="Not one of this authority's agencies",
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={"invalid_choice": "Select a referring agency from the list"},
    )
    referrer_name = forms.CharField(
        label="Referrer's name",
        help_text="Leave blank if the referrer did not give their name.",
        max_length=120,
        required=False,
        widget=_text({"class": "govuk-input govuk-!-width-two-thirds", "autocomplete": "off"}),
        error_messages={"max_length": "The referrer's name must be 120 characters or fewer"},
    )
    referrer_contact = forms.CharField(
        label="Referrer's phone number or secure email",
        max_length=200,
        required=False,
        widget=_text({"class": "govuk-input govuk-!-width-two-thirds", "autocomplete": "off"}),
        error_messages={"max_length": "The referrer's contact details must be 200 characters or fewer"},
    )
    concerns = forms.MultipleChoiceField(
        label="What are the concerns?",
        help_text="Select all that apply.",
        choices=Concern.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one concern",
            "invalid_choice": "Select concerns from the list",
        },
    )
    narrative = forms.CharField(
        label="What has happened?",
        help_text="What the referrer told you, in their words where you can. Do not include more than is needed.",
        max_length=NARRATIVE_MAX,
        widget=_textarea(8),
        error_messages={
            "required": "Enter what has happened",
            "max_length": f"What has happened must be {NARRATIVE_MAX:,} characters or fewer",
        },
    )
    consent = forms.ChoiceField(
        label="Consent to share information",
        choices=Consent.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether consent was sought",
            "invalid_choice": "Select whether consent was sought",
        },
    )
    consent_not_sought_reason = forms.CharField(
        label="If consent was not sought, why not?",
        help_text="Only if consent was not sought. For example, asking could place the child at greater risk.",
        max_length=SHORT_TEXT_MAX,
        required=False,
        widget=_textarea(3),
        error_messages={"max_length": "The reason must be 2,000 characters or fewer"},
    )
    lawful_basis = forms.ChoiceField(
        label="Lawful basis for sharing",
        choices=LawfulBasis.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the lawful basis for sharing",
            "invalid_choice": "Select the lawful basis for sharing",
        },
    )

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["referrer_agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = agencies

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            cleaned.get("consent") == Consent.NOT_SOUGHT
            and not (cleaned.get("consent_not_sought_reason") or "").strip()
        ):
            self.add_error("consent_not_sought_reason", "Explain why consent was not sought")
        return cleaned

    def common_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        consent = data["consent"]
        return {
            "referrer_agency": data.get("referrer_agency"),
            "referrer_name": data.get("referrer_name") or "",
            "referrer_contact": data.get("referrer_contact") or "",
            "concerns": list(data["concerns"]),
            "narrative": data["narrative"],
            "consent": consent,
            "consent_not_sought_reason": data.get("consent_not_sought_reason", "")
            if consent == Consent.NOT_SOUGHT
            else "",
            "lawful_basis": data["lawful_basis"],
        }


class ReferralForm(_ReferralFieldsForm):
    received_at = DateTimeField(
        label="When did the MASH receive it?",
        help_text="The date and time it reached the MASH, not now. For example, 27 3 2026.",
        what="the date it was received",
        time_label="Time received",
    )
    source = forms.ChoiceField(
        label="Source of the referral",
        help_text="Children in Need census referral source, or one of the routes the partnership tracks.",
        # A custody booking has its own form, which starts its Golden Hour.
        choices=[
            ("", "Choose a source"),
            *(
                (value, label)
                for value, label in ReferralSource.choices
                if value != ReferralSource.CUSTODY_BOOKING
            ),
        ],
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={
            "required": "Select the source of the referral",
            "invalid_choice": "Select a source from the list",
        },
    )

    field_order = [
        "idempotency_key",
        "source",
        "referrer_agency",
        "referrer_name",
        "referrer_contact",
        "received_at",
        "concerns",
        "narrative",
        "consent",
        "consent_not_sought_reason",
        "lawful_basis",
    ]

    def referral_data(self) -> dict[str, Any]:
        return {
            **self.common_data(),
            "source": self.cleaned_data["source"],
            "received_at": self.cleaned_data["received_at"],
        }


class CustodyBookingForm(_ReferralFieldsForm):
    police_force = forms.CharField(
        label="Police force",
        max_length=120,
        widget=_text({"class": "govuk-input govuk-!-width-two-thirds"}),
        error_messages={
            "required": "Enter the police force holding the child",
            "max_length": "The police force must be 120 characters or fewer",
        },
    )
    out_of_area = _yes_no(
        "Is the force outside this authority's area?",
        "Select yes if the force is outside this authority's area",
    )
    custody_suite = forms.CharField(
        label="Custody suite",
        max_length=120,
        widget=_text({"class": "govuk-input govuk-!-width-two-thirds"}),
        error_messages={
            "required": "Enter the custody suite",
            "max_length": "The custody suite must be 120 characters or fewer",
        },
    )
    booked_in_at = DateTimeField(
        label="When was the child booked into custody?",
        help_text="The booking time on the custody record, not now: the Golden Hour runs from it. For example, 27 3 2026.",
        what="the date the child was booked in",
        time_label="Time booked in",
    )
    arrest_reason = forms.CharField(
        label="Offence or reason for arrest",
        max_length=500,
        widget=_textarea(3),
        error_messages={
            "required": "Enter the offence or reason for arrest",
            "max_length": "The reason for arrest must be 500 characters or fewer",
        },
    )
    appropriate_adult = forms.ChoiceField(
        label="Appropriate adult",
        choices=AppropriateAdult.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether an appropriate adult is present",
            "invalid_choice": "Select whether an appropriate adult is present",
        },
    )
    pace_transfer_requested = _yes_no(
        "Has a PACE section 38(6) transfer been requested?",
        "Select yes if a PACE section 38(6) transfer has been requested",
        help_text="Transfer to local authority accommodation instead of being held overnight in custody.",
    )

    field_order = [
        "idempotency_key",
        "police_force",
        "out_of_area",
        "custody_suite",
        "booked_in_at",
        "arrest_reason",
        "appropriate_adult",
        "pace_transfer_requested",
        "referrer_agency",
        "referrer_name",
        "referrer_contact",
        "concerns",
        "narrative",
        "consent",
        "consent_not_sought_reason",
        "lawful_basis",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["referrer_name"].label = "Custody officer's name"
        self.fields["referrer_name"].help_text = ""
        self.fields["referrer_contact"].label = "Custody officer's phone number or secure email"
        self.fields["referrer_agency"].label = "Police agency"
        self.fields["referrer_agency"].help_text = "Leave blank for a force outside this authority."

    def referral_data(self) -> dict[str, Any]:
        return self.common_data()

    def booking_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "police_force": data["police_force"],
            "out_of_area": data["out_of_area"],
            "custody_suite": data["custody_suite"],
            "booked_in_at": data["booked_in_at"],
            "arrest_reason": data["arrest_reason"],
            "appropriate_adult": data["appropriate_adult"],
            "pace_transfer_requested": data["pace_transfer_requested"],
        }


class InformationShareForm(GovukFormMixin, forms.Form):
    govuk_what = {"shared_with": "who you shared it with", "summary": "what you shared"}

    shared_at = DateTimeField(
        label="When did you share it?",
        help_text="For example, 27 3 2026. The Golden Hour is met at this time.",
        what="the date you shared it",
        time_label="Time shared",
    )
    shared_with = forms.CharField(
        label="Who in custody did you share it with?",
        help_text="Name and role, for example the custody sergeant on duty.",
        max_length=200,
        widget=_text({"class": "govuk-input govuk-!-width-two-thirds"}),
        error_messages={
            "required": "Enter who in custody you shared it with",
            "max_length": "Who you shared it with must be 200 characters or fewer",
        },
    )
    summary = forms.CharField(
        label="What did you share?",
        help_text="The safeguarding information given to custody, and the lawful basis if it differs.",
        max_length=SUMMARY_MAX,
        widget=_textarea(5),
        error_messages={
            "required": "Enter what you shared",
            "max_length": "What you shared must be 4,000 characters or fewer",
        },
    )

    field_order = [
        "shared_at",
        "shared_with",
        "summary",
    ]


# --- Information gathering ----------------------------------------------------------------------------------


class RateForm(GovukFormMixin, forms.Form):
    govuk_what = {"agencies": "the agencies to ask", "question": "your question"}

    rag_rating = forms.ChoiceField(
        label="RAG rating",
        help_text="Red asks for answers within 4 working hours.",
        choices=RagRating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a RAG rating", "invalid_choice": "Select a RAG rating"},
    )
    agencies = forms.ModelMultipleChoiceField(
        label="Which agencies should check their records?",
        help_text="Select all that apply. Each agency is asked separately and sees only its own request.",
        queryset=Agency.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one agency to ask for information",
            "invalid_choice": "Select agencies from the list",
            "invalid_pk_value": "Select agencies from the list",
        },
    )
    question = forms.CharField(
        label="What do you want to know?",
        help_text="Optional. Every agency asked sees this.",
        required=False,
        max_length=SHORT_TEXT_MAX,
        widget=_textarea(3),
        error_messages={"max_length": "The question must be 2,000 characters or fewer"},
    )

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agencies"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = agencies


class InformationAnswerForm(GradingForm):
    govuk_what = {
        **GradingForm.govuk_what,
        "answer_source": "where your answer comes from",
        "share_with": "the agencies to share your answer with",
    }

    answer = forms.CharField(
        label="Your agency's answer",
        help_text="What your records show. Only the MASH sees it unless you share it below.",
        max_length=NARRATIVE_MAX,
        widget=_textarea(8),
        error_messages={
            "required": "Enter your agency's answer",
            "max_length": f"The answer must be {NARRATIVE_MAX:,} characters or fewer",
        },
    )
    answer_source = forms.CharField(
        label="Where does the answer come from?",
        help_text="The records or people you checked, for example the Police National Computer and local intelligence.",
        max_length=300,
        widget=forms.TextInput(attrs={"class": "govuk-input"}),
        error_messages={
            "required": "Enter where your answer comes from",
            "max_length": "The source must be 300 characters or fewer",
        },
    )
    share_with = forms.ModelMultipleChoiceField(
        label="Share your answer with other agencies asked",
        help_text="Only if they need to know. The MASH always sees it.",
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Select agencies from the list",
            "invalid_pk_value": "Select agencies from the list",
        },
    )

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["share_with"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = agencies


# --- Decision and urgent response ---------------------------------------------------------------------------


class DecisionForm(GovukFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        label="Decision",
        choices=DecisionOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a decision", "invalid_choice": "Select a decision"},
    )
    rationale = forms.CharField(
        label="Rationale",
        help_text="Why, with the risks and the information from each agency that led to it.",
        max_length=SUMMARY_MAX,
        widget=_textarea(6),
        error_messages={
            "required": "Enter the rationale for the decision",
            "max_length": "The rationale must be 4,000 characters or fewer",
        },
    )


class UrgentContactForm(TakeUpForm):
    """The urgent response worker's first direct contact: a reachable moment, with its take-up."""

    occurred_at = DateTimeField(
        label="When did you first make direct contact with the child?",
        help_text="For example, 27 3 2026. The 48-hour clock is met at this time.",
        what="the date of contact",
        time_label="Time of contact",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["method"].label = "How did you make contact?"
        self.fields["method"].error_messages.update(
            required="Select how you made contact", invalid_choice="Select how you made contact"
        )
        self.fields["support_offered"].label = "What support did you offer?"
        self.fields["support_offered"].error_messages["required"] = "Enter the support you offered"
        self.fields["support_accepted"].label = "Did the child accept the support?"
        self.fields["support_accepted"].error_messages.update(
            required="Select yes if the child accepted the support",
            invalid_choice="Select yes if the child accepted the support",
        )

    field_order = ["occurred_at", *TakeUpForm.base_fields]
