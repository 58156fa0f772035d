"""The NRM pages' questions. The forms check the shape of the answers (a real date, a choice from the list);
the services check what must hold between them (not in the future, not before the child's birth, a decision
after the referral) and their refusals land in the same error summary (form_errors_from)."""

from typing import Any, ClassVar

from django import forms

from cases.models import ExploitationType
from cases.nrm.models import NrmDecisionMaker, NrmOutcome
from safeguarding.common.forms import DateField, GovukFormMixin

YES_NO = [("yes", "Yes"), ("no", "No")]


def _text_input(width: str = "govuk-input") -> forms.TextInput:
    return forms.TextInput(attrs={"class": width})


class NrmReferralForm(GovukFormMixin, forms.Form):
    govuk_what: ClassVar[dict[str, str]] = {
        "first_responder": "the first responder organisation",
        "exploitation_types": "the types of exploitation",
        "county_lines": "whether the exploitation involves county lines",
    }

    first_responder = forms.CharField(
        label="Which first responder organisation made the referral?",
        help_text="For example, Northbridge Police or Northbridge Children's Social Care.",
        max_length=200,
        widget=_text_input(),
        error_messages={
            "required": "Enter the name of the first responder organisation that made the referral",
            "max_length": "The first responder organisation must be 200 characters or fewer",
        },
    )
    referred_on = DateField(
        what="the date the referral was made",
        label="When was the referral made?",
        help_text="For example, 27 3 2026.",
    )
    exploitation_types = forms.MultipleChoiceField(
        label="Which types of exploitation were referred?",
        help_text="Select all that apply.",
        choices=ExploitationType.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select the types of exploitation",
            "invalid_choice": "Select the types of exploitation from the list",
        },
    )
    county_lines = forms.ChoiceField(
        label="Does the exploitation involve county lines?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select yes if the exploitation involves county lines",
            "invalid_choice": "Select yes if the exploitation involves county lines",
        },
    )
    notes = forms.CharField(
        label="Notes",
        help_text="What led to the referral, and anything the competent authority asked for.",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "govuk-textarea"}),
        error_messages={"max_length": "Notes must be 4,000 characters or fewer"},
    )

    def referral_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "first_responder": data["first_responder"],
            "referred_on": data["referred_on"],
            "exploitation_types": data["exploitation_types"],
            "county_lines": data["county_lines"] == "yes",
            "notes": data["notes"],
        }


class NrmDecisionForm(GovukFormMixin, forms.Form):
    """A reasonable grounds or a conclusive grounds decision: the same questions."""

    govuk_what: ClassVar[dict[str, str]] = {"outcome": "the decision", "decided_by": "who made the decision"}

    outcome = forms.ChoiceField(
        label="What was the decision?",
        choices=NrmOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether the decision was positive or negative",
            "invalid_choice": "Select whether the decision was positive or negative",
        },
    )
    decided_on = DateField(what="the date of the decision", label="When was the decision made?")
    decided_by = forms.ChoiceField(
        label="Who made the decision?",
        choices=NrmDecisionMaker.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select who made the decision",
            "invalid_choice": "Select who made the decision",
        },
    )
    decision_maker_name = forms.CharField(
        label="Name of the team or panel",
        help_text="As the decision letter gives it, for example the Single Competent Authority's team, or the "
        "devolved panel's name.",
        max_length=200,
        widget=_text_input(),
        error_messages={
            "required": "Enter the name of the team or panel that made the decision",
            "max_length": "The name of the team or panel must be 200 characters or fewer",
        },
    )

    def __init__(self, *args: Any, decided_on_hint: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if decided_on_hint:
            self.fields["decided_on"].help_text = decided_on_hint

    def decision_data(self) -> dict[str, Any]:
        return {
            field: self.cleaned_data[field]
            for field in ("outcome", "decided_on", "decided_by", "decision_maker_name")
        }


class NrmGuardianForm(GovukFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    ictg_referred_on = DateField(
        what="the date the child was referred to the guardian service",
        label="When was the child referred to the Independent Child Trafficking Guardian service?",
    )
    ictg_allocated_on = DateField(
        what="the date the guardian was allocated",
        label="When was a guardian allocated?",
        help_text="Leave this blank if no guardian has been allocated yet.",
        required=False,
    )
    ictg_guardian_name = forms.CharField(
        label="Guardian's name",
        max_length=200,
        required=False,
        widget=_text_input(),
        error_messages={"max_length": "The guardian's name must be 200 characters or fewer"},
    )
    ictg_organisation = forms.CharField(
        label="Guardian's organisation",
        help_text="For example, Barnardo's.",
        max_length=200,
        required=False,
        widget=_text_input(),
        error_messages={"max_length": "The guardian's organisation must be 200 characters or fewer"},
    )

    def guardian_data(self) -> dict[str, Any]:
        return {
            field: self.cleaned_data[field]
            for field in ("ictg_referred_on", "ictg_allocated_on", "ictg_guardian_name", "ictg_organisation")
        }
