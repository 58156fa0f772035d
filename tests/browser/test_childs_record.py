"""The child's record in real Chromium, axe-core clean on every page: the sentinel is reported missing with a
Philomena Part 1 on file; alice produces the police briefing (page and PDF); the child returns and the 72-hour
return home interview clock runs; a refusal without a reason is refused, and with the reason it closes the
clock; the move to elective home education is recorded; the episode, the interview and the education change
are all in her chronology."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from audits.context import SYSTEM_CONTEXT
from cases.missing.services import ProfileDetails, philomena_profile_save
from safeguarding.deadlines.models import Deadline, DeadlineStatus
from tests.browser.conftest import BrowserSession
from tests.browser.test_front_door import _at_375
from tests.browser.test_referrals import FULL_NAME, fill_moment, sign_in
from tests.conftest import World
from tests.missing.conftest import record_return, report

pytestmark = pytest.mark.browser


def test_missing_briefing_return_interview_education_and_chronology(
    browser_session: BrowserSession, world: World, live_server: Any
) -> None:
    session = browser_session
    person = world.case.person
    philomena_profile_save(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        person=person,
        expected_version=None,
        data=ProfileDetails(
            next_review_on=timezone.localdate() + timedelta(days=180),
            description="Slim, 5ft 4, short dark hair; often in a black North Face jacket.",
            associates="Older boys known as 'Tiny' and 'Rem'.",
            addresses_and_places="Eastport: Station Road flats; the chicken shop by the bus station.",
            phones_and_social_media="Two phones; Snapchat handle on file with police.",
            medical_needs="Asthma: carries an inhaler.",
            transport="Uses the X10 bus and trains to Eastport.",
            current_carer="Oak House children's home",
        ),
    )
    episode = report(world)
    page = sign_in(session, world.mash)

    # The episode, and the police briefing from Part 1 and Part 2.
    session.goto(f"/missing/episodes/{episode.pk}/")
    expect(page.locator("main")).to_contain_text(FULL_NAME)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Missing episode reported")
    session.check("the missing episode")
    page.get_by_role("link", name="Produce the police briefing").click()
    expect(page.locator("main")).to_contain_text("black North Face jacket")
    expect(page.locator("main")).to_contain_text("Northbridge bus station")
    session.check("the police briefing")
    pdf = page.request.get(session.url(f"/missing/episodes/{episode.pk}/briefing.pdf"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")

    # The child comes back: the 72-hour clock runs from the time found.
    record_return(world, episode)
    clock = Deadline.objects.get(subject_id=episode.pk, policy="return_home_interview")
    assert clock.status == DeadlineStatus.RUNNING
    session.goto(f"/missing/episodes/{episode.pk}/")
    expect(page.locator("main")).to_contain_text(re.compile(r"Return home interview", re.I))
    session.check("the episode with its interview clock running")
    _at_375(session, page, "the episode")

    # A refusal without a reason is refused; with the reason it closes the clock.
    page.get_by_role("link", name="Record the return home interview").click()
    page.get_by_role("group", name="What happened with the return home interview?").get_by_label(
        "The child refused"
    ).check()
    fill_moment(
        page,
        "When was the interview held, or when did the child refuse?",
        "Time",
        timezone.now() - timedelta(minutes=5),
    )
    page.get_by_role("button", name=re.compile("Record|Save")).click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why the child refused the interview")
    session.check("the interview outcome, refused without a reason")
    clock.refresh_from_db()
    assert clock.status == DeadlineStatus.RUNNING
    page.get_by_label("Why the child refused, or why it was decided not to hold one").fill(
        "Said he will talk to his youth worker, not to us."
    )
    page.get_by_role("button", name=re.compile("Record|Save")).click()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    session.check("the episode with the refusal recorded")
    clock.refresh_from_db()
    assert clock.status != DeadlineStatus.RUNNING

    # Education: elective home education recorded, and its history shows it.
    session.goto(f"/education/people/{person.pk}/")
    page.get_by_text("Record a change of education status").click()
    page.get_by_label("Elective home education").check()
    today = timezone.localdate()
    group = page.get_by_role("group", name="When did it take effect?")
    group.get_by_label("Day").fill(str(today.day))
    group.get_by_label("Month").fill(str(today.month))
    group.get_by_label("Year").fill(str(today.year))
    page.get_by_role("button", name="Record the change").click()
    expect(page.locator("#education-history")).to_contain_text("Elective home education")
    session.check("the education history")

    # The chronology has all three.
    session.goto(f"/chronology/{person.pk}/")
    events = page.locator("main")
    expect(events).to_contain_text(re.compile("missing", re.I))
    expect(events).to_contain_text(re.compile("return home interview", re.I))
    expect(events).to_contain_text("Elective home education")
    session.check("the chronology")
    _at_375(session, page, "the chronology")
