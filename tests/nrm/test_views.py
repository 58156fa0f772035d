"""The NRM pages: the child's referrals with their clocks and decisions, the page that records one (its
mistakes in an error summary, nothing saved), the referral's page with its decision and guardian forms for
the lead agency and none for a partner, 404 for outsiders, an audited read per page, the child's chronology
and record link, and query counts that do not grow with the referrals."""

import re
import uuid
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from audits.models import AuditEvent
from cases.chronology.registry import record_links
from cases.nrm.models import NrmReferral
from safeguarding.deadlines.models import Deadline, DeadlineStatus
from tests.conftest import World, count_queries, verified_client
from tests.nrm.conftest import days_ago, decide_cg, decide_rg, decided_referral, refer
from tests.test_query_counts import SESSION_PAGE, SESSION_SAVE

pytestmark = pytest.mark.django_db


def _person_url(world: World) -> str:
    return f"/nrm/people/{world.case.person_id}/"


def _detail_url(referral: NrmReferral) -> str:
    return f"/nrm/referrals/{referral.pk}/"


def _date_parts(name: str, day: date) -> dict[str, str]:
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


def _summary(html: str) -> list[str]:
    """The error summary's messages."""
    found = re.search(r'<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>', html, re.S)
    assert found is not None, "no error summary"
    return [
        re.sub(r"\s+", " ", text).strip()
        for text in re.findall(r'<a href="[^"]*">(.*?)</a>', found.group(1), re.S)
    ]


def _audits(user_name: str, object_type: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(actor_username=user_name, object_type=object_type, action="view"))


def test_the_childs_page_starts_empty_and_offers_the_form_only_to_the_lead_agency(world: World) -> None:
    alice = verified_client(world.mash).get(_person_url(world)).content.decode()
    assert "No NRM referrals recorded for Zephyrine Quillfeather that you can see." in alice
    assert f'href="/nrm/people/{world.case.person_id}/new/"' in alice
    police = verified_client(world.police_officer).get(_person_url(world)).content.decode()
    assert "No NRM referrals recorded" in police and "/new/" not in police
    assert verified_client(world.police_officer).get(f"{_person_url(world)}new/").status_code == 404
    (audit,) = _audits("alice", "person")
    assert (audit.object_id, audit.person_ids, audit.changes) == (
        world.case.person_id,
        [world.case.person_id],
        {"shown": "nrm_referrals", "count": 0},
    )


def test_a_referral_is_recorded_through_the_form(world: World) -> None:
    client = verified_client(world.mash)
    url = f"{_person_url(world)}new/"
    form = client.get(url).content.decode()
    assert "A child does not need to consent" in form and 'name="referred_on_day"' in form
    response = client.post(
        url,
        {
            "first_responder": "Northbridge Police",
            **_date_parts("referred_on", days_ago(1)),
            "exploitation_types": ["criminal", "county_lines"],
            "county_lines": "yes",
            "notes": "Found with cash.",
        },
    )
    referral = NrmReferral.objects.get()
    assert response.status_code == 302 and response["Location"] == _detail_url(referral)
    assert (referral.first_responder, referral.referred_on, referral.county_lines) == (
        "Northbridge Police",
        days_ago(1),
        True,
    )
    assert Deadline.objects.get(subject_id=referral.pk).status == DeadlineStatus.RUNNING
    page = client.get(_person_url(world)).content.decode()
    assert (
        'data-label="Reasonable grounds"><strong class="govuk-tag govuk-tag--green">Running</strong>' in page
    )
    assert re.search(r"Due <time datetime=\"[^\"]+\">[^<]+</time> \(\d+ days?( \d+ hours?)? left\)", page)
    assert "Child criminal exploitation, County lines" in page
    for label in ["Referred", "First responder", "Exploitation", "Conclusive grounds", "Guardian"]:
        assert f'data-label="{label}"' in page


def test_mistakes_on_the_form_are_an_error_summary_and_nothing_is_saved(world: World) -> None:
    client = verified_client(world.mash)
    response = client.post(
        f"{_person_url(world)}new/",
        {
            "first_responder": "",
            **_date_parts("referred_on", timezone.localdate() + timedelta(days=2)),
            "exploitation_types": ["criminal", "not-a-type"],
        },
    )
    assert response.status_code == 200
    assert _summary(response.content.decode()) == [
        "Enter the name of the first responder organisation that made the referral",
        "Select the types of exploitation from the list",
        "Select yes if the exploitation involves county lines",
    ]
    # The date's own rule is the service's, once the form's answers are whole.
    response = client.post(
        f"{_person_url(world)}new/",
        {
            "first_responder": "Northbridge Police",
            **_date_parts("referred_on", timezone.localdate() + timedelta(days=2)),
            "exploitation_types": ["criminal"],
            "county_lines": "no",
        },
    )
    html = response.content.decode()
    assert _summary(html) == ["The date the referral was made must be today or in the past"]
    assert 'href="#id_referred_on_day"' in html
    assert not NrmReferral.objects.exists() and not Deadline.objects.exists()


def test_the_referrals_page_shows_the_decisions_and_the_forms_that_follow(world: World) -> None:
    referral = refer(world, referred_on=days_ago(40))
    client = verified_client(world.mash)
    page = client.get(_detail_url(referral)).content.decode()
    assert (
        "Record the reasonable grounds decision" in page
        and "Record the conclusive grounds decision" not in page
    )
    assert "NRM reasonable grounds decision" in page  # the clock panel
    assert 'name="rg-decided_on_day"' in page and 'name="ictg_referred_on_day"' in page

    response = client.post(
        _detail_url(referral),
        {
            "form": "reasonable_grounds",
            "rg-outcome": "positive",
            **_date_parts("rg-decided_on", days_ago(35)),
            "rg-decided_by": "devolved_panel",
            "rg-decision_maker_name": "Northbridge devolved child panel",
        },
    )
    assert response.status_code == 302
    page = client.get(_detail_url(referral)).content.decode()
    earliest = days_ago(35) + timedelta(days=30)
    assert f"Recovery period until at least {earliest.day} {earliest:%B %Y}" in page
    assert (
        "Record the reasonable grounds decision" not in page
        and "Record the conclusive grounds decision" in page
    )
    # Recorded 40 days after the referral, the clock was already due, so breached at once (notified late); the
    # decision meets it late, whatever its date.
    assert '<strong class="govuk-tag govuk-tag--orange">Met late</strong>' in page

    too_early = client.post(
        _detail_url(referral),
        {
            "form": "conclusive_grounds",
            "cg-outcome": "positive",
            **_date_parts("cg-decided_on", earliest - timedelta(days=1)),
            "cg-decided_by": "sca",
            "cg-decision_maker_name": "SCA",
        },
    )
    assert too_early.status_code == 200
    assert _summary(too_early.content.decode()) == [
        "The date of the decision must be on or after the end of the recovery period, 30 days after the reasonable "
        f"grounds decision ({earliest.day} {earliest:%B %Y})"
    ]
    referral.refresh_from_db()
    assert referral.cg_outcome == ""
    ok = client.post(
        _detail_url(referral),
        {
            "form": "conclusive_grounds",
            "cg-outcome": "negative",
            **_date_parts("cg-decided_on", earliest),
            "cg-decided_by": "sca",
            "cg-decision_maker_name": "SCA",
        },
    )
    assert ok.status_code == 302
    page = client.get(_detail_url(referral)).content.decode()
    assert (
        "Negative conclusive grounds decision" in page
        and "Record the conclusive grounds decision" not in page
    )


def test_the_guardian_is_recorded_from_the_referrals_page(world: World) -> None:
    referral = refer(world, referred_on=days_ago(5))
    client = verified_client(world.mash)
    missing = client.post(
        _detail_url(referral),
        {
            "form": "guardian",
            "version": "1",
            **_date_parts("ictg_allocated_on", days_ago(1)),
            "ictg_guardian_name": "Sam",
        },
    )
    assert _summary(missing.content.decode()) == [
        "Enter the date the child was referred to the guardian service, including a day, month and year"
    ]
    saved = client.post(
        _detail_url(referral),
        {
            "form": "guardian",
            "version": "1",
            **_date_parts("ictg_referred_on", days_ago(4)),
            **_date_parts("ictg_allocated_on", days_ago(1)),
            "ictg_guardian_name": "Sam Guardian",
            "ictg_organisation": "Barnardo's",
        },
    )
    assert saved.status_code == 302
    page = client.get(_person_url(world)).content.decode()
    assert "Sam Guardian, Barnardo&#x27;s" in page
    stale = client.post(
        _detail_url(referral),
        {"form": "guardian", "version": "1", **_date_parts("ictg_referred_on", days_ago(3))},
    )
    assert "changed by someone else" in _summary(stale.content.decode())[0]


def test_a_partner_agency_reads_without_forms_and_outsiders_get_404(world: World) -> None:
    referral = refer(world)
    police = verified_client(world.police_officer)
    page = police.get(_detail_url(referral))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Zephyrine Quillfeather" in html and 'name="form"' not in html
    posted = police.post(
        _detail_url(referral),
        {"form": "reasonable_grounds", "rg-outcome": "positive", **_date_parts("rg-decided_on", days_ago(0))},
    )
    assert posted.status_code == 404
    for outsider in (world.housing_officer, world.stranger, world.admin):
        client = verified_client(outsider)
        for url in (_detail_url(referral), _person_url(world), f"{_person_url(world)}new/"):
            response = client.get(url)
            assert response.status_code == 404 and b"Quillfeather" not in response.content, (outsider, url)
    assert verified_client(world.mash).get(f"/nrm/referrals/{uuid.uuid4()}/").status_code == 404
    assert verified_client(world.mash).post(_detail_url(referral), {"form": "delete"}).status_code == 404
    referral.refresh_from_db()
    assert referral.rg_outcome == ""
    (audit,) = _audits("bob", "nrm_referral")
    assert (audit.object_id, audit.person_ids) == (referral.pk, [world.case.person_id])


def test_the_chronology_and_the_person_page_reach_the_nrm_record(world: World) -> None:
    referral = decided_referral(world, referred_days_ago=45, rg_days_ago=40)
    decide_cg(
        world,
        referral,
        decided_on=days_ago(5),
        decided_by="devolved_panel",
        decision_maker_name="Child panel",
    )
    client = verified_client(world.mash)
    chronology = client.get(f"/chronology/{world.case.person_id}/").content.decode()
    for title in [
        "NRM referral made",
        "Positive reasonable grounds decision (NRM)",
        "Positive conclusive grounds decision (NRM)",
    ]:
        assert f'<a class="govuk-link" href="{_detail_url(referral)}">{title}</a>' in chronology
    assert "Decided by Child panel" in chronology and "By Northbridge Police" in chronology
    only = client.get(f"/chronology/{world.case.person_id}/", {"kind": "nrm_conclusive_grounds"})
    assert "NRM referral made" not in only.content.decode()
    # The administrator reads no case data, so is not offered the link.
    assert not any(link.key == "nrm" for link in record_links(world.admin))
    person = client.get(f"/people/{world.case.person_id}/").content.decode()
    assert f'href="/nrm/people/{world.case.person_id}/">National Referral Mechanism' in person


def test_the_childs_page_has_a_constant_query_count(world: World) -> None:
    client = verified_client(world.mash)
    url = _person_url(world)
    refer(world, referred_on=days_ago(60))
    # access (person with permission subquery), the referrals of the cases alice may see, their open reasonable
    # grounds clocks, the open case she may change (the "Record" button), audit INSERT
    expected = SESSION_PAGE + 1 + 1 + 1 + 1 + 1 + SESSION_SAVE
    assert count_queries(client, url) == expected
    first = NrmReferral.objects.get()
    decide_rg(world, first, decided_on=days_ago(58))
    second = decided_referral(world, referred_days_ago=30, rg_days_ago=28, outcome="negative")
    decide_cg(world, first, decided_on=days_ago(20))
    refer(world, referred_on=days_ago(2))
    assert count_queries(client, url) == expected
    assert second.pk in {r.pk for r in NrmReferral.objects.all()}


def test_the_referrals_page_has_a_constant_query_count(world: World) -> None:
    referral = refer(world, referred_on=days_ago(60))
    client = verified_client(world.mash)
    url = _detail_url(referral)
    # access (referral with child, case, agency and recorder, case-permission subquery), whether alice may change
    # the case, audit INSERT, the clock panel's clocks and their history
    expected = SESSION_PAGE + 1 + 1 + 1 + 2 + SESSION_SAVE
    assert count_queries(client, url) == expected
    decide_rg(world, referral, decided_on=days_ago(50))
    decide_cg(world, referral, decided_on=days_ago(5))
    assert count_queries(client, url) == expected
    assert count_queries(verified_client(world.police_officer), url) == expected


def test_the_lead_agencys_case_page_shows_the_nrm_clock(world: World) -> None:
    refer(world)
    page = verified_client(world.mash).get(f"/cases/{world.case.pk}/").content.decode()
    assert "NRM reasonable grounds decision" in page and "Zephyrine Q.: NRM referral of" in page


def test_anonymous_is_sent_to_sign_in(world: World) -> None:
    response = Client().get(_person_url(world))
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")
