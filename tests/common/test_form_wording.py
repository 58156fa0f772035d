"""Every form of the project's pages speaks GOV.UK: no Django default message ("This field is required.",
"Select a valid choice…", "Ensure this value has at most…") reaches a user, every date is a GOV.UK date
input, and no field that says it is optional is required.

The forms are found, not listed: every Form or ModelForm class defined in the apps' forms modules (and the
audit pages) is built, bound to empty data and to wrong data (choices that are not choices, text that is too
long, numbers that are not numbers or out of range, dates that are not real), and its messages checked."""

import importlib
import importlib.util
import inspect
import pkgutil
import re
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest
from django import forms
from django.core import validators
from django.db import models
from django.forms import BaseForm
from django.utils.datastructures import MultiValueDict

import safeguarding
from cases.chronology.registry import chronology_sources
from panels.models import Panel, PanelReferral
from panels.risk import DEFAULT_INSTRUMENT
from safeguarding.common.forms import DATE_PARTS, DateField, DateTimeField
from safeguarding.organisations.models import Agency, User
from safeguarding.people.forms import PersonForm
from tests.conftest import World

pytestmark = pytest.mark.django_db

# The modules whose forms users fill in.
FORM_MODULES = [
    "cases.forms",
    "cases.networks.forms",
    "referrals.forms",
    "referrals.drm",
    "referrals.moment_forms",
    "cases.missing.forms",
    "cases.nrm.forms",
    "cases.education.forms",
    "cases.housing.forms",
    "cases.records.forms",
    "cases.chronology.forms",
    "panels.forms",
    "safeguarding.people.audit_pages",
]

# Forms deliberately not checked here, and why.
EXCLUDED: dict[str, str] = {}

# What the forms that need arguments are built with: the querysets are the whole tables, so a value that is
# not in them is a wrong choice.
BUILD_WITH: dict[str, Callable[[World], dict[str, Any]]] = {
    "cases.forms.CaseEditForm": lambda world: {"case": world.case},
    "cases.forms.CaseShareForm": lambda world: {"case": world.case},
    "cases.networks.forms.ContextActionForm": lambda world: {"agencies": Agency.objects.all()},
    "panels.forms.PanelReferralForm": lambda world: {"panels": Panel.objects.all()},
    "panels.forms.AgendaAddForm": lambda world: {"referrals": PanelReferral.objects.all()},
    "panels.forms.AttendanceForm": lambda world: {"agencies": Agency.objects.all()},
    "panels.forms.ActionForm": lambda world: {"agencies": Agency.objects.all(), "people": User.objects.all()},
    "panels.forms.AssessmentForm": lambda world: {"definition": DEFAULT_INSTRUMENT},
    "referrals.forms.PersonChoiceForm": lambda world: {"allowed": []},
    "referrals.forms._ReferralFieldsForm": lambda world: {"agencies": Agency.objects.all()},
    "referrals.forms.ReferralForm": lambda world: {"agencies": Agency.objects.all()},
    "referrals.forms.CustodyBookingForm": lambda world: {"agencies": Agency.objects.all()},
    "referrals.forms.RateForm": lambda world: {"agencies": Agency.objects.all()},
    "referrals.forms.InformationAnswerForm": lambda world: {"agencies": Agency.objects.all()},
    "safeguarding.people.audit_pages.AuditSearchForm": lambda world: {"auditor": world.mash},
    "safeguarding.deadlines.forms.AllocateForm": lambda world: {"agency": world.social_care},
    "referrals.drm.DrmAttendanceForm": lambda world: {"agencies": [(a, None) for a in Agency.objects.all()]},
    "cases.missing.forms.ReportForm": lambda world: {"person": world.case.person},
    "cases.missing.forms.ProfileForm": lambda world: {
        "link_choices": [(str(world.case.pk), "A link in their network")]
    },
    "cases.records.forms.ContactForm": lambda world: {"agency": world.social_care},
    "cases.records.forms.ContactAmendForm": lambda world: {"agency": world.social_care},
    "cases.records.forms.DocumentUploadForm": lambda world: {"agency": world.social_care},
    "cases.chronology.forms.ChronologyFilterForm": lambda world: {"sources": chronology_sources()},
}


def _form_modules() -> Iterator[ModuleType]:
    for app in pkgutil.iter_modules(safeguarding.__path__):
        name = f"safeguarding.{app.name}.forms"
        if app.ispkg and importlib.util.find_spec(name) is not None:
            yield importlib.import_module(name)
    for name in FORM_MODULES:
        yield importlib.import_module(name)


def _form_classes() -> list[type[BaseForm]]:
    found = []
    for module in _form_modules():
        for _, value in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(value, BaseForm)
                and value.__module__ == module.__name__
                and f"{value.__module__}.{value.__qualname__}" not in EXCLUDED
            ):
                found.append(value)
    return found


FORM_CLASSES = _form_classes()


def _key(form_class: type[BaseForm]) -> str:
    return f"{form_class.__module__}.{form_class.__qualname__}"


def _build(form_class: type[BaseForm], world: World, data: Any = None) -> BaseForm:
    kwargs = BUILD_WITH.get(_key(form_class), lambda world: {})(world)
    return form_class(data, **kwargs)


# --- Django's own messages -------------------------------------------------------------------------------


def _subclasses(klass: type) -> Iterator[type]:
    for sub in klass.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _texts(message: Any) -> list[str]:
    """A default message's text; a plural one ("Ensure this value has at most %(limit_value)d character…")
    gives its singular and plural forms."""
    keywords = getattr(message, "_proxy____kw", {}) or {}
    if "singular" in keywords:
        return [str(keywords["singular"]), str(keywords["plural"])]
    text = str(message)
    return [text] if text else []


def _pattern(text: str) -> re.Pattern[str]:
    parts = re.split(r"%\(\w+\)[sdr]|\{\w*\}", text)
    return re.compile("^" + ".+".join(re.escape(part) for part in parts) + "$", re.DOTALL)


def _django_default_patterns() -> list[re.Pattern[str]]:
    texts: set[str] = set()
    for base in (forms.Field, models.Field):
        for klass in (base, *_subclasses(base)):
            for message in vars(klass).get("default_error_messages", {}).values():
                texts.update(_texts(message))
    for _, klass in inspect.getmembers(validators, inspect.isclass):
        if "message" in vars(klass):
            texts.update(_texts(vars(klass)["message"]))
    texts.update(_texts(validators.integer_validator.message))
    texts.update(_texts(models.BaseConstraint.default_violation_error_message))
    return [_pattern(text) for text in texts]


DJANGO_DEFAULTS = _django_default_patterns()
# Beginnings of Django's wording that no GOV.UK message shares, in case a default is worded differently in a
# version or a contrib app not walked above.
DJANGO_BEGINNINGS = (
    "This field",
    "Enter a valid",
    "Enter a whole number",
    "Enter a number",
    "Enter a list of values",
    "Enter a complete value",
    "Select a valid choice",
    "Ensure this value",
    "Ensure that there are",
    "Null characters are not allowed",
    "Constraint “",
)


def _django_default(message: str) -> bool:
    return message.startswith(DJANGO_BEGINNINGS) or any(p.match(message) for p in DJANGO_DEFAULTS)


def test_the_default_messages_are_recognised() -> None:
    """The check below would pass vacuously if it recognised nothing."""
    for message in (
        "This field is required.",
        "Enter a valid date.",
        "Select a valid choice. purple is not one of the available choices.",
        "Select a valid choice. That choice is not one of the available choices.",
        "Enter a whole number.",
        "Ensure this value has at most 10 characters (it has 11).",
        "Ensure this value is less than or equal to 120.",
        "Enter a valid email address.",
        "Enter a list of values.",
        "“nope” is not a valid value.",
    ):
        assert _django_default(message), message
    assert not _django_default("Enter the date of birth, including a day, month and year")


# --- Data that is empty, and data that is wrong -----------------------------------------------------------


def _parts(name: str, day: str, month: str, year: str, time: str = "") -> dict[str, str]:
    posted = {f"{name}_{part}": text for part, text in zip(DATE_PARTS, (day, month, year), strict=True)}
    posted[f"{name}_time"] = time
    return posted


def _wrong(form: BaseForm, *, as_lists: bool = True, bounds: str = "") -> Any:
    """Data with something wrong in every field. `bounds` "low" or "high" puts numbers just outside their
    range instead of not being numbers; `as_lists` False posts a multiple choice as a single value."""
    data: dict[str, list[str]] = {}
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        value: list[str]
        if isinstance(field, (DateField, DateTimeField)):
            for part, text in _parts(key, "31", "2", "2026", "25:61").items():
                data[part] = [text]
            continue
        if isinstance(field, (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)):
            value = ["not-a-choice", "00000000-0000-0000-0000-000000000000"]
        elif isinstance(field, (forms.ChoiceField, forms.ModelChoiceField)):
            value = ["not-a-choice"]
        elif isinstance(field, forms.BooleanField):
            continue
        elif isinstance(field, (forms.IntegerField, forms.FloatField, forms.DecimalField)):
            if bounds == "low" and field.min_value is not None:
                value = [str(field.min_value - 1)]
            elif bounds == "high" and field.max_value is not None:
                value = [str(field.max_value + 1)]
            else:
                value = ["many"]
        elif isinstance(field, (forms.UUIDField, forms.EmailField, forms.RegexField)):
            value = ["not valid!"]
        elif isinstance(field, forms.CharField):
            too_long = int(field.max_length or 10) + 1
            value = ["x" if bounds == "low" and field.min_length else "x" * too_long]
        else:
            value = ["x"]
        data[key] = value
    if not as_lists:
        return {key: values[0] for key, values in data.items()}
    return MultiValueDict(data)


def _partial_dates(form: BaseForm) -> dict[str, str]:
    posted: dict[str, str] = {}
    for name, field in form.fields.items():
        if isinstance(field, (DateField, DateTimeField)):
            posted.update(_parts(form.add_prefix(name), "27", "", "20", "14:30"))
    return posted


def _messages(form: BaseForm) -> list[tuple[str, str]]:
    return [(name, str(message)) for name, errors in form.errors.items() for message in errors]


def _bindings(form_class: type[BaseForm], world: World) -> Iterator[tuple[str, BaseForm]]:
    unbound = _build(form_class, world)
    yield "empty", _build(form_class, world, {})
    yield "wrong", _build(form_class, world, _wrong(unbound))
    yield "wrong, single values", _build(form_class, world, _wrong(unbound, as_lists=False))
    yield "too low or too short", _build(form_class, world, _wrong(unbound, bounds="low"))
    yield "too high", _build(form_class, world, _wrong(unbound, bounds="high"))
    yield "part of a date", _build(form_class, world, _partial_dates(unbound))


# --- The checks -------------------------------------------------------------------------------------------


def test_the_forms_are_found() -> None:
    names = {_key(form_class) for form_class in FORM_CLASSES}
    for expected in (
        "safeguarding.people.forms.PersonForm",
        "safeguarding.accounts.forms.SignInForm",
        "safeguarding.people.audit_pages.AuditSearchForm",
        "cases.forms.CaseEditForm",
        "cases.networks.forms.LinkForm",
        "referrals.forms.PersonSearchForm",
        "panels.forms.ActionForm",
    ):
        assert expected in names


@pytest.mark.parametrize("form_class", FORM_CLASSES, ids=_key)
def test_no_django_default_message_reaches_the_user(world: World, form_class: type[BaseForm]) -> None:
    for binding, form in _bindings(form_class, world):
        form.is_valid()
        for name, message in _messages(form):
            where = f"{_key(form_class)} {name!r} ({binding})"
            assert not _django_default(message), f"{where}: Django's own wording: {message!r}"
            # A question label turned into a message ("Enter why are you…?") is not GOV.UK wording either.
            assert "?" not in message and "%(" not in message, f"{where}: {message!r}"
            assert message[:1].isupper(), f"{where}: {message!r}"


def test_no_field_that_says_it_is_optional_is_required(world: World) -> None:
    wrong = []
    for form_class in FORM_CLASSES:
        for name, field in _build(form_class, world).fields.items():
            said = f"{field.label or ''} {field.help_text or ''}".lower()
            if "optional" in said and field.required:
                wrong.append(f"{_key(form_class)} {name!r}")
    assert not wrong, f"Say they are optional but are required: {wrong}"


def test_every_date_is_a_govuk_date_input(world: World) -> None:
    wrong = []
    for form_class in FORM_CLASSES:
        for name, field in _build(form_class, world).fields.items():
            where = f"{_key(form_class)} {name!r}"
            if isinstance(field, (forms.DateField, forms.DateTimeField)):
                wrong.append(f"{where}: Django's date field")
            if isinstance(field.widget, (forms.DateInput, forms.DateTimeInput)):
                wrong.append(f"{where}: a date widget")
            if field.widget.attrs.get("type") in ("date", "datetime-local"):
                wrong.append(f"{where}: a browser's date input")
            # GOV.UK's examples are day, month and year as typed: "27 3 2026", not "27/03/2026".
            if re.search(r"\d+/\d+/\d{4}", str(field.help_text or "")):
                wrong.append(f"{where}: the example {field.help_text!r}")
    assert not wrong, wrong


def test_the_person_form_asks_to_select_its_sex_ethnicity_and_education_status(world: World) -> None:
    form = PersonForm({"given_name": "Kai", "family_name": "Test", "estimated_age_years": "15"})
    assert not form.is_valid()
    assert form.errors["sex"] == ["Select the person's sex"]
    assert form.errors["ethnicity"] == ["Select an ethnicity"]
    assert form.errors["education_status"] == ["Select the education status"]


def test_the_person_form_words_its_numbers_and_lengths(world: World) -> None:
    form = PersonForm(
        {"estimated_age_years": "about 15", "gender": "x" * 61, "sex": "Z", "ethnicity": "ZZZZ"}
    )
    assert not form.is_valid()
    assert form.errors["estimated_age_years"] == ["The estimated age must be a number"]
    assert form.errors["gender"] == ["The gender must be 60 characters or fewer"]
    assert form.errors["sex"] == ["Select the person's sex from the list"]
    assert form.errors["ethnicity"] == ["Select an ethnicity from the list"]
    too_old = PersonForm({"estimated_age_years": "121"})
    assert not too_old.is_valid()
    assert too_old.errors["estimated_age_years"] == ["The estimated age must be 120 or less"]
