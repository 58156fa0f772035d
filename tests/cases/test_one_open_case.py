"""One open case per person per authority: the database says so, opening a second is refused with the open
case offered instead (the page links to it; the API answers 409 with its id), and reopening a closed case
beside an open one is refused too."""

import pytest
from django.db import IntegrityError, transaction

from audits.context import SYSTEM_CONTEXT
from cases.models import Case, CaseStatus
from cases.services import CaseAlreadyOpen, case_open, case_update
from tests.conftest import World, token_client, verified_client

pytestmark = pytest.mark.django_db


def test_the_database_refuses_a_second_open_case(world: World) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(
            person=world.case.person,
            local_authority_id=world.case.local_authority_id,
            lead_agency=world.police,
        )


def test_opening_a_second_case_offers_the_open_one(world: World) -> None:
    with pytest.raises(CaseAlreadyOpen) as refused:
        case_open(
            actor=world.police_officer,
            context=SYSTEM_CONTEXT,
            person=world.case.person,
            data={"summary": "x"},
        )
    assert refused.value.extra == {"case_id": str(world.case.pk)}
    page = verified_client(world.mash).post(
        f"/cases/open/{world.case.person_id}/", {"risk_level": "high", "summary": "Again"}
    )
    html = page.content.decode()
    assert page.status_code == 200 and "already has an open case" in html
    assert f"/cases/{world.case.pk}/" in html
    assert Case.objects.filter(person=world.case.person).count() == 1


def test_the_api_answers_409_with_the_open_case(world: World) -> None:
    response = token_client(world.mash).post(
        "/api/v1/cases/",
        {"person_id": str(world.case.person_id), "risk_level": "high", "summary": "Again"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "case_already_open"
    assert response.json()["extra"] == {"case_id": str(world.case.pk)}


def test_a_closed_case_is_not_reopened_beside_an_open_one(world: World) -> None:
    case_update(
        actor=world.mash,
        case=world.case,
        expected_version=world.case.version,
        context=SYSTEM_CONTEXT,
        data={"status": CaseStatus.CLOSED, "closure_reason": "Moved away"},
    )
    world.case.refresh_from_db()
    second = case_open(actor=world.mash, context=SYSTEM_CONTEXT, person=world.case.person, data={})
    with pytest.raises(CaseAlreadyOpen):
        case_update(
            actor=world.mash,
            case=world.case,
            expected_version=world.case.version,
            context=SYSTEM_CONTEXT,
            data={"status": CaseStatus.OPEN},
        )
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.CLOSED and second.status == CaseStatus.OPEN
