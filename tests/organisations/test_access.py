"""object_in_scope (one row, written as SQL) must answer exactly as scope_to_user (the ORM form every list
and selector composes) for every kind of user and every kind of row."""

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model

from cases.models import Case
from referrals.models import Referral
from safeguarding.organisations.access import object_in_scope, scope_to_user
from safeguarding.people.models import Person
from tests.conftest import World, world_referral

PERMS = {
    Person: ("people.view_person", "people.change_person"),
    Case: ("cases.view_case", "cases.change_case"),
    Referral: ("referrals.view_referral", "referrals.change_referral"),
}


@pytest.mark.django_db
def test_object_in_scope_agrees_with_scope_to_user_for_every_persona(world: World) -> None:
    referral = world_referral(world)
    rows: list[Model] = [world.case.person, world.case, referral]
    personas = [world.mash, world.police_officer, world.housing_officer, world.stranger, world.admin]
    answers = set()
    for user in [*personas, AnonymousUser()]:
        for row in rows:
            for perm in PERMS[type(row)]:
                by_orm = scope_to_user(user, perm, type(row).objects.all()).filter(pk=row.pk).exists()
                found = object_in_scope(user, perm, type(row), row.pk)
                assert (found is not None) == by_orm, (getattr(user, "username", "anonymous"), perm)
                if found is not None:
                    assert found == row
                    assert found.__dict__.keys() >= {f.attname for f in type(row)._meta.concrete_fields}
                answers.add(by_orm)
    assert answers == {True, False}  # the matrix has both kinds of answer, or it proves nothing


@pytest.mark.django_db
def test_object_in_scope_answers_none_for_a_missing_or_malformed_key(world: World) -> None:
    assert object_in_scope(world.mash, "people.view_person", Person, uuid.uuid4()) is None
    assert object_in_scope(world.mash, "people.view_person", Person, "not-a-uuid") is None
    assert object_in_scope(world.mash, "people.view_person", Person, world.case.person.pk) is not None
