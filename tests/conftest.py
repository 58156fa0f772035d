"""Personas, after healthchecks' alice/bob/charlie: an owner, a colleague in a partner agency the case is
shared with, an outsider agency in the same authority, another authority entirely, and an administrator."""

from dataclasses import dataclass

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.models import Case
from safeguarding.accounts.services import api_token_issue
from safeguarding.organisations.models import Agency, AgencyType, User
from safeguarding.organisations.roles import Role
from tests import factories

# A name that appears nowhere else: if an outsider's response contains it, the record leaked.
SENTINEL_GIVEN_NAME = "Zephyrine"
SENTINEL_FAMILY_NAME = "Quillfeather"
SENTINEL_NHS_NUMBER = "9434765919"


@dataclass
class World:
    social_care: Agency
    police: Agency
    housing: Agency
    other_la_agency: Agency
    mash: User  # MASH practitioner in children's social care: the case's lead agency
    police_officer: User  # police practitioner, the case is shared with police
    housing_officer: User  # housing practitioner: same authority, case NOT shared
    stranger: User  # MASH practitioner in another local authority
    admin: User  # system administrator in the lead agency's authority
    case: Case


@pytest.fixture
def world(db: None) -> World:
    la = factories.local_authority("Northbridge")
    other_la = factories.local_authority("Southmere")
    social_care = factories.agency(la, AgencyType.CHILDRENS_SOCIAL_CARE, "Northbridge Children's Social Care")
    police = factories.agency(la, AgencyType.POLICE, "Northbridge Police")
    housing = factories.agency(la, AgencyType.HOUSING, "Northbridge Housing")
    other_la_agency = factories.agency(
        other_la, AgencyType.CHILDRENS_SOCIAL_CARE, "Southmere Children's Social Care"
    )
    mash = factories.user(social_care, Role.MASH_PRACTITIONER, username="alice")
    police_officer = factories.user(police, Role.AGENCY_PRACTITIONER, username="bob")
    housing_officer = factories.user(housing, Role.AGENCY_PRACTITIONER, username="charlie")
    stranger = factories.user(other_la_agency, Role.MASH_PRACTITIONER, username="dora")
    admin = factories.user(social_care, Role.SYSTEM_ADMINISTRATOR, username="eve")
    case = factories.open_case(
        mash, given_name=SENTINEL_GIVEN_NAME, family_name=SENTINEL_FAMILY_NAME, nhs_number=SENTINEL_NHS_NUMBER
    )
    factories.share(case, mash, police)
    return World(
        social_care,
        police,
        housing,
        other_la_agency,
        mash,
        police_officer,
        housing_officer,
        stranger,
        admin,
        case,
    )


def verified_client(user: User) -> Client:
    """A browser session that has passed password and two-factor, without going through the forms."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def token_client(user: User) -> Client:
    _, raw = api_token_issue(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def mash_client(world: World) -> Client:
    return verified_client(world.mash)
