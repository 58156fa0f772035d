from typing import Any

from django import forms

from safeguarding.people.models import Person
from safeguarding.people.validators import normalise_nhs_number, validate_date_of_birth, validate_nhs_number

MAX_ALIASES = 20


class PersonForm(forms.ModelForm):
    aliases_text = forms.CharField(
        label="Other names or aliases",
        help_text="One name on each line, including street names and nicknames.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "govuk-textarea"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Person
        fields = [
            "given_name",
            "family_name",
            "date_of_birth",
            "estimated_age_years",
            "sex",
            "gender",
            "ethnicity",
            "nhs_number",
            "address_line_1",
            "address_line_2",
            "town",
            "postcode",
            "education_status",
            "school_name",
        ]
        labels = {
            "given_name": "First name",
            "family_name": "Last name",
            "estimated_age_years": "Estimated age in years",
            "nhs_number": "NHS number",
            "address_line_1": "Address line 1",
            "address_line_2": "Address line 2",
        }
        help_texts = {
            "date_of_birth": "For example, 27/03/2011. Leave blank and give an estimated age if it is not known.",
            "estimated_age_years": "Only if the date of birth is not known.",
            "nhs_number": "10 digits, for example 485 777 3456.",
            "ethnicity": "As the person describes it (Children in Need census categories).",
        }
        widgets = {
            "given_name": forms.TextInput(
                attrs={"class": "govuk-input govuk-!-width-two-thirds", "autocomplete": "off"}
            ),
            "family_name": forms.TextInput(
                attrs={"class": "govuk-input govuk-!-width-two-thirds", "autocomplete": "off"}
            ),
            # ISO format: what a browser's date field reads and sends.
            "date_of_birth": forms.DateInput(
                format="%Y-%m-%d", attrs={"type": "date", "class": "govuk-input govuk-input--width-10"}
            ),
            "estimated_age_years": forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-3"}),
            "sex": forms.RadioSelect,
            "gender": forms.TextInput(attrs={"class": "govuk-input govuk-!-width-one-half"}),
            "ethnicity": forms.Select(attrs={"class": "govuk-select"}),
            "nhs_number": forms.TextInput(
                attrs={
                    "class": "govuk-input govuk-input--width-10",
                    "inputmode": "numeric",
                    "spellcheck": "false",
                }
            ),
            "address_line_1": forms.TextInput(attrs={"class": "govuk-input"}),
            "address_line_2": forms.TextInput(attrs={"class": "govuk-input"}),
            "town": forms.TextInput(attrs={"class": "govuk-input govuk-!-width-two-thirds"}),
            "postcode": forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10"}),
            "education_status": forms.Select(attrs={"class": "govuk-select"}),
            "school_name": forms.TextInput(attrs={"class": "govuk-input"}),
        }
        error_messages = {
            "given_name": {
                "required": "Enter a first name",
                "max_length": "First name must be 100 characters or fewer",
            },
            "family_name": {
                "required": "Enter a last name",
                "max_length": "Last name must be 100 characters or fewer",
            },
            "ethnicity": {"invalid_choice": "Select an ethnicity from the list"},
            "date_of_birth": {"invalid": "Date of birth must be a real date"},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        nhs_field = self.fields["nhs_number"]
        assert isinstance(nhs_field, forms.CharField)
        # Accept the spaced form people copy from letters ("485 777 3456"); it is normalised on clean.
        nhs_field.max_length = 14
        self.fields["nhs_number"].widget.attrs["maxlength"] = 14
        self.fields["nhs_number"].validators = []
        if self.instance.pk:
            self.fields["aliases_text"].initial = "\n".join(self.instance.aliases)
            self.fields["version"].initial = self.instance.version

    def clean_nhs_number(self) -> str | None:
        value = self.cleaned_data.get("nhs_number") or ""
        if not value.strip():
            return None
        validate_nhs_number(value)
        return normalise_nhs_number(value)

    def clean_date_of_birth(self) -> Any:
        value = self.cleaned_data.get("date_of_birth")
        if value:
            validate_date_of_birth(value)
        return value

    def clean_aliases_text(self) -> list[str]:
        aliases = [line.strip() for line in self.cleaned_data["aliases_text"].splitlines() if line.strip()]
        if len(aliases) > MAX_ALIASES:
            raise forms.ValidationError(f"Enter {MAX_ALIASES} aliases or fewer")
        if any(len(alias) > 100 for alias in aliases):
            raise forms.ValidationError("Each alias must be 100 characters or fewer")
        return aliases

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            not cleaned.get("date_of_birth")
            and cleaned.get("estimated_age_years") is None
            and not self.has_error("date_of_birth")
        ):
            self.add_error("date_of_birth", "Enter a date of birth, or an estimated age if it is not known")
        return cleaned

    def _post_clean(self) -> None:
        # Model validation runs in the service, inside its transaction; the form only checks its own fields.
        pass

    def person_data(self) -> dict[str, Any]:
        data = {field: self.cleaned_data[field] for field in self.Meta.fields}
        data["aliases"] = self.cleaned_data["aliases_text"]
        return data
