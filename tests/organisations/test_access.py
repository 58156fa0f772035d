"""The one access rule: a record is visible to an agency through a grant to the agency's group, within the
user's own authority; system administrators and anonymous users see no case data. `get_in_scope` is that
rule for one record, answering NotFound for missing and not-yours alike."""

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from guardian.models import GroupObjectPermission

from cases.models import Case
from referrals.models import Referral, ReferralGroupObjectPermission
from safeguarding.common.errors import NotFound
from safeguarding.organisations.access import agency_grant, get_in_scope, scope_to_user
from safeguarding.organisations.permissions import Perm
from safeguarding.people.models import Person
from tests.conftest import World, world_referral


@pytest.mark.django_db
def test_each_persona_sees_exactly_what_was_granted_to_their_agency(world: World) -> None:
    referral = world_referral(world)
    person = world.case.person
    # (user, perm, model, row) -> visible. alice's agency leads the case and owns the referral; bob's police
    # were shared the case (view only) and asked for information; charlie's housing was given nothing.
    expected = {
        (world.mash, Perm.VIEW_PERSON, person): True,
        (world.mash, Perm.CHANGE_PERSON, person): True,
        (world.mash, Perm.CHANGE_CASE, world.case): True,
        (world.mash, Perm.CHANGE_REFERRAL, referral): True,
        (world.police_officer, Perm.VIEW_PERSON, person): True,
        (world.police_officer, Perm.CHANGE_PERSON, person): False,
        (world.police_officer, Perm.VIEW_CASE, world.case): True,
        (world.police_officer, Perm.CHANGE_CASE, world.case): False,
        (world.police_officer, Perm.VIEW_REFERRAL, referral): True,
        (world.police_officer, Perm.CHANGE_REFERRAL, referral): False,
        (world.housing_officer, Perm.VIEW_PERSON, person): False,
        (world.housing_officer, Perm.VIEW_CASE, world.case): False,
        (world.housing_officer, Perm.VIEW_REFERRAL, referral): False,
        (world.stranger, Perm.VIEW_PERSON, person): False,
        (world.stranger, Perm.VIEW_REFERRAL, referral): False,
        (world.admin, Perm.VIEW_PERSON, person): False,
        (world.admin, Perm.VIEW_CASE, world.case): False,
        (AnonymousUser(), Perm.VIEW_PERSON, person): False,
    }
    for (user, perm, row), visible in expected.items():
        queryset = type(row).objects.all()
        assert scope_to_user(user, perm, queryset).filter(pk=row.pk).exists() is visible, (user, perm)
        if visible:
            assert get_in_scope(user, perm, queryset, row.pk) == row
        else:
            with pytest.raises(NotFound):
                get_in_scope(user, perm, queryset, row.pk)


@pytest.mark.django_db
def test_get_in_scope_answers_not_found_for_a_missing_or_malformed_key(world: World) -> None:
    for key in [uuid.uuid4(), "not-a-uuid", ""]:
        with pytest.raises(NotFound):
            get_in_scope(world.mash, Perm.VIEW_PERSON, Person.objects.all(), key)


@pytest.mark.django_db
def test_agency_grant_is_idempotent_and_writes_the_direct_grant_table(world: World) -> None:
    referral = world_referral(world)
    before = ReferralGroupObjectPermission.objects.filter(content_object=referral).count()
    for _ in range(2):
        agency_grant(agency=world.housing, obj=referral, perms=[Perm.VIEW_REFERRAL])
    assert ReferralGroupObjectPermission.objects.filter(content_object=referral).count() == before + 1
    assert not GroupObjectPermission.objects.exists()  # never guardian's generic table
    assert get_in_scope(world.housing_officer, Perm.VIEW_REFERRAL, Referral.objects.all(), referral.pk)
    assert not scope_to_user(world.housing_officer, Perm.VIEW_CASE, Case.objects.all()).exists()
