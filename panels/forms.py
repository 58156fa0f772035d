"""Forms for the panel pages: they check the shape of what was typed; the services hold the rules."""

from typing import Any

from django import forms

from cases.models import ExploitationType, RiskLevel
from panels.models import ActionStatus, AttendanceKind, ItemGroup, Panel, PanelReferral
from safeguarding.common.forms import DateField, DateTimeField, GovukFormMixin
from safeguarding.organisations.models import Agency, User


class ChildChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.person.full_name)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        agency = obj.agency
        return f"{obj.get_full_name() or obj.username} ({agency.name if agency else ''})"


RISK_CHOICES = [(v, label) for v, label in RiskLevel.choices if v != RiskLevel.NOT_ASSESSED]


def _text(
    label: str,
    max_length: int,
    *,
    rows: int = 3,
    help_text: str = "",
    required: bool = False,
    what: str = "",
) -> forms.CharField:
    """A GOV.UK textarea with GOV.UK's wording when it is missing or too long."""
    what = what or f"the {label[0].lower() + label[1:]}"
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows, "class": "govuk-textarea"}),
        error_messages={
            "required": f"Enter {what}",
            "max_length": f"{what[0].upper() + what[1:]} must be {max_length:,} characters or fewer",
            "null_characters_not_allowed": f"Remove the hidden characters from {what}",
        },
    )


class PanelReferralForm(GovukFormMixin, forms.Form):
    govuk_what = {"reason": "the reason for the referral"}

    panel = forms.ModelChoiceField(
        queryset=Panel.objects.none(),
        label="Panel",
        empty_label=None,
        error_messages={"required": "Select the panel"},
    )
    reason = forms.CharField(
        label="Why are you referring this child?",
        help_text="What has happened, and what you are worried will happen next.",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5, "class": "govuk-textarea"}),
        error_messages={
            "required": "Enter the reason for the referral",
            "max_length": "The reason must be 4,000 characters or fewer",
        },
    )
    exploitation_types = forms.MultipleChoiceField(
        label="Types of exploitation",
        choices=ExploitationType.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one type of exploitation"},
    )
    current_risk = forms.ChoiceField(
        label="Current level of risk",
        choices=RISK_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the current level of risk"},
    )

    def __init__(self, *args: Any, panels: Any, place_or_group: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if place_or_group:
            self.fields["reason"].label = "Why are you referring this place or group?"
            self.fields[
                "reason"
            ].help_text = (
                "What is happening there, to which children, and what you are worried will happen next."
            )
            self.fields["exploitation_types"].label = "Types of exploitation seen there"
        field = self.fields["panel"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = panels
        field.widget.attrs["class"] = "govuk-select"


class MeetingScheduleForm(GovukFormMixin, forms.Form):
    scheduled_for = DateTimeField(
        label="When is the meeting?", what="the date of the meeting", help_text="For example, 27 3 2027."
    )
    location = forms.CharField(
        label="Where, or how to join",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "govuk-input"}),
        error_messages={"max_length": "The location must be 200 characters or fewer"},
    )


class AgendaAddForm(GovukFormMixin, forms.Form):
    referral = ChildChoiceField(
        queryset=PanelReferral.objects.none(),
        label="Child",
        error_messages={"required": "Select the child to add"},
    )
    group = forms.ChoiceField(label="Group", choices=ItemGroup.choices, initial=ItemGroup.VICTIMS)

    def __init__(self, *args: Any, referrals: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["referral"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = referrals
        field.widget.attrs["class"] = "govuk-select"
        self.fields["group"].widget.attrs["class"] = "govuk-select"


class AttendanceForm(GovukFormMixin, forms.Form):
    govuk_what = {"kind": "whether they are present, observing or sent apologies"}

    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(), label="Agency", error_messages={"required": "Select the agency"}
    )
    name = forms.CharField(
        label="Name",
        max_length=160,
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-!-width-two-thirds"}),
        error_messages={
            "required": "Enter the attendee's name",
            "max_length": "The name must be 160 characters or fewer",
        },
    )
    role = forms.CharField(
        label="Role",
        required=False,
        max_length=120,
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-!-width-two-thirds"}),
    )
    kind = forms.ChoiceField(
        label="Attendance",
        choices=AttendanceKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether they are present, observing or sent apologies"},
    )
    confidentiality_signed = forms.BooleanField(
        label="An observer has signed the confidentiality statement", required=False
    )
    information_sent = forms.BooleanField(
        label="Apologies: information was sent to the panel", required=False
    )

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = agencies
        field.widget.attrs["class"] = "govuk-select"


class ItemRecordForm(GovukFormMixin, forms.Form):
    discussion = _text("Discussion", 20_000, rows=5)
    decision = _text("Decision", 4000)
    plan_aims = _text(
        "Plan: aims",
        4000,
        what="the plan's aims",
        help_text="What must change for this child to be safer. Keep it short: the plan goes to every member.",
    )
    # Needed before the plan is sent, not to save the discussion.
    review_date = DateField(
        what="the review date",
        label="Review date",
        help_text="At most 12 weeks after the meeting. For example, 27 3 2027.",
        required=False,
    )


class ActionForm(GovukFormMixin, forms.Form):
    description = forms.CharField(
        label="Action",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "govuk-textarea"}),
        error_messages={"required": "Enter the action"},
    )
    owner_agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        label="Owning agency",
        help_text="Leave blank if you name the owner: their agency owns the action.",
        required=False,
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label="Named owner",
        required=False,
        help_text="Leave blank for the agency's duty team.",
    )
    # Every action has a due date (it is a clock): the service refuses one without.
    due_date = DateField(
        what="the date the action is due", label="Due date", help_text="For example, 27 3 2027."
    )

    def __init__(self, *args: Any, agencies: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (("owner_agency", agencies), ("owner", people)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset
            field.widget.attrs["class"] = "govuk-select"


class ActionCloseForm(GovukFormMixin, forms.Form):
    govuk_what = {"status": "how the action was closed"}

    status = forms.ChoiceField(
        label="How was it closed?",
        choices=[(v, label) for v, label in ActionStatus.choices if v != ActionStatus.OPEN],
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the action was closed"},
    )
    note = forms.CharField(
        label="Note",
        help_text="Needed when the action was not done.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "govuk-textarea"}),
    )


class ActionDoneForm(GovukFormMixin, forms.Form):
    note = forms.CharField(
        label="What was done",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "govuk-textarea"}),
    )


class MinutesForm(GovukFormMixin, forms.Form):
    minutes = forms.CharField(
        label="Minutes of the meeting",
        required=False,
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 12, "class": "govuk-textarea"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class AmendmentForm(GovukFormMixin, forms.Form):
    govuk_what = {"minutes": "the minutes"}

    minutes = forms.CharField(
        label="Minutes, as amended",
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 12, "class": "govuk-textarea"}),
        error_messages={"required": "Enter the minutes"},
    )
    reason = forms.CharField(
        label="Reason for the amendment",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "govuk-textarea"}),
        error_messages={"required": "Enter the reason for the amendment"},
    )


class ReferralCloseForm(GovukFormMixin, forms.Form):
    outcome = forms.CharField(
        label="Outcome",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "govuk-textarea"}),
        error_messages={"required": "Enter the outcome"},
    )


class AssessmentForm(GovukFormMixin, forms.Form):
    """One radio question per indicator of the instrument (how recently it was seen), then the evidence and
    the professional judgement, kept apart, and the danger statement and safety goal."""

    evidence = _text(
        "Evidence", 10_000, rows=4, help_text="What is known, and from whom: facts and their sources."
    )
    professional_judgement = _text(
        "Professional judgement", 10_000, rows=4, help_text="What the panel makes of the evidence."
    )
    danger_statement = _text(
        "Danger statement", 4000, help_text="What the panel is worried will happen if nothing changes."
    )
    safety_goal = _text(
        "Safety goal", 4000, help_text="What the child's life will look like when they are safe enough."
    )

    def __init__(self, *args: Any, definition: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        windows = [(w["code"], w["label"]) for w in definition["windows"]]
        self.indicator_names = []
        for indicator in definition["indicators"]:
            name = f"indicator_{indicator['code']}"
            label = indicator["label"] + (" (significant)" if indicator["significant"] else "")
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=windows,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": f"Select how recently this was seen: {indicator['label']}"},
            )
            self.indicator_names.append(name)
        # Indicators first, in the instrument's order.
        self.order_fields(self.indicator_names)

    def answers(self) -> dict[str, str]:
        return {
            name.removeprefix("indicator_"): self.cleaned_data[name]
            for name in self.indicator_names
            if self.cleaned_data.get(name)
        }

    def indicator_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.indicator_names]
