"""The missing pages' forms. They check the shape of what was typed (every date through the GOV.UK date
questions); the services decide whether it may be recorded, and their refusals come back as field errors."""

import uuid
from typing import Any

from django import forms

from cases.missing.models import (
    MAX_EXPLOITATION_INDICATORS,
    ExploitationIndicator,
    MissingFrom,
    RhiOutcome,
    RiskGrade,
)
from cases.missing.services import (
    EpisodeReport,
    Part2Details,
    ProfileDetails,
    ReturnDetails,
    RhiOutcomeDetails,
)
from safeguarding.common.forms import DateField, DateTimeField, GovukFormMixin, govuk_what
from safeguarding.organisations.models import Agency
from safeguarding.people.models import Person

YES_NO = [("yes", "Yes"), ("no", "No")]
RECORDED_OUTCOMES = [(o.value, o.label) for o in RhiOutcome if o != RhiOutcome.MISSING_AGAIN]


def text(
    label: str,
    *,
    max_length: int,
    required: str = "",
    help_text: str = "",
    rows: int = 0,
    what: str = "",
) -> forms.CharField:
    """A text question: a textarea with `rows`, else a one-line input. `required` is the GOV.UK message asking
    for it; without one the question is optional. `what` names the answer in messages ("the place they were
    last seen"): a question's label cannot, so a question needs one."""
    assert what or not label.endswith("?"), f"{label!r} needs a `what` to name it in messages"
    widget: forms.Widget = (
        forms.Textarea(attrs={"class": "govuk-textarea", "rows": rows})
        if rows
        else forms.TextInput(attrs={"class": "govuk-input"})
    )
    name = what or govuk_what(label)
    subject = what[:1].upper() + what[1:] if what else label
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=max_length,
        required=bool(required),
        widget=widget,
        error_messages={
            "required": required or f"Enter {name}",
            "max_length": f"{subject} must be {max_length:,} characters or fewer",
            "null_characters_not_allowed": f"Remove the hidden characters from {name}",
        },
    )


class VersionedForm(GovukFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ReportForm(GovukFormMixin, forms.Form):
    reported_by_name = text(
        "Who reported them missing?",
        max_length=200,
        what="the name of the person who reported them",
        help_text="A name and how they know the child, for example 'Mother' or 'Night worker, Oak House'.",
    )
    reported_by_agency = forms.ModelChoiceField(
        label="Agency that reported them",
        queryset=Agency.objects.none(),
        required=False,
        empty_label="Not an agency",
        error_messages={"invalid_choice": "Select an agency from the list"},
    )
    reported_at = DateTimeField(
        what="the date they were reported missing",
        label="When were they reported missing?",
        help_text="For example, 27 3 2026.",
    )
    police_reference = text(
        "Police reference", max_length=50, help_text="The missing person report's number."
    )
    missing_from = forms.ChoiceField(
        label="Where did they go missing from?",
        choices=MissingFrom.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select where they went missing from",
            "invalid_choice": "Select where they went missing from",
        },
    )
    last_seen_at = DateTimeField(what="the date they were last seen", label="When were they last seen?")
    last_seen_where = text(
        "Where were they last seen?",
        max_length=300,
        required="Enter where they were last seen",
        what="the place they were last seen",
    )
    last_seen_by = text("Who saw them last?", max_length=200, what="the name of the person who saw them last")
    risk_grade = forms.ChoiceField(
        label="Risk grade",
        help_text="As the police graded it, or your own grading until they do.",
        choices=RiskGrade.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the risk grade"},
    )
    risk_basis = text(
        "What is the risk grade based on?",
        max_length=2000,
        rows=4,
        required="Enter what the risk grade is based on",
        what="the basis for the risk grade",
    )

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reported_by_agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Agency.objects.filter(local_authority_id=person.local_authority_id).order_by("name")

    def report(self) -> EpisodeReport:
        data = self.cleaned_data
        return EpisodeReport(
            reported_at=data["reported_at"],
            missing_from=data["missing_from"],
            last_seen_at=data["last_seen_at"],
            last_seen_where=data["last_seen_where"],
            risk_grade=data["risk_grade"],
            risk_basis=data["risk_basis"],
            reported_by_name=data["reported_by_name"],
            reported_by_agency=data["reported_by_agency"],
            police_reference=data["police_reference"],
            last_seen_by=data["last_seen_by"],
        )


class ReturnForm(VersionedForm):
    found_at = DateTimeField(
        what="the date they were found",
        label="When were they found, or when did they come back?",
        help_text="When it happened, not now: the return home interview's 72 hours count from then.",
    )
    found_where = text(
        "Where were they found?",
        max_length=300,
        required="Enter where they were found",
        what="the place they were found",
    )
    found_by = text(
        "Who found them or brought them back?",
        max_length=200,
        help_text="For example 'Police' or 'Came back on their own'.",
        required="Enter who found them or brought them back, or that they came back on their own",
        what="who found them or brought them back",
    )
    safe_and_well_done = forms.ChoiceField(
        label="Have the police done their safe and well check?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether the police safe and well check has been done",
            "invalid_choice": "Select whether the police safe and well check has been done",
        },
    )
    safe_and_well_at = DateTimeField(
        what="the date the safe and well check was done",
        label="When was the safe and well check done?",
        help_text="Leave blank if it has not been done.",
        required=False,
    )
    harm_suffered = text("Harm they suffered while missing", max_length=4000, rows=4)
    exploitation_indicators = forms.MultipleChoiceField(
        label="Signs of exploitation",
        help_text="Select all that apply.",
        choices=ExploitationIndicator.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select the signs of exploitation from the list"},
    )

    def clean_exploitation_indicators(self) -> list[str]:
        chosen: list[str] = self.cleaned_data["exploitation_indicators"]
        if len(chosen) > MAX_EXPLOITATION_INDICATORS:
            raise forms.ValidationError(f"Select no more than {MAX_EXPLOITATION_INDICATORS} signs")
        return chosen

    def details(self) -> ReturnDetails:
        data = self.cleaned_data
        return ReturnDetails(
            found_at=data["found_at"],
            found_where=data["found_where"],
            found_by=data["found_by"],
            safe_and_well_done=data["safe_and_well_done"] == "yes",
            safe_and_well_at=data["safe_and_well_at"],
            harm_suffered=data["harm_suffered"],
            exploitation_indicators=tuple(data["exploitation_indicators"]),
        )


class RhiOutcomeForm(VersionedForm):
    outcome = forms.ChoiceField(
        label="What happened with the return home interview?",
        choices=RECORDED_OUTCOMES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what happened with the return home interview",
            "invalid_choice": "Select what happened with the return home interview",
        },
    )
    outcome_at = DateTimeField(
        what="the date of the interview, refusal or decision",
        label="When was the interview held, or when did the child refuse?",
        help_text="For a decision not to hold one, leave blank to record it as decided now.",
        required=False,
    )
    held_by = text("Name of the person who held it", max_length=200)
    held_by_role = text(
        "Their role and organisation",
        max_length=200,
        help_text="For example 'Missing outreach worker, Safe Steps'.",
    )
    independent = forms.MultipleChoiceField(
        label="Independence",
        choices=[
            (
                "yes",
                "They are independent of the child's care: not their social worker, carer or anyone involved in their care",
            )
        ],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages=dict.fromkeys(
            ("invalid_choice", "invalid_list"), "Select whether they are independent of the child's care"
        ),
    )
    summary = text("Summary of what the child said", max_length=4000, rows=5)
    reason = text(
        "Why the child refused, or why it was decided not to hold one",
        max_length=2000,
        rows=4,
        what="the reason",
    )

    def details(self) -> RhiOutcomeDetails:
        data = self.cleaned_data
        return RhiOutcomeDetails(
            outcome=data["outcome"],
            outcome_at=data["outcome_at"],
            held_by=data["held_by"],
            held_by_role=data["held_by_role"],
            independent="yes" in data["independent"],
            summary=data["summary"],
            reason=data["reason"],
        )


class RiskGradeForm(GovukFormMixin, forms.Form):
    grade = forms.ChoiceField(
        label="Risk grade",
        choices=RiskGrade.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the risk grade"},
    )
    assessed_at = DateTimeField(what="the date the risk was assessed", label="When was the risk assessed?")
    basis = text(
        "What is the grade based on?",
        max_length=2000,
        rows=4,
        required="Enter what the risk grade is based on",
        what="the basis for the risk grade",
    )


class Part2Form(VersionedForm):
    clothing = text("What were they wearing?", max_length=2000, rows=3, what="what they were wearing")
    appearance_now = text(
        "How do they look now, if different from the profile?",
        max_length=2000,
        rows=3,
        what="how they look now",
        help_text="Hair, a new injury or tattoo, anything that has changed since Part 1.",
    )
    belongings = text(
        "What do they have with them?",
        max_length=2000,
        rows=3,
        help_text="Phone, money, a bag, a bike.",
        what="what they have with them",
    )
    circumstances = text(
        "Circumstances of going missing",
        max_length=4000,
        rows=4,
        help_text="What happened before they went, who they were with, where they might go.",
    )
    anything_new = text(
        "Anything new since the Philomena profile",
        max_length=4000,
        rows=4,
        what="anything new since the Philomena profile",
        help_text="New friends, phone numbers, social media, places.",
    )

    def details(self) -> Part2Details:
        data = self.cleaned_data
        return Part2Details(**{name: data[name] for name in Part2Details.__dataclass_fields__})


class ProfileForm(GovukFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
    description = text(
        "Description", max_length=4000, rows=4, help_text="Height, build, hair, skin, distinguishing marks."
    )
    photo_reference = text(
        "Where a recent photo is held",
        max_length=300,
        help_text="The system or file that holds it, and its reference.",
    )
    photo_taken_on = DateField(
        what="the date the photo was taken", label="When was the photo taken?", required=False
    )
    associates = text("Associates", max_length=4000, rows=4, help_text="Friends, adults of concern, family.")
    associate_links = forms.MultipleChoiceField(
        label="Links from their network",
        help_text="The people, places and groups in their network that the police should know of.",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select links from the child's network"},
    )
    addresses_and_places = text(
        "Addresses and places they go", max_length=4000, rows=4, help_text="Family, friends, hotspots."
    )
    phones_and_social_media = text("Phones and social media", max_length=2000, rows=3)
    medical_needs = text(
        "Medical needs", max_length=2000, rows=3, help_text="Conditions, medication, allergies."
    )
    transport = text(
        "Transport",
        max_length=2000,
        rows=3,
        help_text="How they get about: bus routes, a bike, a travel card.",
    )
    current_carer = text("Current carer", max_length=200)
    current_placement = text("Current placement or home", max_length=300)
    carer_changed_on = DateField(
        what="the date the carer changed",
        label="If the carer or placement has changed, since when?",
        help_text="Leave blank for today.",
        required=False,
    )
    next_review_on = DateField(
        what="the date of the next review",
        label="Next review",
        help_text="Six months from now unless there is a reason to review sooner.",
    )
    reviewed = forms.MultipleChoiceField(
        label="Review",
        choices=[("yes", "I have reviewed the whole profile with the child's carer")],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages=dict.fromkeys(
            ("invalid_choice", "invalid_list"),
            "Select whether you have reviewed the whole profile with the child's carer",
        ),
    )

    def __init__(self, *args: Any, link_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        """`link_choices`: (link id, how the reader may see it) for the child's network links."""
        super().__init__(*args, **kwargs)
        field = self.fields["associate_links"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = link_choices

    def details(self) -> ProfileDetails:
        data = self.cleaned_data
        return ProfileDetails(
            next_review_on=data["next_review_on"],
            description=data["description"],
            photo_reference=data["photo_reference"],
            photo_taken_on=data["photo_taken_on"],
            associates=data["associates"],
            associate_link_ids=tuple(uuid.UUID(value) for value in data["associate_links"]),
            addresses_and_places=data["addresses_and_places"],
            phones_and_social_media=data["phones_and_social_media"],
            medical_needs=data["medical_needs"],
            transport=data["transport"],
            current_carer=data["current_carer"],
            current_placement=data["current_placement"],
            carer_changed_on=data["carer_changed_on"],
            reviewed="yes" in data["reviewed"],
        )
