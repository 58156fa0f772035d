"""The housing pages: readers of the child's open case see them, writers record on them, everyone else gets
the same 404; bad input is an error summary with nothing saved; every look is audited; and each page's
queries do not grow with the record."""

import re
import uuid
from datetime import date, timedelta
from html import unescape

import pytest
from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from audits.models import AuditEvent
from cases.housing.models import HousingApplication, SocialNeedsPanelReferral
from safeguarding.people.services import person_create
from tests import factories
from tests.conftest import World, count_queries, verified_client
from tests.housing.conftest import apply, days_ago, refer
from tests.test_query_counts import SESSION_PAGE, SESSION_SAVE

pytestmark = pytest.mark.django_db


def _page(world: World) -> str:
    return f"/housing/people/{world.case.person_id}/"


def _date(prefix: str, day: date) -> dict[str, str]:
    return {f"{prefix}_day": str(day.day), f"{prefix}_month": str(day.month), f"{prefix}_year": str(day.year)}


def _text(html: bytes) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html.decode())))


def test_an_application_and_a_referral_are_recorded_from_the_childs_housing_page(world: World) -> None:
    client = verified_client(world.mash)
    empty = client.get(_page(world))
    assert empty.status_code == 200
    text = _text(empty.content)
    assert (
        "No housing applications recorded." in text
        and "No referrals to the Social Needs Panel recorded." in text
    )
    made = client.post(
        _page(world),
        {
            "form": "application",
            "application-applicant_relationship": "parent",
            **_date("application-applied_on", days_ago(20)),
            "application-housing_provider": "Northbridge Homes",
            "application-status": "being_assessed",
        },
    )
    assert made.status_code == 302 and made["Location"] == _page(world)
    referred = client.post(
        _page(world),
        {
            "form": "referral",
            **_date("referral-referred_on", days_ago(5)),
            "referral-reason": "A move away from the estate where she is exploited.",
            **_date("referral-panel_date", timezone.localdate() + timedelta(days=9)),
        },
        follow=True,
    )
    text = _text(referred.content)
    assert "The referral to the Social Needs Panel has been recorded." in text
    assert "Northbridge Homes" in text and "Being assessed" in text
    assert "A move away from the estate" in text
    chronology = _text(client.get(f"/chronology/{world.case.person_id}/").content)
    assert "Housing application: Northbridge Homes" in chronology
    assert "Referred to the Social Needs Panel" in chronology


def test_mistakes_are_an_error_summary_and_save_nothing(world: World) -> None:
    client = verified_client(world.mash)
    response = client.post(
        _page(world),
        {
            "form": "application",
            "application-applicant_relationship": "",
            "application-housing_provider": "Northbridge Homes",
            "application-status": "decided",
            **_date("application-applied_on", days_ago(2)),
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    assert 'href="#id_application-applicant_relationship">Select who applied</a>' in html
    # The service's refusal joins the same summary once the form's own checks pass.
    second = client.post(
        _page(world),
        {
            "form": "application",
            "application-applicant_relationship": "carer",
            "application-housing_provider": "Northbridge Homes",
            "application-status": "decided",
            **_date("application-applied_on", days_ago(2)),
        },
    )
    assert (
        'href="#id_application-outcome">Select the outcome of the application</a>' in second.content.decode()
    )
    referral = client.post(
        _page(world),
        {
            "form": "referral",
            **_date("referral-referred_on", timezone.localdate() + timedelta(days=2)),
            "referral-reason": "",
        },
    )
    text = _text(referral.content)
    assert "Enter why the family is being referred to the panel" in text
    assert not HousingApplication.objects.exists() and not SocialNeedsPanelReferral.objects.exists()
    future = client.post(
        _page(world),
        {
            "form": "referral",
            **_date("referral-referred_on", timezone.localdate() + timedelta(days=2)),
            "referral-reason": "x",
        },
    )
    assert "The date of the referral must be today or in the past" in _text(future.content)


def test_an_application_is_moved_on_from_its_page_with_the_version_read(world: World) -> None:
    application = apply(world)
    client = verified_client(world.mash)
    url = f"/housing/applications/{application.pk}/"
    page = client.get(url)
    assert page.status_code == 200 and 'name="version" value="1"' in page.content.decode()
    moved = client.post(
        url, {"version": "1", "status": "decided", "outcome": "housed", **_date("outcome_on", days_ago(1))}
    )
    assert moved.status_code == 302
    stale = client.post(url, {"version": "1", "status": "on_register"})
    assert "changed by someone else" in _text(stale.content)
    application.refresh_from_db()
    assert application.outcome == "housed" and application.version == 2


def test_a_referral_is_listed_and_decided_from_its_page(world: World) -> None:
    referral = refer(world)
    client = verified_client(world.mash)
    url = f"/housing/referrals/{referral.pk}/"
    assert client.get(url).status_code == 200
    missing_panel = client.post(
        url, {"version": "1", "outcome": "supported", **_date("outcome_on", days_ago(1))}
    )
    assert (
        'href="#id_panel_date_day">Enter the date of the panel that decided</a>'
        in missing_panel.content.decode()
    )
    decided = client.post(
        url,
        {
            "version": "1",
            **_date("panel_date", days_ago(1)),
            "outcome": "supported",
            **_date("outcome_on", days_ago(1)),
        },
    )
    assert decided.status_code == 302
    referral.refresh_from_db()
    assert referral.outcome == "supported"


def test_a_partner_agency_reads_but_cannot_record(world: World) -> None:
    application = apply(world)
    referral = refer(world)
    bob = verified_client(world.police_officer)
    for url in (
        _page(world),
        f"/housing/applications/{application.pk}/",
        f"/housing/referrals/{referral.pk}/",
    ):
        page = bob.get(url)
        assert page.status_code == 200 and "Zephyrine Quillfeather" in page.content.decode()
        assert '<form method="post" novalidate>' not in page.content.decode()
        assert bob.post(url, {"version": "1", "status": "decided"}).status_code == 404


@pytest.mark.parametrize("persona", ["housing_officer", "stranger", "admin"])
def test_outsiders_get_not_found(world: World, persona: str) -> None:
    application = apply(world)
    referral = refer(world)
    client = verified_client(getattr(world, persona))
    for url in (
        _page(world),
        f"/housing/applications/{application.pk}/",
        f"/housing/referrals/{referral.pk}/",
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"form": "application"}).status_code == 404, url
    for url in (f"/housing/people/{uuid.uuid4()}/", f"/housing/applications/{uuid.uuid4()}/"):
        assert verified_client(world.mash).get(url).status_code == 404


def test_a_person_with_no_open_case_is_told_so(world: World) -> None:
    adult = person_create(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        data=factories.person_data(given_name="Dex", family_name="Nocase", date_of_birth=date(1990, 1, 1)),
    )
    response = verified_client(world.mash).get(f"/housing/people/{adult.pk}/")
    assert response.status_code == 200 and "Dex Nocase has no open case that you can see" in _text(
        response.content
    )


def test_every_page_is_one_audited_look(world: World) -> None:
    application = apply(world)
    referral = refer(world)
    client = verified_client(world.police_officer)
    for url in (
        _page(world),
        f"/housing/applications/{application.pk}/",
        f"/housing/referrals/{referral.pk}/",
    ):
        before = AuditEvent.objects.filter(
            actor=world.police_officer, person_ids__contains=[world.case.person_id]
        ).count()
        client.get(url)
        after = AuditEvent.objects.filter(
            actor=world.police_officer, person_ids__contains=[world.case.person_id]
        ).count()
        assert after == before + 1, url


def test_the_pages_have_exact_and_constant_query_counts(world: World) -> None:
    client = verified_client(world.mash)
    # the child's open case with the reader's grants (1), the audit INSERT, the applications, the referrals
    expected = SESSION_PAGE + 1 + 1 + 1 + 1 + SESSION_SAVE
    assert count_queries(client, _page(world)) == expected
    for i in range(12):
        apply(world, housing_provider=f"Provider {i}")
        refer(world, reason=f"Reason {i}")
    assert count_queries(client, _page(world)) == expected
    application = HousingApplication.objects.first()
    referral = SocialNeedsPanelReferral.objects.first()
    assert application is not None and referral is not None
    # the record with the reader's grants (1), the audit INSERT
    assert (
        count_queries(client, f"/housing/applications/{application.pk}/")
        == SESSION_PAGE + 1 + 1 + SESSION_SAVE
    )
    assert count_queries(client, f"/housing/referrals/{referral.pk}/") == SESSION_PAGE + 1 + 1 + SESSION_SAVE
