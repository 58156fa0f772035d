"""The panel personas, added to the shared world: the ERP of Northbridge, co-chaired by police (paula) and
social care (sam), coordinated by colin; its members are social care, police, housing, health and education.
charlie (housing, in the world) is a member; dora (another authority) is an outsider."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from cases.models import Case
from panels.models import Meeting, Panel, PanelKind, PanelReferral
from panels.services import meeting_schedule, panel_referral_create
from safeguarding.organisations.models import Agency, AgencyType, User
from safeguarding.organisations.roles import Role
from tests import factories
from tests.conftest import World

LONDON = ZoneInfo("Europe/London")


@dataclass
class Erp:
    panel: Panel
    paula: User  # police co-chair
    sam: User  # social care co-chair
    colin: User  # coordinator (social care)
    health: Agency
    education: Agency
    nurse: User  # health practitioner, a member agency's person
    manager: User  # the panel's manager


@pytest.fixture
def erp(world: World) -> Erp:
    la = world.social_care.local_authority
    health = factories.agency(la, AgencyType.HEALTH, "Northbridge Health")
    education = factories.agency(la, AgencyType.EDUCATION, "Northbridge Education")
    paula = factories.user(
        world.police, Role.PANEL_CHAIR, username="paula", first_name="Paula", last_name="Chair"
    )
    sam = factories.user(
        world.social_care, Role.PANEL_CHAIR, username="sam", first_name="Sam", last_name="Chair"
    )
    manager = factories.user(
        world.social_care, Role.MASH_MANAGER, username="maria", email="maria@example.test"
    )
    colin = factories.user(
        world.social_care,
        Role.MASH_PRACTITIONER,
        username="colin",
        email="colin@example.test",
        manager=manager,
    )
    nurse = factories.user(health, Role.AGENCY_PRACTITIONER, username="nina", email="nina@example.test")
    panel = Panel.objects.create(
        local_authority=la,
        name="Northbridge ERP",
        kind=PanelKind.ERP,
        cadence_days=14,
        coordinator=colin,
        manager=manager,
    )
    panel.chairs.set([paula, sam])
    panel.member_agencies.set([world.social_care, world.police, world.housing, health, education])
    return Erp(panel, paula, sam, colin, health, education, nurse, manager)


def child(world: World, *, age: int = 13, **overrides: object) -> Case:
    """A child of the given age with an open case led by alice's agency."""
    # Born the day before the first of this month, `age` years ago: that age for the next eleven months.
    today = timezone.localdate()
    born = today.replace(year=today.year - age, day=1) - timedelta(days=1)
    return factories.open_case(world.mash, date_of_birth=born, **overrides)


def refer(world: World, erp: Erp, case: Case, *, actor: User | None = None, **data: object) -> PanelReferral:
    return panel_referral_create(
        actor=actor or world.mash,
        context=SYSTEM_CONTEXT,
        panel=erp.panel,
        about=case.person,
        case=case,
        data={
            "reason": "Found in a trap house two counties away; older males collecting him from school.",
            "exploitation_types": ["criminal", "county_lines"],
            "current_risk": "high",
            **data,
        },
    )


def schedule(erp: Erp, *, days_ahead: float = 1, hour: int = 10) -> Meeting:
    day = timezone.localdate() + timedelta(days=days_ahead)
    return meeting_schedule(
        actor=erp.colin,
        context=SYSTEM_CONTEXT,
        panel=erp.panel,
        scheduled_for=datetime(day.year, day.month, day.day, hour, 0, tzinfo=LONDON),
        location="Civic Centre, Room 2",
    )
