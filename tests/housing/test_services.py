"""The housing services: the family's applications and the Social Needs Panel referrals, with their dates
checked against today, the child's birth and each other, moved on with the version read, and audited."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from audits.models import AuditEvent
from cases.housing.models import HousingApplication, SocialNeedsPanelReferral
from cases.housing.services import housing_application_update, snp_referral_update
from cases.models import Case, CaseStatus
from safeguarding.common.errors import ApplicationError, ConcurrentEditError, PermissionRefused
from safeguarding.deadlines.models import Deadline
from safeguarding.organisations.roles import Role
from tests import factories
from tests.conftest import World
from tests.housing.conftest import apply, days_ago, refer

pytestmark = pytest.mark.django_db


def test_an_application_is_recorded_moved_on_and_decided(world: World) -> None:
    application = apply(world)
    assert application.status == "submitted" and application.version == 1
    assert AuditEvent.objects.filter(object_type="housing_application", object_id=application.pk).count() == 1
    on_register = housing_application_update(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        application=application,
        expected_version=1,
        status="on_register",
    )
    decided = housing_application_update(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        application=on_register,
        expected_version=2,
        status="decided",
        outcome="housed",
        outcome_on=days_ago(1),
    )
    assert (decided.status, decided.outcome, decided.outcome_on, decided.version) == (
        "decided",
        "housed",
        days_ago(1),
        3,
    )
    with pytest.raises(ConcurrentEditError):
        housing_application_update(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            application=decided,
            expected_version=2,
            status="submitted",
        )
    assert not Deadline.objects.exists()  # no clocks: the provider keeps its own time


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"applicant_relationship": "", "housing_provider": " ", "applied_on": None, "status": "lost"},
            {
                "applicant_relationship": ["Select who applied"],
                "housing_provider": ["Enter the housing provider applied to"],
                "applied_on": ["Enter the date of the application"],
                "status": ["Select where the application has got to"],
            },
        ),
        (
            {"applied_on": timezone.localdate() + timedelta(days=1)},
            {"applied_on": ["The date of the application must be today or in the past"]},
        ),
        ({"status": "decided"}, {"outcome": ["Select the outcome of the application"]}),
        (
            {"status": "decided", "outcome": "housed"},
            {"outcome_on": ["Enter the date of the outcome"]},
        ),
        (
            {"status": "on_register", "outcome": "housed", "outcome_on": days_ago(1)},
            {"status": ["Select decided for an application with an outcome, or leave the outcome blank"]},
        ),
        (
            {"status": "decided", "outcome": "refused", "outcome_on": days_ago(31)},
            {"outcome_on": ["The date of the outcome must be on or after the date of the application"]},
        ),
        (
            {"outcome_on": days_ago(1)},
            {"outcome_on": ["Leave the date of the outcome blank until there is an outcome"]},
        ),
        (
            {"applied_on": date(1899, 1, 1)},
            {"applied_on": ["The date of the application must be after 1 January 1900"]},
        ),
    ],
)
def test_an_application_is_checked(
    world: World, fields: dict[str, object], errors: dict[str, list[str]]
) -> None:
    with pytest.raises(ValidationError) as refused:
        apply(world, **fields)
    assert refused.value.message_dict == errors
    assert not HousingApplication.objects.exists()


def test_a_familys_application_may_be_older_than_the_child(world: World) -> None:
    assert apply(world, applied_on=date(2009, 5, 1)).pk is not None


def test_a_referral_is_recorded_listed_and_decided(world: World) -> None:
    referral = refer(world)
    assert referral.panel_date is None and referral.outcome == ""
    listed = snp_referral_update(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        referral=referral,
        expected_version=1,
        panel_date=timezone.localdate() + timedelta(days=7),
    )
    with pytest.raises(ValidationError) as too_soon:
        snp_referral_update(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            referral=listed,
            expected_version=2,
            panel_date=listed.panel_date,
            outcome="supported",
            outcome_on=timezone.localdate() + timedelta(days=7),
        )
    assert too_soon.value.message_dict == {
        "outcome_on": ["The date of the outcome must be today or in the past"]
    }
    decided = snp_referral_update(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        referral=listed,
        expected_version=2,
        panel_date=days_ago(2),
        outcome="supported",
        outcome_on=days_ago(2),
        outcome_note="Priority band A",
    )
    assert (decided.outcome, decided.version, decided.outcome_note) == ("supported", 3, "Priority band A")
    assert (
        AuditEvent.objects.filter(object_type="social_needs_panel_referral", object_id=referral.pk).count()
        == 3
    )


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"referred_on": None, "reason": ""},
            {
                "referred_on": ["Enter the date of the referral"],
                "reason": ["Enter why the family is being referred to the panel"],
            },
        ),
        (
            {"referred_on": date(2011, 4, 1)},
            {"referred_on": ["The date of the referral must be on or after the child's date of birth"]},
        ),
        (
            {"panel_date": days_ago(11)},
            {"panel_date": ["The date of the panel must be on or after the date of the referral"]},
        ),
        (
            {"panel_date": days_ago(10) + timedelta(days=400)},
            {"panel_date": ["The date of the panel must be within a year of the referral"]},
        ),
        (
            {"outcome": "supported", "outcome_on": days_ago(1)},
            {"panel_date": ["Enter the date of the panel that decided"]},
        ),
        ({"outcome": "sideways"}, {"outcome": ["Select the panel's outcome"]}),
        ({"outcome": "withdrawn"}, {"outcome_on": ["Enter the date of the outcome"]}),
    ],
)
def test_a_referral_is_checked(world: World, fields: dict[str, object], errors: dict[str, list[str]]) -> None:
    with pytest.raises(ValidationError) as refused:
        refer(world, **fields)
    assert refused.value.message_dict == errors
    assert not SocialNeedsPanelReferral.objects.exists()


def test_a_withdrawal_needs_no_panel(world: World) -> None:
    assert refer(world, outcome="withdrawn", outcome_on=days_ago(1)).outcome == "withdrawn"


def test_only_case_workers_record_and_only_on_an_open_case(world: World) -> None:
    from cases.housing.services import housing_application_record

    auditor = factories.user(world.social_care, Role.AUDITOR, username="audrey")
    with pytest.raises(PermissionRefused):
        housing_application_record(
            actor=auditor,
            context=SYSTEM_CONTEXT,
            case=world.case,
            applicant_relationship="parent",
            applied_on=days_ago(1),
            housing_provider="Northbridge Homes",
        )
    Case.objects.filter(pk=world.case.pk).update(
        status=CaseStatus.CLOSED, closed_at=timezone.now(), closure_reason="Closed"
    )
    with pytest.raises(ApplicationError, match="closed"):
        refer(world)
