from typing import Any

from django import forms

from cases.models import Case, CaseStatus, ExploitationType, LawfulBasis, RiskLevel
from safeguarding.common.forms import GovukFormMixin
from safeguarding.organisations.models import Agency, User


class CaseOpenForm(GovukFormMixin, forms.Form):
    risk_level = forms.ChoiceField(
        label="Risk level",
        choices=RiskLevel.choices,
        initial=RiskLevel.NOT_ASSESSED,
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )
    exploitation_types = forms.MultipleChoiceField(
        label="Types of exploitation suspected",
        help_text="Select all that apply.",
        choices=ExploitationType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    summary = forms.CharField(
        label="Summary of concerns",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "class": "govuk-textarea"}),
        error_messages={"max_length": "Summary must be 4,000 characters or fewer"},
    )

    def case_data(self) -> dict[str, Any]:
        return {field: self.cleaned_data[field] for field in ("risk_level", "exploitation_types", "summary")}


class CaseEditForm(GovukFormMixin, forms.Form):
    govuk_what = {"status": "the status of the case"}

    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label="Status", choices=CaseStatus.choices, widget=forms.RadioSelect)
    risk_level = forms.ChoiceField(
        label="Risk level", choices=RiskLevel.choices, widget=forms.Select(attrs={"class": "govuk-select"})
    )
    exploitation_types = forms.MultipleChoiceField(
        label="Types of exploitation suspected",
        choices=ExploitationType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    allocated_worker = forms.ModelChoiceField(
        label="Allocated worker",
        queryset=User.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )
    summary = forms.CharField(
        label="Summary of concerns",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "class": "govuk-textarea"}),
        error_messages={"max_length": "Summary must be 4,000 characters or fewer"},
    )
    closure_reason = forms.CharField(
        label="Reason for closing",
        help_text="Required if you close the case.",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "govuk-textarea"}),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        worker_field = self.fields["allocated_worker"]
        assert isinstance(worker_field, forms.ModelChoiceField)
        worker_field.queryset = User.objects.filter(agency=case.lead_agency, is_active=True)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("status") == CaseStatus.CLOSED and not (cleaned.get("closure_reason") or "").strip():
            self.add_error("closure_reason", "Enter a reason for closing the case")
        return cleaned

    def case_data(self) -> dict[str, Any]:
        return {
            field: self.cleaned_data[field]
            for field in (
                "status",
                "risk_level",
                "exploitation_types",
                "allocated_worker",
                "summary",
                "closure_reason",
            )
        }


class CaseShareForm(GovukFormMixin, forms.Form):
    agency = forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.none(),
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={
            "required": "Select the agency to share with",
            "invalid_choice": "Select an agency from the list",
        },
    )
    lawful_basis = forms.ChoiceField(
        label="Lawful basis for sharing",
        choices=LawfulBasis.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the lawful basis for sharing"},
    )
    reason = forms.CharField(
        label="Why this agency needs to know",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "govuk-textarea"}),
        error_messages={"required": "Enter why this agency needs to know"},
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency_field = self.fields["agency"]
        assert isinstance(agency_field, forms.ModelChoiceField)
        agency_field.queryset = Agency.objects.filter(local_authority=case.local_authority).exclude(
            case_shares__case=case
        )
