from typing import Any

from django import forms
from django.core.validators import MaxValueValidator

from safeguarding.common.forms import DateField, GovukFormMixin
from safeguarding.people.models import Person
from safeguarding.people.validators import normalise_nhs_number, validate_date_of_birth, validate_nhs_number

MAX_ALIASES = 20
# The oldest estimated age the record accepts (the database refuses more).
MAX_ESTIMATED_AGE = 120


class PersonForm(GovukFormMixin, forms.ModelForm):
    govuk_what = {
        "estimated_age_years": "the estimated age",
        "sex": "the person's sex",
        "ethnicity": "an ethnicity",
        "education_status": "the education status",
    }

    date_of_birth = DateField(
        what="the date of birth",
        label="Date of birth",
        help_text="For example, 27 3 2011. Leave blank and give an estimated age if it is not known.",
        required=False,
    )
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
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        nhs_field = self.fields["nhs_number"]
        assert isinstance(nhs_field, forms.CharField)
        # Accept the spaced form people copy from letters ("485 777 3456"); it is normalised on clean.
        nhs_field.max_length = 14
        self.fields["nhs_number"].widget.attrs["maxlength"] = 14
        self.fields["nhs_number"].validators = []
        age_field = self.fields["estimated_age_years"]
        assert isinstance(age_field, forms.IntegerField)
        age_field.max_value = MAX_ESTIMATED_AGE
        age_field.validators = [
            *(v for v in age_field.validators if not isinstance(v, MaxValueValidator)),
            MaxValueValidator(MAX_ESTIMATED_AGE),
        ]
        age_field.widget.attrs["max"] = MAX_ESTIMATED_AGE
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
