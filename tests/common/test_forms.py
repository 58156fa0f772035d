"""The GOV.UK date-and-time field and the helper that shows a service's refusal as form errors."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.core.exceptions import ValidationError

from safeguarding.common.errors import ApplicationError
from safeguarding.common.forms import DateTimeField, form_errors_from

LONDON = ZoneInfo("Europe/London")


class MomentForm(forms.Form):
    received_at = DateTimeField(
        label="When did the MASH receive it?",
        help_text="For example, 27 3 2026.",
        what="the date it was received",
        time_label="Time received",
    )
    note = forms.CharField(required=False)


def posted(day: str = "27", month: str = "3", year: str = "2026", time: str = "14:30") -> dict[str, str]:
    return {
        "received_at_day": day,
        "received_at_month": month,
        "received_at_year": year,
        "received_at_time": time,
    }


def test_a_real_moment_cleans_to_an_aware_london_datetime() -> None:
    form = MomentForm(posted(day="1", month="7", time="9.05"))
    assert form.is_valid(), form.errors
    moment = form.cleaned_data["received_at"]
    assert moment == datetime(2026, 7, 1, 9, 5, tzinfo=LONDON)
    # British Summer Time: 09:05 in London is 08:05 UTC.
    assert moment.utcoffset().total_seconds() == 3600


def test_a_winter_moment_is_greenwich_time() -> None:
    form = MomentForm(posted(day="15", month="1", time="23:59"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["received_at"].utcoffset().total_seconds() == 0


@pytest.mark.parametrize(
    ("data", "message", "target"),
    [
        pytest.param(
            posted(day="", month="", year="", time=""),
            "Enter the date it was received, including a day, month and year",
            "id_received_at_day",
            id="nothing-entered",
        ),
        pytest.param(
            posted(month=""),
            "Enter the date it was received, including a day, month and year",
            "id_received_at_month",
            id="no-month",
        ),
        pytest.param(
            posted(day="", year=""),
            "Enter the date it was received, including a day, month and year",
            "id_received_at_day",
            id="no-day-or-year",
        ),
        pytest.param(
            posted(day="31", month="2"),
            "The date it was received must be a real date, for example 27 3 2026",
            "id_received_at_day",
            id="impossible-date",
        ),
        pytest.param(
            posted(month="13"),
            "The date it was received must be a real date, for example 27 3 2026",
            "id_received_at_day",
            id="month-13",
        ),
        pytest.param(
            posted(day="first"),
            "The date it was received must be a real date, for example 27 3 2026",
            "id_received_at_day",
            id="not-numbers",
        ),
        pytest.param(
            posted(year="26"), "Year must include 4 numbers", "id_received_at_year", id="two-digit-year"
        ),
        pytest.param(
            posted(time=""),
            "Enter the time in hours and minutes, for example 14:30",
            "id_received_at_time",
            id="no-time",
        ),
        pytest.param(
            posted(time="2pm"),
            "Enter the time in the 24-hour format, for example 14:30",
            "id_received_at_time",
            id="not-24-hour",
        ),
        pytest.param(
            posted(time="25:00"),
            "Enter a real time in hours and minutes, for example 14:30",
            "id_received_at_time",
            id="no-such-hour",
        ),
        pytest.param(
            posted(time="12:60"),
            "Enter a real time in hours and minutes, for example 14:30",
            "id_received_at_time",
            id="no-such-minute",
        ),
    ],
)
def test_each_mistake_has_its_message_and_links_to_the_part_in_error(
    data: dict[str, str], message: str, target: str
) -> None:
    form = MomentForm(data)
    assert not form.is_valid()
    assert form.errors["received_at"] == [message]
    bound = form["received_at"]
    assert f"#{bound.id_for_label}" == f"#{target}"
    is_time = target.endswith("_time")
    assert (bound.time_errors, bound.date_errors) == (([message], []) if is_time else ([], [message]))


def test_only_the_missing_parts_are_highlighted() -> None:
    form = MomentForm(posted(month="", year=""))
    assert not form.is_valid()
    highlighted = {part["label"]: part["has_error"] for part in form["received_at"].date_inputs}
    assert highlighted == {"Day": False, "Month": True, "Year": True}
    assert form["received_at"].time_input["has_error"] is False


def test_the_future_is_the_services_rule_not_the_fields() -> None:
    form = MomentForm(posted(year="2999"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["received_at"].year == 2999


def test_an_optional_field_left_blank_is_none() -> None:
    class OptionalForm(forms.Form):
        seen_at = DateTimeField(label="When?", what="the date seen", required=False)

    form = OptionalForm({"seen_at_day": "", "seen_at_month": "", "seen_at_year": "", "seen_at_time": ""})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["seen_at"] is None


def test_the_parts_post_and_render_under_their_own_names() -> None:
    initial = datetime(2026, 3, 27, 14, 30, tzinfo=LONDON)
    bound = MomentForm(initial={"received_at": initial})["received_at"]
    inputs = [part["widget"] for part in bound.date_inputs] + [bound.time_input["widget"]]
    assert [(widget["name"], widget["attrs"]["id"], widget["value"]) for widget in inputs] == [
        ("received_at_day", "id_received_at_day", "27"),
        ("received_at_month", "id_received_at_month", "3"),
        ("received_at_year", "id_received_at_year", "2026"),
        ("received_at_time", "id_received_at_time", "14:30"),
    ]
    assert all(widget["attrs"]["inputmode"] == "numeric" for widget in inputs[:3])
    assert "govuk-date-input__input" in inputs[0]["attrs"]["class"]


def test_what_was_typed_is_shown_again_after_an_error() -> None:
    bound = MomentForm(posted(day="31", month="2"))["received_at"]
    assert [part["widget"]["value"] for part in bound.date_inputs] == ["31", "2", "2026"]


# --- form_errors_from ----------------------------------------------------------------------------------------


def _valid_form() -> MomentForm:
    form = MomentForm(posted())
    assert form.is_valid()
    return form


def test_a_validation_error_on_a_field_goes_on_that_field() -> None:
    form = _valid_form()
    form_errors_from(form, ValidationError({"received_at": ["The time received must be now or in the past"]}))
    assert form.errors == {"received_at": ["The time received must be now or in the past"]}
    # A refusal of the moment as a whole is about the date: its link goes to the day.
    assert form["received_at"].id_for_label == "id_received_at_day"


def test_a_field_the_form_lacks_goes_on_another_form_that_has_it_or_the_form_as_a_whole() -> None:
    form = _valid_form()

    class PersonForm(forms.Form):
        given_name = forms.CharField()

    person_form = PersonForm({"given_name": "Kai"})
    assert person_form.is_valid()
    form_errors_from(
        form,
        ValidationError({"given_name": ["Enter a first name"], "case": ["No case"]}),
        also=(person_form, None),
    )
    assert person_form.errors == {"given_name": ["Enter a first name"]}
    assert form.non_field_errors() == ["No case"]


@pytest.mark.parametrize(
    "error",
    [ApplicationError("This referral has been decided."), ValidationError("This referral has been decided.")],
    ids=["application-error", "validation-error-without-fields"],
)
def test_an_error_about_no_field_is_a_non_field_error(error: Any) -> None:
    form = _valid_form()
    form_errors_from(form, error)
    assert form.non_field_errors() == ["This referral has been decided."]
