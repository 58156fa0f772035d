from io import StringIO

import pytest
from django.core.management import call_command

from cases.models import Case
from cases.networks.models import Context, Link
from panels.models import PanelReferral
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
    # Each authority's network: an adult tied to two children's open cases (a cross-case alert once the
    # worker runs), places and groups, and a county line referred to the contextual panel.
    assert Link.objects.filter(link_type="suspected_exploiter").count() >= 2
    assert Context.objects.filter(kind="county_line").exists()
    assert PanelReferral.objects.filter(context__kind="county_line", panel__kind="contextual_erp").exists()
    assert all(
        nhs_number_is_valid(n)
        for n in Person.objects.exclude(nhs_number=None).values_list("nhs_number", flat=True)
    )
    links = Link.objects.filter(link_type="suspected_exploiter").count()
    call_command("load_demo_data", "--force", stdout=StringIO())
    assert (
        User.objects.count(),
        Person.objects.count(),
        Case.objects.count(),
        Referral.objects.count(),
    ) == counts
    assert Link.objects.filter(link_type="suspected_exploiter").count() == links


def test_demo_data_refuses_to_load_without_debug_or_demo_mode() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="published password"):
        call_command("load_demo_data", stdout=StringIO())
