from io import StringIO

import pytest
from django.core.management import call_command

from cases.models import Case
from referrals.models import Referral
from safeguarding.deadlines.models import Deadline
from safeguarding.organisations.models import User
from safeguarding.organisations.roles import Role
from safeguarding.people.models import Person
from safeguarding.people.validators import nhs_number_is_valid


@pytest.mark.django_db
def test_demo_data_loads_every_role_and_is_idempotent() -> None:
    call_command("load_demo_data", "--force", stdout=StringIO())
    counts = (User.objects.count(), Person.objects.count(), Case.objects.count(), Referral.objects.count())
    for role in Role:
        assert User.objects.filter(groups__name=Role.group_name(role)).exists(), role
    assert Case.objects.count() >= 200
    assert Deadline.objects.filter(policy="golden_hour", status="running").exists()
    assert Deadline.objects.filter(policy="urgent_response").exists()
    assert all(
        nhs_number_is_valid(n)
        for n in Person.objects.exclude(nhs_number=None).values_list("nhs_number", flat=True)
    )
    call_command("load_demo_data", "--force", stdout=StringIO())
    assert (
        User.objects.count(),
        Person.objects.count(),
        Case.objects.count(),
        Referral.objects.count(),
    ) == counts


def test_demo_data_refuses_to_load_without_debug_or_demo_mode() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="published password"):
        call_command("load_demo_data", stdout=StringIO())
