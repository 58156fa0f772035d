"""The Daily Risk Management meeting in real Chromium, axe-core clean: alice records who attended and the
outcome for each child as the meeting goes, without the page reloading, and the list of twelve children fits
a laptop screen's worth of scrolling (no card a screen tall). Then the MASH's everyday pages at 375 px: no page
is wider than the phone, tables included."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from audits.context import SYSTEM_CONTEXT
from referrals.models import DrmAttendance, DrmOutcome
from referrals.services import referral_create
from safeguarding.organisations.roles import Role
from tests import factories
from tests.browser.conftest import BrowserSession
from tests.browser.test_front_door import _at_375
from tests.browser.test_referrals import another_session, sign_in
from tests.conftest import World, world_police_request
from tests.referrals.conftest import referral_data

pytestmark = pytest.mark.browser

CHILDREN = 12


def test_the_drm_as_one_meeting_and_pages_at_375_px(
    browser_session: BrowserSession, world: World, chromium: Browser, live_server: Any
) -> None:
    session = browser_session
    world_police_request(world)
    for n in range(CHILDREN):
        referral_create(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            data=referral_data(received_at=timezone.now() - timedelta(days=3, minutes=n)),
            idempotency_key=f"drm-{n}",
            new_person_data=factories.person_data(given_name=f"Child{n}", family_name="Listed"),
        )
    page = sign_in(session, world.mash)
    session.goto("/referrals/drm/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Today")
    items = page.locator(".reachable-drm-item")
    expect(items).to_have_count(CHILDREN + 1)  # and the sentinel's referral, breached too
    session.check("the DRM meeting")
    # Compact: an item is a few lines, not a screen; the whole list is a few screens of a laptop at most.
    heights = [box["height"] for box in (items.nth(i).bounding_box() for i in range(CHILDREN)) if box]
    assert max(heights) < 200, heights
    assert page.evaluate("document.documentElement.scrollHeight") < 4000

    # Attendance, by agency.
    page.get_by_text("Attendance by agency").click()
    page.get_by_label("Did Northbridge Police attend?").select_option("present")
    page.get_by_label("Who attended for Northbridge Police").fill("DS Kerr")
    page.get_by_label("Did Northbridge Children's Social Care attend?").select_option("present")
    page.get_by_role("button", name="Save attendance").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Attendance saved")
    expect(page.get_by_text("2 of 3 agencies present")).to_be_visible()
    session.check("the DRM meeting with attendance saved")
    assert DrmAttendance.objects.count() == 2

    # Outcomes, one child at a time, saved in place: the page does not reload (a marker set on the window
    # survives), focus stays in the list, and a screen reader hears that it was saved.
    page.evaluate("window.__notReloaded = true")
    first = items.first
    name = first.locator("h3 a").inner_text().strip()
    first.get_by_label(f"Outcome agreed for {name}").fill("Strategy discussion today; police to share.")
    first.get_by_role("button", name=f"Save outcome for {name}").click()
    expect(page.locator(".reachable-drm-item").first).to_contain_text("Saved")
    expect(page.locator("#drm-status")).to_have_text(f"Outcome saved for {name}.")
    assert page.evaluate("window.__notReloaded") is True
    second = page.locator(".reachable-drm-item").nth(1)
    other = second.locator("h3 a").inner_text().strip()
    second.get_by_role("button", name=f"Save outcome for {other}").click()  # nothing entered
    expect(page.locator(".reachable-drm-item").nth(1)).to_contain_text(
        "Enter the outcome agreed at the meeting"
    )
    assert page.evaluate("window.__notReloaded") is True
    # What htmx swapped in starts its GOV.UK components once htmx has settled it (htmx:load), a moment after
    # its text is there: wait for that rather than race it.
    for n in (0, 1):
        expect(
            page.locator(".reachable-drm-item").nth(n).locator("[data-module=govuk-button]")
        ).to_have_attribute("data-govuk-button-init", "")
    session.check("the DRM meeting with an outcome saved and one refused")
    assert DrmOutcome.objects.count() == 1

    # The MASH's pages on a phone: nothing wider than the window.
    page.set_viewport_size({"width": 1280, "height": 900})
    for path, description in (
        ("/referrals/drm/", "the DRM meeting"),
        ("/referrals/", "the referral list"),
        ("/people/", "the people list"),
        (f"/people/{world.case.person_id}/", "the sentinel's person page"),
        ("/cases/", "the case list"),
    ):
        session.goto(path)
        _at_375(session, page, description)
    # And the MASH manager's dashboard, with its wide tables of figures.
    manager = factories.user(world.social_care, Role.MASH_MANAGER, username="mo")
    with another_session(chromium, live_server.url) as managing:
        mo = sign_in(managing, manager)
        _at_375(managing, mo, "mo's home page")
        for path, description in (
            ("/deadlines/dashboard/", "the SLA dashboard"),
            ("/deadlines/dashboard/list/?filter=breached_open", "the breached clocks"),
        ):
            managing.goto(path)
            _at_375(managing, mo, description)
