"""The front door as its people use it, in real Chromium, each persona in their own two-factor session and
every page checked with axe-core, including at a 375 px wide window. alice (MASH) sees on her home page a
Golden Hour running with its time left and a red request police have not answered; bob (police) is told of the
request (in the app and by email, linking to the configured site), finds it on his home page, answers it with a
3x5x2 grading and handling code C, and cannot cancel its clock; alice tries to add a child who is already
recorded and is offered the existing record; a second custody booking for the same child is shown linked to
the open referral."""

import re
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from referrals.models import InformationRequest
from safeguarding.deadlines.delivery import outbox_deliver
from safeguarding.deadlines.models import Deadline, DeadlineStatus, OutboxMessage
from tests.browser.conftest import BrowserSession
from tests.browser.test_referrals import FULL_NAME, another_session, sign_in
from tests.conftest import (
    SENTINEL_FAMILY_NAME,
    SENTINEL_GIVEN_NAME,
    SENTINEL_NHS_NUMBER,
    World,
    world_police_request,
)
from tests.referrals.test_linked import second_custody_booking

pytestmark = pytest.mark.browser

TIME_LEFT = re.compile(r"\d+ (second|minute|hour|day)s?( \d+ \w+)? left")


def _deliver_everything() -> None:
    """What the outbox worker does once the request is written: each message delivered, once."""
    for message_id in OutboxMessage.objects.filter(delivered_at__isnull=True).values_list("pk", flat=True):
        outbox_deliver(outbox_id=message_id)


def _at_375(session: BrowserSession, page: Page, description: str) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    session.check(f"{description} at 375 px")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_front_door_from_home_page_to_graded_answer(
    browser_session: BrowserSession, world: World, chromium: Browser, live_server: Any
) -> None:
    session = browser_session
    world.police_officer.email = "bob@police.example"
    world.police_officer.save(update_fields=["email"])
    request = world_police_request(world)
    clock = Deadline.objects.get(subject_type="information_request", subject_id=request.pk)

    # alice's home: the Golden Hour with its time left, and police's red request not yet answered.
    page = sign_in(session, world.mash)
    golden = page.get_by_role("table", name="Golden Hours running")
    expect(golden).to_contain_text("Golden Hour (custody)")
    expect(golden.locator("[data-clock-remaining]").first).to_have_text(TIME_LEFT)
    waiting = page.get_by_role("table", name="Information requests not yet answered")
    expect(waiting).to_contain_text("Agency information request (red)")
    expect(waiting).to_contain_text("Northbridge Police")
    _at_375(session, page, "alice's home page")

    # bob is told: in the app, and by an email that links to the configured site.
    _deliver_everything()
    [email] = [m for m in mail.outbox if world.police_officer.email in m.to]
    assert "New work" in email.subject and settings.SITE_URL.rstrip("/") + "/" in email.body
    with another_session(chromium, live_server.url) as police:
        bob = sign_in(police, world.police_officer)
        expect(bob.locator(".reachable-account__notifications")).to_contain_text("unread")
        queue = bob.get_by_role("table", name="Waiting for your agency's answer")
        expect(queue).to_contain_text("Agency information request (red)")
        expect(queue.locator("[data-clock-remaining]").first).to_have_text(TIME_LEFT)
        _at_375(police, bob, "bob's home page")
        queue.get_by_role(
            "link", name=f"{SENTINEL_GIVEN_NAME} {SENTINEL_FAMILY_NAME[0]}.", exact=True
        ).click()
        expect(bob.get_by_role("heading", level=1)).to_have_text(FULL_NAME)
        # The agency chased may answer, but not pause, extend or cancel, its request's clock.
        expect(bob.locator(f"#clock-{clock.pk}-meet")).to_have_count(0)  # met by answering, below
        expect(bob.locator(f"#clock-{clock.pk}-cancel")).to_have_count(0)
        expect(bob.locator(f"#clock-{clock.pk}-pause")).to_have_count(0)
        assert bob.request.get(police.url(f"/deadlines/clock/{clock.pk}/cancel/")).status == 404
        police.check("bob's information request")
        bob.get_by_label("Your agency's answer").fill("Seen twice with an adult known for supplying class A.")
        bob.get_by_label("Where does the answer come from?").fill("Local intelligence reports")
        bob.get_by_label("Source evaluation (3x5x2)").select_option("2")
        bob.get_by_label("Intelligence assessment (3x5x2)").select_option("B")
        bob.get_by_label("Handling code").select_option("C")
        bob.get_by_role("group", name=re.compile("Agencies it may be shared with")).get_by_label(
            "Children's social care"
        ).check()
        bob.get_by_label("Handling conditions").fill("Not to be disclosed to the family.")
        bob.get_by_role("button", name="Send answer").click()
        expect(bob).to_have_url(police.url("/referrals/requests/"))
        police.check("bob's requests, answered")
        bob.goto(police.url(f"/referrals/requests/{request.pk}/"))
        expect(bob.locator(".reachable-answer-grading")).to_contain_text("2B")
        expect(bob.locator(".reachable-answer-grading")).to_contain_text(
            "C: shared only with Children's social care"
        )
        police.check("bob's answered request, with its grading")
    request.refresh_from_db()
    assert (request.source_grade, request.information_grade, request.handling_code) == ("2", "B", "C")
    clock.refresh_from_db()
    assert clock.status == DeadlineStatus.MET

    # The MASH sees the answer with its grading on the referral.
    session.goto(f"/referrals/{request.referral_id}/")
    expect(page.locator(".reachable-answer-grading").first).to_contain_text("2B")
    session.check("the referral with police's graded answer")

    # alice tries to add the child again: the existing record is offered first.
    session.goto("/people/add/")
    page.get_by_label("First name").fill(SENTINEL_GIVEN_NAME)
    page.get_by_label("Last name").fill(SENTINEL_FAMILY_NAME)
    page.get_by_label("NHS number").fill(SENTINEL_NHS_NUMBER)
    page.get_by_label("Estimated age in years").fill("15")
    page.get_by_label("Risk level").select_option("high")
    page.get_by_role("group", name="Types of exploitation suspected").get_by_label(
        "Child criminal exploitation"
    ).check()
    page.get_by_role("button", name="Save person and open case").click()
    offer = page.locator("#possible-matches")
    expect(offer).to_contain_text("This person may already be recorded")
    expect(offer.get_by_role("link", name=FULL_NAME)).to_be_visible()
    session.check("the existing record offered before adding a person")

    # A second custody booking (sent by police) is linked to the open referral, and shown as such.
    second = second_custody_booking(world)
    assert second.linked_to_id == request.referral_id
    session.goto(f"/referrals/{second.pk}/")
    banner = page.get_by_role("region", name="Linked referral")
    expect(banner).to_contain_text("Another referral about")
    expect(banner.get_by_role("button", name="Treat as a new episode")).to_be_visible()
    session.check("the second booking, linked to the open referral")
    assert InformationRequest.objects.filter(referral=second).count() == 0
