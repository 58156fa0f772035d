"""The education pages: readers of the child's open case see them, writers record on them, everyone else gets
the same 404 as for a record that does not exist; bad input is an error summary with nothing saved; every
page that shows the child writes one audit row; and each page's queries do not grow with the record."""

import re
import uuid
from datetime import timedelta
from html import unescape

import pytest
from django.core import mail
from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from audits.models import AuditEvent
from cases.education.models import EducationChange, RollLeftAlert, SchoolPlaceApplication
from cases.education.services import school_place_application_record
from safeguarding.deadlines.models import Deadline, DeadlineStatus, Notification, OutboxMessage
from safeguarding.people.services import person_create
from tests import factories
from tests.conftest import World, count_queries, verified_client
from tests.education.conftest import Edu, days_ago, deliver_all, record
from tests.test_query_counts import SESSION_PAGE, SESSION_SAVE

pytestmark = pytest.mark.django_db


def _page(world: World) -> str:
    return f"/education/people/{world.case.person_id}/"


def _date(prefix: str, day: object) -> dict[str, str]:
    assert hasattr(day, "day")
    return {f"{prefix}_day": str(day.day), f"{prefix}_month": str(day.month), f"{prefix}_year": str(day.year)}  # type: ignore[attr-defined]


def _change_post(status: str, days: int = 1, **extra: str) -> dict[str, str]:
    return {
        "form": "change",
        "change-status": status,
        "change-provider_name": extra.pop("provider", ""),
        **_date("change-effective_date", days_ago(days)),
        "change-note": extra.pop("note", ""),
        **extra,
    }


def _text(html: bytes) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html.decode())))


def _application(world: World) -> SchoolPlaceApplication:
    return school_place_application_record(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        case=world.case,
        school_name="Northbridge Academy",
        applied_on=days_ago(5),
        due_on=timezone.localdate() + timedelta(days=10),
    )


# --- Who sees what -----------------------------------------------------------------------------------------


def test_the_owner_sees_the_record_and_the_forms_and_a_partner_agency_only_the_record(world: World) -> None:
    record(world, "on_roll", days=20, provider="Northbridge Academy")
    alice = verified_client(world.mash).get(_page(world))
    assert alice.status_code == 200
    html = alice.content.decode()
    assert "Zephyrine Quillfeather" in html and "Northbridge Academy" in html
    assert 'name="change-status"' in html and 'name="application-school_name"' in html
    bob = verified_client(world.police_officer).get(_page(world))
    assert bob.status_code == 200 and "Northbridge Academy" in bob.content.decode()
    assert 'name="change-status"' not in bob.content.decode()
    refused = verified_client(world.police_officer).post(_page(world), _change_post("missing_education"))
    assert refused.status_code == 404
    assert EducationChange.objects.count() == 1


@pytest.mark.parametrize("persona", ["housing_officer", "stranger", "admin"])
def test_outsiders_get_not_found_everywhere(world: World, persona: str) -> None:
    change = record(world, "on_roll").change
    application = _application(world)
    client = verified_client(getattr(world, persona))
    for url in (
        _page(world),
        f"/education/changes/{change.pk}/",
        f"/education/applications/{application.pk}/",
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, _change_post("missing_education")).status_code == 404, url
    assert EducationChange.objects.count() == 1


def test_missing_records_are_not_found(world: World) -> None:
    client = verified_client(world.mash)
    for url in (
        f"/education/people/{uuid.uuid4()}/",
        f"/education/changes/{uuid.uuid4()}/",
        f"/education/applications/{uuid.uuid4()}/",
    ):
        assert client.get(url).status_code == 404


def test_a_person_with_no_open_case_is_told_so_and_shown_nothing(world: World) -> None:
    adult = person_create(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        data=factories.person_data(
            given_name="Dex", family_name="Nocase", date_of_birth=timezone.localdate().replace(year=1990)
        ),
    )
    client = verified_client(world.mash)
    response = client.get(f"/education/people/{adult.pk}/")
    assert response.status_code == 200
    assert "Dex Nocase has no open case that you can see" in _text(response.content)
    assert 'name="change-status"' not in response.content.decode()
    assert client.post(f"/education/people/{adult.pk}/", _change_post("on_roll")).status_code == 404
    assert (
        AuditEvent.objects.filter(actor=world.mash, person_ids__contains=[adult.pk], action="view").count()
        == 1
    )


# --- Recording a change ------------------------------------------------------------------------------------


def test_moving_the_child_to_home_education_records_it_tells_both_once_and_shows_it_everywhere(
    world: World, edu: Edu
) -> None:
    client = verified_client(world.mash)
    assert (
        client.post(
            _page(world), _change_post("on_roll", days=40, provider="Northbridge Academy")
        ).status_code
        == 302
    )

    response = client.post(_page(world), _change_post("elective_home_education", days=2), follow=True)

    assert response.redirect_chain == [(_page(world), 302)]
    text = _text(response.content)
    assert "The change has been recorded." in text
    assert (
        "The case's lead agency, Northbridge Children's Social Care (no worker is allocated), and the education "
        "lead at Northbridge Education Services have been told that a child at risk has come off a school roll"
        in text
    )
    history = text[text.index("History") :]
    assert history.index("Elective home education") < history.index("On roll at a school")
    assert "The case owner and the education lead were told" in history
    assert OutboxMessage.objects.count() == 2 and deliver_all() == 2
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == ["alice", "elena"]
    assert len(mail.outbox) == 2

    again = client.post(_page(world), _change_post("elective_home_education", days=2), follow=True)

    assert "This change was already recorded. No one has been told again." in _text(again.content)
    assert EducationChange.objects.count() == 2 and OutboxMessage.objects.count() == 2 and deliver_all() == 0
    chronology = _text(client.get(f"/chronology/{world.case.person_id}/").content)
    assert "Education status: Elective home education" in chronology
    assert "Education status: On roll at a school" in chronology


def test_the_page_says_when_the_education_lead_could_not_be_told(world: World) -> None:
    client = verified_client(world.mash)
    client.post(_page(world), _change_post("on_roll", days=40))
    response = client.post(_page(world), _change_post("missing_education"), follow=True)
    text = _text(response.content)
    assert "The education lead could not be told: there is no education agency for this authority" in text
    assert "the authority has no education agency to tell" in text  # on the entry, for good
    assert EducationChange.objects.get(status="missing_education").alert == RollLeftAlert.OWNER_ONLY


def test_a_change_with_mistakes_is_an_error_summary_and_saves_nothing(world: World) -> None:
    client = verified_client(world.mash)
    response = client.post(
        _page(world),
        {
            "form": "change",
            "change-status": "",
            "change-effective_date_day": "31",
            "change-effective_date_month": "2",
            "change-effective_date_year": "2026",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "There is a problem" in html
        and "<title>Education: Zephyrine Quillfeather - Error - Reachable</title>" in html
    )
    assert 'href="#id_change-status">Select their education status</a>' in html
    assert 'href="#id_change-effective_date_day">The date it took effect must be a real date' in html
    assert 'record-change" open' in html  # the form is open to show its errors
    too_far = client.post(_page(world), _change_post("on_roll", days=-30))
    assert "The date it took effect must be no more than 14 days from today" in _text(too_far.content)
    before_birth = client.post(
        _page(world),
        {
            **_change_post("on_roll"),
            **_date("change-effective_date", world.case.person.date_of_birth - timedelta(days=1)),
        },  # type: ignore[operator]
    )
    assert "must be on or after the child's date of birth" in _text(before_birth.content)
    assert not EducationChange.objects.exists()


def test_an_unknown_form_is_not_found(world: World) -> None:
    assert verified_client(world.mash).post(_page(world), {"form": "other"}).status_code == 404


# --- One entry, and its correction -------------------------------------------------------------------------


def test_an_entry_is_corrected_with_a_reason_and_stays_in_the_history(world: World) -> None:
    wrong = record(world, "on_roll", days=20, provider="Northbridge Academy").change
    client = verified_client(world.mash)
    url = f"/education/changes/{wrong.pk}/"
    page = client.get(url)
    assert page.status_code == 200 and 'name="correction_reason"' in page.content.decode()
    assert 'value="Northbridge Academy"' in page.content.decode()  # the form starts from the entry
    no_reason = client.post(
        url, {"status": "on_roll", "provider_name": "Southfield", **_date("effective_date", days_ago(20))}
    )
    assert (
        'href="#id_correction_reason">Enter why the entry is being corrected</a>'
        in no_reason.content.decode()
    )
    corrected = client.post(
        url,
        {
            "status": "on_roll",
            "provider_name": "Southfield Academy",
            **_date("effective_date", days_ago(20)),
            "correction_reason": "The wrong school was recorded",
        },
    )
    assert corrected.status_code == 302 and corrected["Location"] == _page(world)
    fixed = EducationChange.objects.get(corrects=wrong)
    assert fixed.provider_name == "Southfield Academy"
    person_page = _text(client.get(_page(world)).content)
    assert (
        "Corrected" in person_page
        and "Corrects an earlier entry: The wrong school was recorded" in person_page
    )
    old = client.get(url)
    assert (
        "This entry was corrected" in _text(old.content)
        and 'name="correction_reason"' not in old.content.decode()
    )
    assert client.post(url, {"correction_reason": "again"}).status_code == 404


def test_a_partner_agency_sees_an_entry_but_cannot_correct_it(world: World) -> None:
    change = record(world, "on_roll").change
    bob = verified_client(world.police_officer)
    page = bob.get(f"/education/changes/{change.pk}/")
    assert page.status_code == 200 and 'name="correction_reason"' not in page.content.decode()
    assert bob.post(f"/education/changes/{change.pk}/", {"correction_reason": "x"}).status_code == 404


def test_an_entry_that_told_someone_shows_its_clock(world: World, edu: Edu) -> None:
    record(world, "on_roll", days=30)
    change = record(world, "elective_home_education").change
    page = _text(verified_client(world.mash).get(f"/education/changes/{change.pk}/").content)
    assert "Child at risk off a school roll: follow up" in page


# --- School place applications -----------------------------------------------------------------------------


def test_an_application_is_recorded_and_its_outcome_meets_its_clock(world: World) -> None:
    client = verified_client(world.mash)
    due = timezone.localdate() + timedelta(days=10)
    bad = client.post(_page(world), {"form": "application", "application-school_name": ""})
    assert bad.status_code == 200
    assert (
        'href="#id_application-school_name">Enter the name of the school applied to</a>'
        in bad.content.decode()
    )
    assert "Enter the date a decision is due by, including a day, month and year" in bad.content.decode()
    made = client.post(
        _page(world),
        {
            "form": "application",
            "application-school_name": "Northbridge Academy",
            **_date("application-applied_on", days_ago(3)),
            **_date("application-due_on", due),
        },
    )
    assert made.status_code == 302
    application = SchoolPlaceApplication.objects.get()
    assert "Waiting" in _text(client.get(_page(world)).content)
    url = f"/education/applications/{application.pk}/"
    page = client.get(url)
    assert page.status_code == 200 and "School place application" in _text(page.content)
    no_outcome = client.post(url, {"version": "1", **_date("outcome_on", days_ago(1))})
    assert 'href="#id_outcome">Select the outcome of the application</a>' in no_outcome.content.decode()
    decided = client.post(url, {"version": "1", "outcome": "offered", **_date("outcome_on", days_ago(1))})
    assert decided.status_code == 302
    assert Deadline.objects.get(subject_id=application.pk).status == DeadlineStatus.MET
    stale = client.post(url, {"version": "1", "outcome": "refused", **_date("outcome_on", days_ago(1))})
    assert stale.status_code == 404  # decided: no longer a form to post to
    assert "Place offered" in _text(client.get(_page(world)).content)


def test_an_overdue_application_says_so(world: World) -> None:
    school_place_application_record(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        case=world.case,
        school_name="Late Academy",
        applied_on=days_ago(20),
        due_on=days_ago(2),
    )
    assert "Overdue" in _text(verified_client(world.mash).get(_page(world)).content)


# --- Audit and query counts --------------------------------------------------------------------------------


def test_every_page_that_shows_the_child_is_one_audited_look(world: World, edu: Edu) -> None:
    record(world, "on_roll", days=30)
    change = record(world, "elective_home_education").change
    application = _application(world)
    client = verified_client(world.police_officer)
    for url in (
        _page(world),
        f"/education/changes/{change.pk}/",
        f"/education/applications/{application.pk}/",
    ):
        before = AuditEvent.objects.filter(
            actor=world.police_officer, person_ids__contains=[world.case.person_id]
        ).count()
        assert client.get(url).status_code == 200
        after = AuditEvent.objects.filter(
            actor=world.police_officer, person_ids__contains=[world.case.person_id]
        ).count()
        assert after == before + 1, url


def _grow(world: World, n: int) -> None:
    for i in range(n):
        record(world, "on_roll" if i % 2 else "alternative_provision", days=100 + i, provider=f"School {i}")
        school_place_application_record(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            case=world.case,
            school_name=f"School {i}",
            applied_on=days_ago(50 + i),
            due_on=days_ago(40 + i),
        )


def test_the_childs_education_page_has_an_exact_and_constant_query_count(world: World) -> None:
    client = verified_client(world.mash)
    # the child's open case with the reader's grants (1), the audit INSERT, the history, the applications
    expected = SESSION_PAGE + 1 + 1 + 1 + 1 + SESSION_SAVE
    assert count_queries(client, _page(world)) == expected
    _grow(world, 12)
    assert count_queries(client, _page(world)) == expected


def test_an_entrys_page_has_an_exact_query_count(world: World, edu: Edu) -> None:
    client = verified_client(world.mash)
    quiet = record(world, "on_roll", days=30).change
    # the entry with its correction and the reader's grants (1), the audit INSERT
    assert count_queries(client, f"/education/changes/{quiet.pk}/") == SESSION_PAGE + 1 + 1 + SESSION_SAVE
    told = record(world, "elective_home_education").change
    # ... and, for an entry that told someone, its clocks and their history
    assert count_queries(client, f"/education/changes/{told.pk}/") == SESSION_PAGE + 1 + 1 + 2 + SESSION_SAVE


def test_an_applications_page_has_an_exact_query_count(world: World) -> None:
    client = verified_client(world.mash)
    application = _application(world)
    # the application with the reader's grants (1), the audit INSERT, its clocks and their history
    assert (
        count_queries(client, f"/education/applications/{application.pk}/")
        == SESSION_PAGE + 1 + 1 + 2 + SESSION_SAVE
    )
