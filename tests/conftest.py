"""Personas, after healthchecks' alice/bob/charlie: an owner, a colleague in a partner agency the case is
shared with, an outsider agency in the same authority, another authority entirely, and an administrator."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from audits.context import SYSTEM_CONTEXT
from cases.models import Case
from referrals.models import InformationRequest, Referral
from referrals.services import custody_booking_create, referral_rate
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
    # alice's referral about the sentinel (a custody booking), rated red with a request to police: made by
    # world_referral() the first time a test needs it. Made here, its clocks and audit rows would change the
    # counts of every test that uses the world.
    referral: Referral | None = None
    police_request: InformationRequest | None = None


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


# The permission matrix's referrals API routes record their custody booking about the sentinel with this key
# too, so the matrix walks one referral whichever route makes it first.
WORLD_REFERRAL_KEY = "permission-matrix-booking"


def world_referral(world: World) -> Referral:
    """alice (MASH) records the sentinel's custody booking and asks police (bob's agency) for its checks;
    housing (charlie) is not asked, so charlie is an outsider to the referral."""
    if world.referral is None:
        referral = custody_booking_create(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            referral_data={
                "concerns": ["cce"],
                "narrative": "Arrested with cash and two phones.",
                "consent": "not_sought",
                "consent_not_sought_reason": "Seeking consent could place the child at greater risk.",
                "lawful_basis": "dpa2018_sch1_para18",
            },
            booking_data={
                "police_force": "Northbridge Police",
                "custody_suite": "Northbridge Central",
                "booked_in_at": timezone.now() - timedelta(minutes=10),
                "arrest_reason": "Possession with intent to supply",
                "appropriate_adult": "requested",
            },
            idempotency_key=WORLD_REFERRAL_KEY,
            person=world.case.person,
        )
        request = InformationRequest.objects.filter(referral=referral, agency=world.police).first()
        if request is None:
            (request,) = referral_rate(
                actor=world.mash,
                context=SYSTEM_CONTEXT,
                referral=referral,
                rag_rating="red",
                agencies=[world.police],
                question="Any intelligence about who he is with?",
            )
        world.referral, world.police_request = referral, request
    return world.referral


def world_police_request(world: World) -> InformationRequest:
    world_referral(world)
    assert world.police_request is not None
    return world.police_request


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


def count_queries(client: Client, url: str) -> int:
    """The queries one GET of `url` makes in the warm steady state, asserting it answers 200. A first GET warms
    per-process caches (content types) and, for a token, its last-used stamp (written at most once a minute),
    so neither lands in the count."""
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


@pytest.fixture
def mash_client(world: World) -> Client:
    return verified_client(world.mash)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Before pytest-django drops the test database, end connections left by worker threads (health checks,
    concurrency tests) and killed subprocesses, so the drop succeeds and no test database is left behind."""
    yield
    with django_db_blocker.unblock():
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
