"""The MASH front door in real Chromium: a custody booking and its Golden Hour, and a referral that goes red,
is answered by police and housing in their own sessions, is decided as an urgent response, and is met by the
urgent response worker's first contact. Every page visited, including each error state, is checked with
axe-core for WCAG 2.2 A and AA and for failed or blocked resources (BrowserSession.check in conftest.py)."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, expect

from audits.context import SYSTEM_CONTEXT
from referrals.models import InformationRequest, InformationShare, Referral
from referrals.services import referral_create
from safeguarding.deadlines.models import Deadline
from safeguarding.organisations.models import User
from safeguarding.organisations.roles import Role
from tests import factories
from tests.browser.conftest import _CSP_LISTENER, BrowserSession, current_totp_code
from tests.browser.test_sign_in_and_person import (
    assert_error_links_focus_fields,
    assert_error_summary,
    enter_code,
    sign_in_with_password,
)
from tests.conftest import SENTINEL_FAMILY_NAME, SENTINEL_GIVEN_NAME, World

pytestmark = pytest.mark.browser

FULL_NAME = f"{SENTINEL_GIVEN_NAME} {SENTINEL_FAMILY_NAME}"


def sign_in(session: BrowserSession, user: User) -> Page:
    """Password, then the first sign-in's two-factor enrolment with a code from the 'authenticator app'."""
    page = sign_in_with_password(session, user)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    session.check(f"{user.username}'s two-factor enrolment")
    enter_code(page, current_totp_code(TOTPDevice.objects.get(user=user, confirmed=False)))
    expect(page).to_have_url(session.url("/"))
    session.check(f"{user.username}'s home page")
    return page


def fill_moment(page: Page, legend: str, time_label: str, moment: datetime) -> None:
    local = timezone.localtime(moment)
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(local.day))
    group.get_by_label("Month").fill(str(local.month))
    group.get_by_label("Year").fill(str(local.year))
    page.get_by_label(time_label).fill(local.strftime("%H:%M"))


def choose(page: Page, group: str, option: str) -> None:
    page.get_by_role("group", name=group).get_by_label(option, exact=True).check()


@contextmanager
def another_session(chromium: Browser, origin: str) -> Iterator[BrowserSession]:
    """A separate browser context (its own cookies: another person at another desk), with the same checks as
    the browser_session fixture's."""
    context = chromium.new_context(base_url=origin, locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    context.add_init_script(_CSP_LISTENER)
    page = context.new_page()
    session = BrowserSession(page=page, origin=origin)
    page.on("response", session.on_response)
    page.on("requestfailed", session.on_request_failed)
    page.on("console", session.on_console)
    page.on("pageerror", session.on_page_error)
    try:
        yield session
        session.assert_no_problems("the last page")
    finally:
        context.close()


def test_mash_practitioner_logs_a_custody_booking_and_meets_the_golden_hour(
    browser_session: BrowserSession, world: World
) -> None:
    session = browser_session
    page = sign_in(session, world.mash)

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Referrals").click()
    expect(page).to_have_url(session.url("/referrals/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Referrals")
    session.check("the referral list")

    page.get_by_role("link", name="Record a custody booking").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find the child")
    session.check("the search before recording a custody booking")

    # Searching with nothing to search for explains itself.
    page.get_by_role("button", name="Search").click()
    assert_error_summary(page, "Enter a name or alias to search for")
    session.check("the search with no name")

    # With JavaScript, htmx brings the matches in as the name is typed (a misspelling still finds her).
    page.get_by_label("Name or alias").fill("Zephyrine Quilfeather")
    results = page.locator("#search-results")
    expect(results.get_by_role("heading", name="1 possible match")).to_be_visible()
    expect(page.locator("#search-status")).to_have_text("1 possible match found.")
    session.check("the search results brought in by htmx")
    results.get_by_label(f"{SENTINEL_FAMILY_NAME.upper()}, {SENTINEL_GIVEN_NAME}").check()
    results.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"The custody booking about {FULL_NAME}")
    session.check("the custody booking form")

    # Saving it empty shows every missing answer; nothing is saved.
    page.get_by_role("group", name="When was the child booked into custody?").get_by_label("Day").fill("")
    page.get_by_role("button", name="Save custody booking").click()
    assert_error_summary(
        page,
        "Enter the police force holding the child",
        "Enter the date the child was booked in, including a day, month and year",
        "Select at least one concern",
    )
    session.check("the custody booking form with errors")
    assert assert_error_links_focus_fields(page) >= 10
    assert Referral.objects.count() == 0

    booked = timezone.now() - timedelta(minutes=20)
    page.get_by_label("Police force").fill("Nottinghamshire Police")
    choose(page, "Is the force outside this authority's area?", "Yes")
    page.get_by_label("Custody suite").fill("Bridewell")
    fill_moment(page, "When was the child booked into custody?", "Time booked in", booked)
    page.get_by_label("Offence or reason for arrest").fill("Possession with intent to supply")
    choose(page, "Appropriate adult", "Requested, not yet arrived")
    choose(page, "Has a PACE section 38(6) transfer been requested?", "No")
    page.get_by_label("Custody officer's name").fill("PS Khan")
    choose(page, "What are the concerns?", "County lines")
    page.get_by_label("What has happened?").fill("Arrested 60 miles from home with cash and two phones.")
    choose(page, "Consent to share information", "Consent not sought")
    page.get_by_label("If consent was not sought, why not?").fill(
        "The child is in custody; asking could raise the risk."
    )
    page.get_by_role("group", name="Lawful basis for sharing").get_by_label(re.compile("DPA 2018")).check()
    page.get_by_role("button", name="Save custody booking").click()

    referral = Referral.objects.get()
    expect(page).to_have_url(session.url(f"/referrals/{referral.pk}/custody/"))
    golden_hour = page.locator("#golden-hour")
    expect(golden_hour.get_by_role("heading", name="Golden Hour")).to_be_visible()
    expect(golden_hour.locator("[data-clock-tag]")).to_have_text("Running")
    # About 40 minutes left, counting down live.
    expect(golden_hour.locator("[data-clock-remaining]")).to_have_text(
        re.compile(r"^(39|40) minutes( \d+ seconds?)? left$")
    )
    session.check("the custody booking with the Golden Hour running")

    # Recording what was shared, and with whom, meets the Golden Hour.
    page.get_by_label("Who in custody did you share it with?").fill("Custody sergeant on duty")
    page.get_by_label("What did you share?").fill(
        "Known to the MASH: exploitation concerns; social worker on the way."
    )
    page.get_by_role("button", name="Record what was shared").click()
    expect(page).to_have_url(session.url(f"/referrals/{referral.pk}/custody/"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "What you shared with custody has been recorded"
    )
    expect(golden_hour.locator(".govuk-tag")).to_have_text("Met")
    expect(page.get_by_role("cell", name="Custody sergeant on duty", exact=True)).to_be_visible()
    session.check("the custody booking with the Golden Hour met")

    clock = Deadline.objects.get(policy="golden_hour", subject_id=referral.custody_booking.pk)
    assert clock.status == "met" and clock.breached_at is None
    assert InformationShare.objects.get().shared_with == "Custody sergeant on duty"
    assert len(session.checked) == 2 + 8, session.checked


def _referral_for_gathering(world: World) -> Referral:
    return referral_create(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        data={
            "source": "2A",
            "referrer_name": "Head of year",
            "referrer_contact": "01234 567890",
            "received_at": timezone.now() - timedelta(minutes=45),
            "concerns": ["cce", "missing"],
            "narrative": "Seen with older males, a new phone, missing twice this month.",
            "consent": "not_sought",
            "consent_not_sought_reason": "Seeking consent could place the child at greater risk.",
            "lawful_basis": "dpa2018_sch1_para18",
        },
        idempotency_key="browser-gathering",
        person=world.case.person,
    )


def _answer_request(session: BrowserSession, user: User, answer: str, share_with: str | None = None) -> None:
    page = sign_in(session, user)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Information requests").click()
    expect(page).to_have_url(session.url("/referrals/requests/"))
    expect(page.locator("caption")).to_have_text("1 request waiting for an answer")
    session.check(f"{user.username}'s information requests")
    page.get_by_role("link", name=f"{SENTINEL_FAMILY_NAME.upper()}, {SENTINEL_GIVEN_NAME}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(FULL_NAME)
    session.check(f"{user.username}'s information request")
    page.get_by_role("button", name="Send answer").click()
    assert_error_summary(page, "Enter your agency's answer")
    session.check(f"{user.username}'s information request with an error")
    page.get_by_label("Your agency's answer").fill(answer)
    page.get_by_label("Where does the answer come from?").fill("Our case records")
    if share_with:
        page.get_by_role("group", name=re.compile("Share your answer")).get_by_label(share_with).check()
    page.get_by_role("button", name="Send answer").click()
    expect(page).to_have_url(session.url("/referrals/requests/"))
    expect(page.get_by_text("There are no requests waiting for your agency's answer.")).to_be_visible()
    session.check(f"{user.username}'s information requests, all answered")
    assert len(session.checked) == 2 + 4, session.checked


def test_referral_goes_red_agencies_answer_and_urgent_response_meets_48_hours(
    browser_session: BrowserSession, world: World, chromium: Browser, live_server: Any
) -> None:
    urgent_worker = factories.user(
        world.social_care, Role.URGENT_RESPONSE_WORKER, username="uma", first_name="Uma"
    )
    referral = _referral_for_gathering(world)
    detail_url = f"/referrals/{referral.pk}/"

    # The MASH rates the referral red and asks police and housing.
    session = browser_session
    page = sign_in(session, world.mash)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Referrals").click()
    page.get_by_role("link", name=f"{SENTINEL_FAMILY_NAME.upper()}, {SENTINEL_GIVEN_NAME}").click()
    expect(page).to_have_url(session.url(detail_url))
    expect(page.get_by_role("heading", level=1)).to_have_text(FULL_NAME)
    session.check("the referral")
    page.get_by_role("link", name="Rate and ask agencies").click()
    session.check("the rating form")
    page.get_by_role("button", name="Save rating and ask agencies").click()
    assert_error_summary(page, "Select a RAG rating", "Select at least one agency to ask for information")
    session.check("the rating form with errors")
    choose(page, "RAG rating", "Red")
    choose(page, "Which agencies should check their records?", "Northbridge Police")
    choose(page, "Which agencies should check their records?", "Northbridge Housing")
    page.get_by_label("What do you want to know?").fill(
        "Who is he spending time with, and where is the family living?"
    )
    page.get_by_role("button", name="Save rating and ask agencies").click()
    expect(page).to_have_url(session.url(detail_url))
    expect(page.get_by_text("0 of 2 agencies answered")).to_be_visible()
    session.check("the referral, rated red, waiting for answers")
    assert InformationRequest.objects.filter(referral=referral, rag_rating="red").count() == 2

    # Police and housing answer in their own sessions; housing shares its answer with police.
    with another_session(chromium, live_server.url) as police:
        _answer_request(
            police, world.police_officer, "Stopped twice with older males linked to a county line."
        )
    with another_session(chromium, live_server.url) as housing:
        _answer_request(
            housing,
            world.housing_officer,
            "Family in temporary accommodation since March.",
            "Northbridge Police",
        )

    # The MASH sees both answers, and decides on an urgent response.
    page.reload()
    expect(page.get_by_text("2 of 2 agencies answered")).to_be_visible()
    expect(page.get_by_text("Stopped twice with older males")).to_be_visible()
    expect(page.get_by_text("Family in temporary accommodation")).to_be_visible()
    session.check("the referral with both answers")
    page.get_by_role("link", name="Record the decision").click()
    session.check("the decision form")
    choose(page, "Decision", "Urgent response (48 hours)")
    page.get_by_label("Rationale").fill("Red: linked to a county line and missing; needs to be reached now.")
    page.get_by_role("button", name="Record decision").click()
    expect(page).to_have_url(session.url(detail_url))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The 48-hour urgent response clock has started"
    )
    session.check("the referral, decided")

    # The urgent response worker finds the child in their queue and records the first contact.
    with another_session(chromium, live_server.url) as urgent:
        worker = sign_in(urgent, urgent_worker)
        worker.get_by_role("navigation", name="Menu").get_by_role("link", name="Referrals").click()
        worker.get_by_role("link", name="Urgent response queue").click()
        expect(worker).to_have_url(urgent.url("/referrals/urgent/"))
        expect(worker.locator("caption")).to_have_text("1 open urgent response, soonest due first")
        urgent.check("the urgent response queue")
        worker.get_by_role("link", name=f"{SENTINEL_FAMILY_NAME.upper()}, {SENTINEL_GIVEN_NAME}").click()
        card = worker.locator("#urgent-response")
        expect(card.locator("[data-clock-remaining]")).to_have_text(
            re.compile(r"^(1 day 23 hours|2 days) left$")
        )
        urgent.check("the urgent response page")
        worker.get_by_role("button", name="Record contact").click()
        assert_error_summary(worker, "Select how you made contact", "Enter the support you offered")
        urgent.check("the urgent response page with errors")
        choose(worker, "How did you make contact?", "In person")
        worker.get_by_label("What support did you offer?").fill(
            "Youth worker, a safe place to stay, and a lift home."
        )
        choose(worker, "Did the child accept the support?", "Yes")
        worker.get_by_role("button", name="Record contact").click()
        expect(worker.locator(".govuk-notification-banner")).to_contain_text(
            "The urgent response clock is met"
        )
        expect(card.locator(".govuk-tag")).to_have_text("Met")
        urgent.check("the urgent response page, met")
        worker.get_by_role("link", name="Back to the urgent response queue").click()
        expect(worker.get_by_text("There are no open urgent responses.")).to_be_visible()
        urgent.check("the urgent response queue, empty")
        assert len(urgent.checked) == 2 + 5, urgent.checked

    clock = Deadline.objects.get(policy="urgent_response", subject_id=referral.pk)
    assert clock.status == "met" and clock.breached_at is None
    assert clock.met_at is not None and clock.met_at - clock.started_at < timedelta(hours=48)
    assert len(session.checked) == 2 + 7, session.checked
