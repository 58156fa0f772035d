"""Network personas on top of the shared world: alice's child (the sentinel, case led by social care), a
second child with an open case in another team (youth offending, worked by yan), and an adult of concern."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from audits.context import SYSTEM_CONTEXT
from cases.models import Case
from cases.networks.services import network_alerts_sweep
from safeguarding.organisations.models import Agency, AgencyType, User
from safeguarding.organisations.roles import Role
from safeguarding.people.models import Person
from safeguarding.people.services import person_create, person_grant_agency
from tests import factories
from tests.conftest import World


@dataclass
class Net:
    yot: Agency
    yan: User  # youth offending practitioner, owner of the second child's case
    second: Case
    adult: Person  # an adult of concern, recorded by police (bob)


@pytest.fixture
def net(world: World) -> Net:
    la = world.social_care.local_authority
    yot = factories.agency(la, AgencyType.YOUTH_OFFENDING, "Northbridge Youth Offending Service")
    yan = factories.user(yot, Role.AGENCY_PRACTITIONER, username="yan", email="yan@example.test")
    second = factories.open_case(yan, given_name="Remi", family_name="Second")
    second.allocated_worker = yan
    second.save(update_fields=["allocated_worker"])
    adult = person_create(
        actor=world.police_officer,
        context=SYSTEM_CONTEXT,
        data=factories.person_data(given_name="Dex", family_name="Adult", date_of_birth=date(1990, 5, 1)),
    )
    # The MASH and youth offending know of him too (an earlier strategy discussion).
    for agency in (world.social_care, yot):
        person_grant_agency(person=adult, agency=agency, write=False)
    return Net(yot, yan, second, adult)


def run_alert_worker() -> int:
    """What the worker does after a link commits: the cross-case detection of every link still waiting."""
    return network_alerts_sweep(older_than=timedelta(0))
