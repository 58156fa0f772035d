from dataclasses import replace
from typing import Any, ClassVar

from django import forms

from cases.records.models import Contact, ContactType, Visibility
from cases.records.services import ContactData, max_document_size_label
from safeguarding.common.forms import DateTimeField, GovukFormMixin
from safeguarding.organisations.models import Agency

ACCEPTED_FILES = (
    ".pdf,.png,.jpg,.jpeg,.docx,application/pdf,image/png,image/jpeg,"
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)


def _visibility_choices(agency: Agency | None) -> list[tuple[str, str]]:
    own = f"Only my agency ({agency.name})" if agency is not None else Visibility.OWN_AGENCY.label
    return [(Visibility.SHARED, str(Visibility.SHARED.label)), (Visibility.OWN_AGENCY, own)]


class ContactForm(GovukFormMixin, forms.Form):
    govuk_what: ClassVar[dict[str, str]] = {"visibility": "who can see this"}

    occurred_at = DateTimeField(
        what="the date of the contact",
        label="When did the contact happen?",
        help_text="When it happened, not when you are recording it. For example, 27 3 2026.",
    )
    contact_type = forms.ChoiceField(
        label="Type of contact",
        choices=ContactType.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the type of contact",
            "invalid_choice": "Select the type of contact",
        },
    )
    present = forms.CharField(
        label="Who was present",
        help_text="Names and roles, for example the child, their mother and PC Smith.",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "Who was present must be 1,000 characters or fewer"},
    )
    text = forms.CharField(
        label="What happened",
        help_text="What was seen, said and agreed, and what happens next.",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": "Enter what happened",
            "max_length": "What happened must be 20,000 characters or fewer",
        },
    )
    visibility = forms.ChoiceField(
        label="Who can see this?",
        help_text="Your agency always can. Notes for your agency only are hidden from the other agencies.",
        choices=Visibility.choices,
        initial=Visibility.SHARED,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who can see this", "invalid_choice": "Select who can see this"},
    )

    def __init__(self, *args: Any, agency: Agency | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        visibility = self.fields["visibility"]
        assert isinstance(visibility, forms.ChoiceField)
        visibility.choices = _visibility_choices(agency)

    def contact_data(self) -> ContactData:
        data = self.cleaned_data
        return ContactData(
            occurred_at=data["occurred_at"],
            contact_type=data["contact_type"],
            present=data["present"],
            text=data["text"],
            visibility=data["visibility"],
        )


class ContactAmendForm(ContactForm):
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={
            "required": "Open the contact again and make your amendment",
            "invalid": "Open the contact again and make your amendment",
            "min_value": "Open the contact again and make your amendment",
        },
    )
    reason = forms.CharField(
        label="Reason for the amendment",
        help_text="Everyone who can see this contact can see what it said before, and why it changed.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter the reason for the amendment",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )

    def amended_data(self, contact: Contact) -> ContactData:
        """What the contact becomes. The form gives the time to the minute: the same minute as recorded is no
        change, even where the recorded time has seconds (given through the API)."""
        data = self.contact_data()
        if data.occurred_at == contact.occurred_at.replace(second=0, microsecond=0):
            data = replace(data, occurred_at=contact.occurred_at)
        return data

    @staticmethod
    def initial_for(contact: Contact) -> dict[str, Any]:
        return {
            "version": contact.version,
            "occurred_at": contact.occurred_at,
            "contact_type": contact.contact_type,
            "present": contact.present,
            "text": contact.text,
            "visibility": contact.visibility,
        }


class ContactFilterForm(GovukFormMixin, forms.Form):
    """The list's filter and sort (GET). A value that is not one of the choices is ignored, not an error."""

    contact_type = forms.ChoiceField(
        label="Type of contact",
        choices=[("", "Any"), *ContactType.choices],
        required=False,
        error_messages={"invalid_choice": "Select a type of contact from the list"},
    )
    sort = forms.ChoiceField(
        label="Sort by",
        choices=[
            ("-occurred", "Newest first"),
            ("occurred", "Oldest first"),
            ("-recorded", "Recorded most recently"),
            ("type", "Type of contact"),
        ],
        required=False,
        error_messages={"invalid_choice": "Select how to sort from the list"},
    )

    def choice(self, name: str) -> str:
        if self.is_valid():
            return str(self.cleaned_data.get(name) or "")
        return ""


class DocumentUploadForm(GovukFormMixin, forms.Form):
    govuk_what: ClassVar[dict[str, str]] = {"visibility": "who can see this"}

    file = forms.FileField(
        label="Upload a file",
        max_length=255,
        widget=forms.FileInput(attrs={"accept": ACCEPTED_FILES}),
        error_messages={
            "required": "Select a file",
            "empty": "The selected file is empty",
            "invalid": "Select a file",
            "missing": "Select a file",
            "max_length": "The selected file's name must be 255 characters or fewer",
        },
    )
    description = forms.CharField(
        label="Describe the document",
        help_text="For example, letter from school about attendance.",
        max_length=200,
        required=False,
        error_messages={"max_length": "The description must be 200 characters or fewer"},
    )
    is_recent_photo = forms.BooleanField(
        label="This is a recent photo of the child",
        help_text="It may be shown to help find them if they go missing.",
        required=False,
    )
    visibility = forms.ChoiceField(
        label="Who can see this?",
        choices=Visibility.choices,
        initial=Visibility.SHARED,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who can see this", "invalid_choice": "Select who can see this"},
    )

    def __init__(self, *args: Any, agency: Agency | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        visibility = self.fields["visibility"]
        assert isinstance(visibility, forms.ChoiceField)
        visibility.choices = _visibility_choices(agency)
        self.fields[
            "file"
        ].help_text = f"A PDF, PNG, JPEG or Word document, smaller than {max_document_size_label()}."
