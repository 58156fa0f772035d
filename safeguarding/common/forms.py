"""Form pieces every app's pages share: the GOV.UK date-and-time and date questions, GOV.UK wording for
every field's own checks (GovukFormMixin), and the one way a service's refusal becomes form errors (so it
shows in the same error summary as the form's own checks)."""

import re
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseForm, BoundField
from django.forms.utils import pretty_name
from django.utils import timezone

from safeguarding.common.errors import ApplicationError

DATE_PARTS = ("day", "month", "year")
PARTS = (*DATE_PARTS, "time")
TIME_PATTERN = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


def _date_error(
    message: str, *, part: str, code: str, highlight: tuple[str, ...] | None = None
) -> ValidationError:
    """An error that names the part its summary link focuses and the parts to highlight."""
    params: dict[str, Any] = {"part": part}
    if highlight is not None:
        params["highlight"] = highlight
    return ValidationError(message, code=code, params=params)


# No record here is about anything before this: an earlier date is a typing mistake (1907 for 2007).
EARLIEST_YEAR = 1900


def _real_date(day: str, month: str, year: str, what: str) -> date:
    """The date the three parts name, or GOV.UK's message for the mistake."""
    real_date = f"{what.capitalize()} must be a real date, for example 27 3 2026"
    if not (day.isdigit() and month.isdigit() and year.isdigit()):
        raise _date_error(real_date, part="day", code="invalid_date")
    if len(year) != 4:
        raise _date_error(
            "Year must include 4 numbers", part="year", code="invalid_year", highlight=("year",)
        )
    try:
        entered = date(int(year), int(month), int(day))
    except ValueError as error:
        raise _date_error(real_date, part="day", code="invalid_date") from error
    if entered.year < EARLIEST_YEAR:
        raise _date_error(
            f"{what.capitalize()} must be after 1 January {EARLIEST_YEAR}",
            part="year",
            code="too_early",
            highlight=("year",),
        )
    return entered


def _missing_date_parts(day: str, month: str, year: str) -> list[str]:
    return [part for part, text in zip(DATE_PARTS, (day, month, year), strict=True) if not text]


def _date_part_inputs() -> dict[str, forms.TextInput]:
    def date_input(width: int) -> forms.TextInput:
        return forms.TextInput(
            attrs={
                "class": f"govuk-input govuk-date-input__input govuk-input--width-{width}",
                "inputmode": "numeric",
            }
        )

    return {"day": date_input(2), "month": date_input(2), "year": date_input(4)}


class DateTimeWidget(forms.MultiWidget):
    """Day, month and year (GOV.UK date input) and a 24-hour time. Given as a dict, the parts post as
    `<name>_day`, `<name>_month`, `<name>_year` and `<name>_time`. Pages draw it with
    templates/includes/date_time_field.html, which adds the fieldset, labels, hints and errors."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            **_date_part_inputs(),
            "time": forms.TextInput(
                attrs={"class": "govuk-input govuk-input--width-5", "autocomplete": "off"}
            ),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value: datetime | None) -> list[str | None]:
        if value is None:
            return [None, None, None, None]
        local = timezone.localtime(value)
        return [str(local.day), str(local.month), str(local.year), local.strftime("%H:%M")]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        # Ids that match the names (id_received_at_day rather than Django's id_received_at_0), so an error
        # summary link can name the part in error and tests can find it.
        base_id = context["widget"]["attrs"].get("id")
        for subwidget, part in zip(context["widget"]["subwidgets"], PARTS, strict=True):
            if base_id:
                subwidget["attrs"]["id"] = f"{base_id}_{part}"
        return context


class DateTimeBoundField(BoundField):
    """What templates/includes/date_time_field.html draws: the date parts in a fieldset, the time on its own,
    each with its own errors. An error is about the part named in its params (day when a service refused
    the moment as a whole), and the error summary's link moves focus to that part."""

    def _error_parts(self) -> list[tuple[str, tuple[str, ...], str]]:
        """(part to link to, parts to highlight, message) for each error."""
        found: list[tuple[str, tuple[str, ...], str]] = []
        for error in self.errors.as_data():
            params = error.params or {}
            part = params.get("part", "day")
            highlight = params.get("highlight", (part,) if part == "time" else DATE_PARTS)
            found.extend((part, highlight, message) for message in error.messages)
        return found

    @property
    def date_errors(self) -> list[str]:
        return [message for part, _, message in self._error_parts() if part != "time"]

    @property
    def time_errors(self) -> list[str]:
        return [message for part, _, message in self._error_parts() if part == "time"]

    @property
    def id_for_label(self) -> str:
        parts = self._error_parts()
        return f"{self.auto_id}_{parts[0][0] if parts else 'day'}"

    @cached_property
    def _subwidgets(self) -> list[dict[str, Any]]:
        widget = self.field.widget
        attrs = {"id": self.auto_id} if self.auto_id else {}
        context = widget.get_context(self.html_name, self.value(), attrs)
        subwidgets: list[dict[str, Any]] = context["widget"]["subwidgets"]
        return subwidgets

    @property
    def date_inputs(self) -> list[dict[str, Any]]:
        """Each date part's input and label, and whether to style it as in error: GOV.UK highlights only the
        parts an error is about (the missing month), or the date as a whole."""
        highlighted = {part for _, parts, _ in self._error_parts() for part in parts}
        return [
            {"widget": subwidget, "label": part.capitalize(), "has_error": part in highlighted}
            for part, subwidget in zip(DATE_PARTS, self._subwidgets, strict=False)
        ]

    @property
    def time_input(self) -> dict[str, Any]:
        field = self.field
        assert isinstance(field, DateTimeField)
        return {
            "widget": self._subwidgets[3],
            "label": field.time_label,
            "hint": field.time_hint,
            "has_error": bool(self.time_errors),
        }


class DateTimeField(forms.MultiValueField):
    """One moment entered as a GOV.UK date input and a 24-hour time, cleaned to an aware datetime in the
    current time zone (Europe/London). It checks only that the moment is real; whether it may be in the
    future, or before some other event, is the services' rule.

    `label` is the question (the fieldset's legend), `help_text` its hint, and `what` names the moment in
    error messages, as GOV.UK's wording asks ("Enter the date it was received…")."""

    widget = DateTimeWidget
    bound_field_class = DateTimeBoundField
    time_hint = "Use the 24-hour clock, for example 14:30."

    def __init__(self, *, what: str, time_label: str = "Time", **kwargs: Any) -> None:
        self.what = what
        self.time_label = time_label
        # The part fields are MultiValueField's bookkeeping (has_changed); clean() below reads the parts
        # itself, so each mistake gets GOV.UK's message rather than Django's "Enter a complete value".
        parts = [forms.CharField(required=False) for _ in PARTS]
        super().__init__(fields=parts, require_all_fields=False, **kwargs)

    @staticmethod
    def _texts(value: Any) -> list[str]:
        values = list(value) if isinstance(value, (list, tuple)) else []
        values += [None] * (4 - len(values))
        return [str(part or "").strip() for part in values[:4]]

    _error = staticmethod(_date_error)

    def clean(self, value: Any) -> datetime | None:
        day, month, year, time_text = self._texts(value)
        what = self.what
        # One message whether nothing or only part of the date was entered: the pages and their tests have
        # always said it this way. The link and the highlight still go to the parts that are missing.
        missing = _missing_date_parts(day, month, year)
        if len(missing) == len(DATE_PARTS) and not time_text and not self.required:
            return None
        if missing:
            raise self._error(
                f"Enter {what}, including a day, month and year",
                part=missing[0],
                code="required" if len(missing) == len(DATE_PARTS) else "incomplete",
                highlight=tuple(missing),
            )
        day_entered = _real_date(day, month, year, what)
        if not time_text:
            raise self._error(
                "Enter the time in hours and minutes, for example 14:30", part="time", code="required_time"
            )
        match = TIME_PATTERN.match(time_text)
        if match is None:
            raise self._error(
                "Enter the time in the 24-hour format, for example 14:30", part="time", code="invalid_time"
            )
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour > 23 or minute > 59:
            raise self._error(
                "Enter a real time in hours and minutes, for example 14:30", part="time", code="invalid_time"
            )
        naive = datetime(day_entered.year, day_entered.month, day_entered.day, hour, minute)
        moment = timezone.make_aware(naive, timezone.get_current_timezone())
        self.run_validators(moment)
        return moment


class DateWidget(forms.MultiWidget):
    """Day, month and year: the GOV.UK date input. Given as a dict, the parts post as `<name>_day`,
    `<name>_month` and `<name>_year`. Pages draw it with templates/includes/date_field.html."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {**_date_part_inputs()}
        super().__init__(widgets, attrs)

    def decompress(self, value: date | None) -> list[str | None]:
        if value is None:
            return [None, None, None]
        return [str(value.day), str(value.month), str(value.year)]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        base_id = context["widget"]["attrs"].get("id")
        for subwidget, part in zip(context["widget"]["subwidgets"], DATE_PARTS, strict=True):
            if base_id:
                subwidget["attrs"]["id"] = f"{base_id}_{part}"
        return context


class DateField(forms.MultiValueField):
    """A date entered as a GOV.UK date input (day, month, year), cleaned to a `date`. Dates before 1900 are
    refused as mistakes; whether a date may be in the future, or before some other date, is the services'
    (or the form's) rule. `what` names the date in messages: "Enter the date they were found"."""

    widget = DateWidget
    bound_field_class = DateTimeBoundField

    def __init__(self, *, what: str, **kwargs: Any) -> None:
        self.what = what
        parts = [forms.CharField(required=False) for _ in DATE_PARTS]
        super().__init__(fields=parts, require_all_fields=False, **kwargs)

    def clean(self, value: Any) -> date | None:
        values = list(value) if isinstance(value, (list, tuple)) else []
        values += [None] * (3 - len(values))
        day, month, year = (str(part or "").strip() for part in values[:3])
        missing = _missing_date_parts(day, month, year)
        if len(missing) == len(DATE_PARTS) and not self.required:
            return None
        if missing:
            raise _date_error(
                f"Enter {self.what}, including a day, month and year",
                part=missing[0],
                code="required" if len(missing) == len(DATE_PARTS) else "incomplete",
                highlight=tuple(missing),
            )
        entered = _real_date(day, month, year, self.what)
        self.run_validators(entered)
        return entered


def form_errors_from(
    form: BaseForm, error: ValidationError | ApplicationError, *, also: tuple[BaseForm | None, ...] = ()
) -> None:
    """A service's refusal in the form's error summary. A ValidationError's field goes on the form field of
    that name (or on one of the `also` forms that has it, such as the new-person form beside a referral),
    so the summary links to its input; anything else, and an ApplicationError, is a non-field error."""
    if isinstance(error, ApplicationError):
        form.add_error(None, error.message)
        return
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for name, messages in error.message_dict.items():
        target = next(
            (candidate for candidate in (form, *also) if candidate is not None and name in candidate.fields),
            None,
        )
        for message in messages:
            if target is None:
                form.add_error(None, message)
            else:
                target.add_error(name, message)


# --- GOV.UK wording for every field's own checks -------------------------------------------------------------

# Shown when a hidden field (a version, an idempotency key) is missing or mangled: nothing the user typed is
# wrong, so the message says what to do rather than naming a field they cannot see.
HIDDEN_FIELD_MESSAGE = "The form was out of date or incomplete. Reload the page and try again"

_CHOICE_FIELDS = (forms.ChoiceField, forms.ModelChoiceField, forms.BooleanField, forms.NullBooleanField)
_NUMBER_FIELDS = (forms.IntegerField, forms.FloatField, forms.DecimalField)
_LIST_CODES = ("invalid_choice", "invalid_list", "invalid_pk_value")


def _django_default_messages(field: forms.Field) -> dict[str, Any]:
    """The messages Django's own field classes give this field when a form words none (as Field.__init__
    gathers them)."""
    messages: dict[str, Any] = {}
    for klass in reversed(type(field).__mro__):
        messages.update(getattr(klass, "default_error_messages", {}))
    return messages


def govuk_what(label: str) -> str:
    """What a field asks for, as a message names it: "Risk level" is "the risk level", "NHS number" "the NHS
    number", "Your agency's answer" stays as it is."""
    text = label.strip().removesuffix("(optional)").strip().rstrip(":").strip()
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        text = text[0].lower() + text[1:]
    if not text.startswith(
        ("the ", "your ", "a ", "an ", "their ", "who ", "what ", "which ", "why ", "how ", "where ", "when ")
    ):
        text = f"the {text}"
    return text


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def govuk_field_messages(field: forms.Field, *, what: str) -> dict[str, str]:
    """GOV.UK's messages for what can be wrong with one field, naming it as `what` ("the risk level"):
    "Enter…" for what is typed, "Select…" for what is chosen, and the limits in words."""
    if field.widget.is_hidden:
        return dict.fromkeys(
            ("required", "invalid", *_LIST_CODES, "max_length", "min_length", "min_value", "max_value"),
            HIDDEN_FIELD_MESSAGE,
        )
    what_capitalised = _capitalised(what)
    messages: dict[str, str] = {}
    if isinstance(field, _CHOICE_FIELDS):
        messages["required"] = f"Select {what}"
        # GOV.UK's wording, not SQL.
        messages.update(dict.fromkeys(_LIST_CODES, f"Select {what} from the list"))  # noqa: S608
        return messages
    messages["required"] = f"Enter {what}"
    messages["null_characters_not_allowed"] = f"Remove the hidden characters from {what}"
    if isinstance(field, _NUMBER_FIELDS):
        messages["invalid"] = f"{what_capitalised} must be a number"
        if field.min_value is not None:
            messages["min_value"] = f"{what_capitalised} must be {field.min_value} or more"
        if field.max_value is not None:
            messages["max_value"] = f"{what_capitalised} must be {field.max_value} or less"
        if field.step_size is not None:
            messages["step_size"] = f"{what_capitalised} must be a multiple of {field.step_size}"
    elif isinstance(field, forms.EmailField):
        messages["invalid"] = "Enter an email address in the correct format, like name@example.com"
    else:
        messages["invalid"] = f"Enter {what} in the correct format"
    if isinstance(field, forms.CharField):
        if field.max_length is not None:
            messages["max_length"] = (
                f"{what_capitalised} must be {int(field.max_length):,} characters or fewer"
            )
        if field.min_length is not None:
            messages["min_length"] = (
                f"{what_capitalised} must be {int(field.min_length):,} characters or more"
            )
    return messages


def govuk_error_messages(field: forms.Field, *, what: str) -> None:
    """Give the field GOV.UK's wording wherever it would otherwise show one of Django's own messages ("This
    field is required.", "Select a valid choice…", "Ensure this value has at most…"). A message the form
    words itself is kept; the date questions word all of theirs."""
    if isinstance(field, (DateField, DateTimeField)):
        return
    defaults = _django_default_messages(field)
    for code, message in govuk_field_messages(field, what=what).items():
        current = field.error_messages.get(code)
        if current is None or (code in defaults and current == defaults[code]):
            field.error_messages[code] = message


class GovukFormMixin:
    """Mix into a Form or ModelForm (before it) so no Django default message reaches the user: each field's
    unworded checks get GOV.UK's wording, naming the field by `govuk_what[name]` or, failing that, by its
    label. Applied when the form is cleaned, so a field a form adds or relabels in its `__init__` is worded
    too."""

    govuk_what: ClassVar[dict[str, str]] = {}

    if TYPE_CHECKING:
        fields: dict[str, forms.Field]

    def full_clean(self) -> None:
        for name, field in self.fields.items():
            label = str(field.label) if field.label else pretty_name(name)
            govuk_error_messages(field, what=self.govuk_what.get(name) or govuk_what(label))
        super().full_clean()  # type: ignore[misc]

    # `error` is anything BaseForm.add_error takes (a message, a ValidationError, a list or a dict of them).
    def add_error(self, field: str | None, error: Any) -> None:
        # A model choice that is not even one of the model's ids ("x" for a UUID) fails in the model field,
        # with the model field's message ("“x” is not a valid UUID."): it is a wrong choice like any other.
        model_choice = self.fields.get(field) if field is not None else None
        if (
            isinstance(model_choice, forms.ModelChoiceField)
            and isinstance(error, ValidationError)
            and not hasattr(error, "error_dict")
            and any(e.code == "invalid" for e in error.error_list)
        ):
            error = ValidationError(
                model_choice.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": (error.error_list[0].params or {}).get("value", "")},
            )
        super().add_error(field, error)  # type: ignore[misc]
