"""The records forms speak GOV.UK, by the same checks as tests/common/test_form_wording.py (which leaves the
modules still being built out of its list): no Django default message, no question in a message, capitals."""

import inspect

import pytest
from django.forms import BaseForm

from cases.records import forms
from tests.common.test_form_wording import _bindings, _django_default, _key, _messages
from tests.conftest import World

pytestmark = pytest.mark.django_db

RECORDS_FORMS = [
    value
    for _, value in inspect.getmembers(forms, inspect.isclass)
    if issubclass(value, BaseForm) and value.__module__ == forms.__name__
]


def test_the_records_forms_are_found() -> None:
    assert {form.__name__ for form in RECORDS_FORMS} == {
        "ContactForm",
        "ContactAmendForm",
        "ContactFilterForm",
        "DocumentUploadForm",
    }


@pytest.mark.parametrize("form_class", RECORDS_FORMS, ids=_key)
def test_no_django_default_message_reaches_the_user(world: World, form_class: type[BaseForm]) -> None:
    for binding, form in _bindings(form_class, world):
        form.is_valid()
        for name, message in _messages(form):
            where = f"{_key(form_class)} {name!r} ({binding})"
            assert not _django_default(message), f"{where}: Django's own wording: {message!r}"
            assert "?" not in message and "%(" not in message, f"{where}: {message!r}"
            assert message[:1].isupper(), f"{where}: {message!r}"
