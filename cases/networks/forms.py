"""The network pages' forms: the filters over a neighbourhood (a GET form), the search before a context or a
link is recorded, the new context, and the link itself with its evidence, grading and handling code. They
check the shape of what was typed; the services decide whether it may be recorded."""

from typing import Any

from django import forms

from cases.networks.models import (
    AssessmentKind,
    ContextKind,
    HandlingCode,
    InformationGrade,
    LinkStatus,
    LinkType,
    SourceGrade,
)
from cases.networks.selectors import NetworkFilters
from cases.networks.services import LinkData
from safeguarding.common.forms import DateField, GovukFormMixin
from safeguarding.organisations.models import Agency, AgencyType

LIVE_STATUSES = [(s.value, s.label) for s in LinkStatus if s != LinkStatus.LAPSED]


class NetworkFilterForm(GovukFormMixin, forms.Form):
    """Always valid enough to draw the page: a value that is not a choice is an error shown beside the filter,
    and the network is drawn without that filter."""

    link_type = forms.MultipleChoiceField(
        label="Type of link", choices=LinkType.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    status = forms.MultipleChoiceField(
        label="Status",
        help_text="Leave all unticked for every link that has not lapsed.",
        choices=LinkStatus.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    seen_since = DateField(
        what="the seen since date",
        label="Seen since",
        help_text="Links last seen on or after this date, for example 27 3 2026.",
        required=False,
    )
    grading = forms.ChoiceField(
        label="Grading",
        choices=[("", "Any link"), ("graded", "Graded intelligence only")],
        required=False,
        widget=forms.RadioSelect,
    )

    def filters(self) -> NetworkFilters:
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        return NetworkFilters(
            link_types=tuple(data.get("link_type") or ()),
            statuses=tuple(data.get("status") or ()),
            seen_since=data.get("seen_since"),
            graded_only=data.get("grading") == "graded",
        )


class ContextSearchForm(GovukFormMixin, forms.Form):
    q = forms.CharField(
        label="Name of the place or group",
        help_text="A name, a deal line's name or a postcode.",
        max_length=200,
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-!-width-two-thirds", "autocomplete": "off"}
        ),
        error_messages={
            "required": "Enter a name, deal line or postcode to search for",
            "max_length": "The search must be 200 characters or fewer",
        },
    )


class ContextForm(GovukFormMixin, forms.Form):
    govuk_what = {"kind": "what kind of place or group this is"}

    kind = forms.ChoiceField(
        label="What kind of place or group is it?",
        choices=ContextKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what kind of place or group this is"},
    )
    name = forms.CharField(
        label="Name",
        max_length=200,
        widget=forms.TextInput(attrs={"class": "govuk-input"}),
        error_messages={
            "required": "Enter the name of the place or group",
            "max_length": "The name must be 200 characters or fewer",
        },
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10", "autocomplete": "off"}),
        error_messages={"max_length": "The postcode must be 10 characters or fewer"},
    )
    deal_line_name = forms.CharField(
        label="Deal line name",
        help_text="For a county line: the name the deal line goes by.",
        max_length=80,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-!-width-one-half"}),
        error_messages={"max_length": "The deal line name must be 80 characters or fewer"},
    )
    description = forms.CharField(
        label="Description",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 4}),
        error_messages={"max_length": "The description must be 4000 characters or fewer"},
    )


class EndSearchForm(GovukFormMixin, forms.Form):
    """Search before a link is recorded: the people the user may see, and the places and groups of the
    authority."""

    q = forms.CharField(
        label="Name of the person, place or group",
        help_text="A name or alias, a street name, a place, a group or a deal line.",
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "class": "govuk-input govuk-!-width-two-thirds",
                "autocomplete": "off",
                "spellcheck": "false",
            }
        ),
        error_messages={
            "required": "Enter a name to search for",
            "max_length": "The search must be 200 characters or fewer",
        },
    )
    # Not drawn with the search box: the radios of the results post it. Here so that "choose one" is an
    # error of this form, linked from the error summary to the first radio (id_end).
    end = forms.CharField(required=False, widget=forms.HiddenInput)


DIRECTION_FROM_PERSON = "from_person"
DIRECTION_TO_PERSON = "to_person"


class GradingForm(GovukFormMixin, forms.Form):
    """The 3x5x2 grading and handling code of police intelligence: a link's, or an agency's answer's. A C code
    names the agencies it may go to; with any other code the list is dropped."""

    govuk_what = {
        "source_grade": "the source evaluation",
        "information_grade": "the intelligence assessment",
        "handling_agency_types": "the agencies it may be shared with",
    }

    source_grade = forms.ChoiceField(
        label="Source evaluation (3x5x2)",
        choices=[("", "Not graded"), *SourceGrade.choices],
        required=False,
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )
    information_grade = forms.ChoiceField(
        label="Intelligence assessment (3x5x2)",
        choices=[("", "Not graded"), *InformationGrade.choices],
        required=False,
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )
    handling_code = forms.ChoiceField(
        label="Handling code",
        choices=[("", "None"), *HandlingCode.choices],
        required=False,
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )
    handling_agency_types = forms.MultipleChoiceField(
        label="Agencies it may be shared with (handling code C only)",
        choices=AgencyType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    handling_conditions = forms.CharField(
        label="Handling conditions",
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input"}),
        error_messages={"max_length": "The conditions must be 300 characters or fewer"},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("handling_code") != HandlingCode.CONDITIONS:
            cleaned["handling_agency_types"] = []
        return cleaned


class LinkForm(GradingForm):
    govuk_what = {
        **GradingForm.govuk_what,
        "direction": "which way round the link is",
        "source": "where this comes from",
        "status": "how sure it is",
    }

    direction = forms.ChoiceField(
        label="Which way round is the link?",
        help_text="It matters for links with a direction: a suspected exploiter is recorded from the adult to the child.",
        choices=[(DIRECTION_FROM_PERSON, "From this person"), (DIRECTION_TO_PERSON, "To this person")],
        widget=forms.RadioSelect,
        initial=DIRECTION_FROM_PERSON,
        error_messages={"required": "Select which way round the link is"},
    )
    link_type = forms.ChoiceField(
        label="Type of link",
        choices=[("", "Select a type of link"), *LinkType.choices],
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={
            "required": "Select how they are linked",
            "invalid_choice": "Select how they are linked",
        },
    )
    source = forms.CharField(
        label="Where does this come from?",
        help_text="The evidence: a report, a disclosure, an observation. A link is recorded only with its source.",
        max_length=300,
        widget=forms.TextInput(attrs={"class": "govuk-input"}),
        error_messages={
            "required": "Enter where this comes from: a link is recorded only with its evidence",
            "max_length": "The source must be 300 characters or fewer",
        },
    )
    status = forms.ChoiceField(
        label="How sure is it?",
        help_text="An alleged link is shown as alleged until someone corroborates or confirms it.",
        choices=LIVE_STATUSES,
        widget=forms.RadioSelect,
        initial=LinkStatus.ALLEGED,
        error_messages={"required": "Select whether the link is alleged, corroborated or confirmed"},
    )
    first_seen = DateField(
        what="the date they were first seen",
        label="First seen",
        help_text="For example, 27 3 2026.",
        required=False,
    )
    last_seen = DateField(
        what="the date they were last seen",
        label="Last seen",
        help_text="For example, 27 3 2026.",
        required=False,
    )

    def link_data(self) -> LinkData:
        data = self.cleaned_data
        return LinkData(
            link_type=data["link_type"],
            source=data["source"],
            status=data["status"],
            first_seen=data.get("first_seen"),
            last_seen=data.get("last_seen"),
            source_grade=data.get("source_grade", ""),
            information_grade=data.get("information_grade", ""),
            handling_code=data.get("handling_code", ""),
            handling_agency_types=tuple(data.get("handling_agency_types") or ()),
            handling_conditions=data.get("handling_conditions", ""),
        )


class LinkStatusForm(GovukFormMixin, forms.Form):
    status = forms.ChoiceField(
        choices=[(LinkStatus.CORROBORATED.value, "Corroborate"), (LinkStatus.CONFIRMED.value, "Confirm")],
        error_messages={
            "required": "Select corroborate or confirm",
            "invalid_choice": "Select corroborate or confirm",
        },
    )
    # The page to go back to, posted by the network table's buttons.
    back = forms.RegexField(regex=r"^[pc]:[0-9a-f-]{36}$", widget=forms.HiddenInput)


class ContextAssessmentForm(GovukFormMixin, forms.Form):
    govuk_what = {"change_first": "what must change first"}

    kind = forms.ChoiceField(
        label="Kind of assessment",
        choices=AssessmentKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of assessment"},
    )
    findings = forms.CharField(
        label="What the assessment found",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "govuk-textarea"}),
        error_messages={"required": "Enter what the assessment found"},
    )
    change_first = forms.CharField(
        label="What must change first for the children here to be safer?",
        help_text="The context-weighting question: the change in this place or group that matters most.",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "govuk-textarea"}),
        error_messages={"required": "Enter what must change first for the children to be safer"},
    )
    strengths = forms.CharField(
        label="Strengths and safe adults",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "govuk-textarea"}),
    )


class ContextActionForm(GovukFormMixin, forms.Form):
    description = forms.CharField(
        label="Action",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "govuk-textarea"}),
        error_messages={"required": "Enter the action"},
    )
    owner_agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        label="Owning agency",
        error_messages={"required": "Select the agency that owns the action"},
    )
    # Every action has a due date (it is a clock): the service refuses one without.
    due_date = DateField(
        what="the date the action is due", label="Due date", help_text="For example, 27 3 2027."
    )

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner_agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = agencies
        field.widget.attrs["class"] = "govuk-select"
