"""The Exploitation and Risk Panel in real Chromium: the chair builds an agenda of three (one a repeat
referral), records attendance with housing absent and a signed observer, assesses a 13-year-old's risk (it
escalates), agrees two actions, approves and locks the minutes; a health member sees only their meeting; the
owner marks an action done (its clock is met); at the next meeting the other action comes back and is closed as
"agency did not act". Every page is checked with axe-core (BrowserSession.check)."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from audits.context import SYSTEM_CONTEXT
from panels.models import ActionStatus, Meeting, MeetingStatus, Panel, PanelAction, PanelKind
from panels.services import meeting_schedule, panel_referral_close
from safeguarding.deadlines.models import Deadline, DeadlineStatus
from tests.browser.conftest import BrowserSession
from tests.browser.test_referrals import another_session, choose, sign_in
from tests.browser.test_sign_in_and_person import assert_error_summary
from tests.conftest import World
from tests.panels.conftest import LONDON, Erp, child, erp, refer  # noqa: F401  (erp: fixture)

pytestmark = pytest.mark.browser


def _open(page: Page, summary: str) -> None:
    """Open a GOV.UK details component (left open after a form error)."""
    details = page.locator("details", has=page.locator("summary", has_text=summary))
    if details.get_attribute("open") is None:
        details.locator("summary").click()


def _record(page: Page, agency: str, name: str, kind: str, signed: bool = False) -> None:
    _open(page, "Record an attendee")
    page.get_by_label("Agency").select_option(label=agency)
    page.get_by_label("Name", exact=True).fill(name)
    choose(page, "Attendance", kind)
    if signed:
        page.get_by_label("An observer has signed the confidentiality statement").check()
    page.get_by_role("button", name="Record attendee").click()


def test_chair_runs_a_panel_and_actions_carry_forward(
    browser_session: BrowserSession,
    world: World,
    erp: Erp,  # noqa: F811  (the fixture imported above)
    chromium: Browser,
    live_server: Any,
) -> None:
    ayo = child(world, age=13, given_name="Ayo", family_name="Okafor")
    bex = child(world, age=15, given_name="Bex", family_name="Marsh")
    cal = child(world, age=16, given_name="Cal", family_name="Dunn")
    earlier = refer(world, erp, bex)
    panel_referral_close(actor=erp.sam, context=SYSTEM_CONTEXT, referral=earlier, outcome="Moved out of area")
    for case in (ayo, bex, cal):
        refer(world, erp, case)
    today = timezone.localtime()
    meeting = meeting_schedule(
        actor=erp.colin,
        context=SYSTEM_CONTEXT,
        panel=erp.panel,
        scheduled_for=today.replace(hour=0, minute=5, second=0, microsecond=0).astimezone(LONDON),
        location="Civic Centre, Room 2",
    )
    # A contextual panel's meeting that health is not invited to: its member must never see it.
    other = Panel.objects.create(
        local_authority=erp.panel.local_authority,
        name="Contextual ERP",
        kind=PanelKind.CONTEXTUAL_ERP,
        coordinator=erp.colin,
    )
    other.chairs.set([erp.sam])
    hidden = Meeting.objects.create(
        panel=other, local_authority=other.local_authority, scheduled_for=today + timedelta(days=3)
    )

    session = browser_session
    page = sign_in(session, erp.sam)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Panels").click()
    session.check("the chair's panels page")
    page.get_by_role("link", name=re.compile(r"^Northbridge ERP, ")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Meeting on")
    session.check("the empty meeting")
    page.get_by_role("button", name="Build agenda from the queue").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("3 items added to the agenda")
    agenda = page.get_by_role("table", name="Agenda items in order")
    expect(agenda.get_by_role("row")).to_have_count(4)
    expect(agenda.get_by_role("row", name=re.compile("Bex Marsh"))).to_contain_text("Repeat referral")
    session.check("the agenda of three")
    # The chair reorders: Ayo first, 20 minutes.
    page.get_by_label("Order of Ayo Okafor").fill("0")
    page.get_by_label("Minutes for Ayo Okafor").fill("20")
    page.get_by_role("button", name="Save order, groups and times").click()
    expect(agenda.get_by_role("row").nth(1)).to_contain_text("Ayo Okafor")

    # Attendance: an observer must sign first; housing never comes.
    _record(page, "Northbridge Police", "Priya Shah", "Observer")
    assert_error_summary(page, "An observer must sign the confidentiality statement before the meeting")
    session.check("attendance with an error")
    _record(page, "Northbridge Police", "Priya Shah", "Observer", signed=True)
    for agency, name in [
        ("Northbridge Police", "DS Grant"),
        ("Northbridge Children's Social Care", "Sam Chair"),
        ("Northbridge Health", "Nina Nurse"),
        ("Northbridge Education", "Ed Lead"),
    ]:
        _record(page, agency, name, "Present")
    expect(page.locator(".govuk-warning-text")).to_contain_text("Core agencies not present: Housing.")
    session.check("attendance with housing absent")

    # Ayo, 13: one significant indicator in the last 6 months makes the risk high.
    page.get_by_role("link", name="Ayo Okafor").click()
    session.check("Ayo's item")
    page.get_by_role("link", name="Assess the risk").click()
    session.check("the risk assessment form")
    page.get_by_role("group", name="Missing from home, care or education (significant)").get_by_label(
        "In the last 6 months"
    ).check()
    page.get_by_label("Evidence").fill("Missing three times since June; found in another county.")
    page.get_by_role("button", name="Save assessment").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Risk assessed as high (score 5)")
    session.check("Ayo's item, assessed")

    due = timezone.localdate() + timedelta(days=14)
    for description, agency in [
        ("Disruption visit to the address he was found at", "Northbridge Police"),
        ("Assess the family for a move out of the area", "Northbridge Housing"),
    ]:
        _open(page, "Agree an action")
        page.get_by_label("Action", exact=True).fill(description)
        page.get_by_label("Owning agency").select_option(label=agency)
        due_date = page.get_by_role("group", name="Due date")
        due_date.get_by_label("Day").fill(str(due.day))
        due_date.get_by_label("Month").fill(str(due.month))
        due_date.get_by_label("Year").fill(str(due.year))
        page.get_by_role("button", name="Agree action").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("Action agreed")
    session.check("Ayo's item with two actions")
    page.get_by_label("Plan: aims").fill("Keep Ayo in school and away from the address.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Saved")

    # Minutes, approved and locked.
    page.get_by_role("link", name="Back to the agenda").click()
    page.get_by_role("textbox", name=re.compile("^Minutes of the meeting")).fill(
        "Ayo: risk high and rising. Actions to police and housing."
    )
    page.get_by_role("button", name="Save minutes").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Minutes saved")
    page.get_by_role("button", name="Approve and lock the minutes").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Minutes approved and locked")
    expect(page.get_by_role("link", name="Amend the minutes")).to_be_visible()
    session.check("the locked meeting")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.MINUTES_LOCKED

    # Health, a member invited to this meeting only, sees its items and not the contextual panel's meeting.
    with another_session(chromium, live_server.url) as health:
        nina = sign_in(health, erp.nurse)
        nina.get_by_role("navigation", name="Menu").get_by_role("link", name="Panels").click()
        expect(nina.get_by_role("link", name=re.compile("Northbridge ERP"))).to_be_visible()
        expect(nina.get_by_role("link", name=re.compile("Contextual ERP"))).to_have_count(0)
        health.check("the health member's panels page")
        nina.get_by_role("link", name=re.compile("Northbridge ERP")).click()
        expect(nina.get_by_role("table", name="Agenda items in order").get_by_role("row")).to_have_count(4)
        expect(nina.get_by_role("button", name="Build agenda from the queue")).to_have_count(0)
        health.check("the meeting as a health member sees it")
    assert hidden.pk

    # Police, the owner, marks its action done: its clock is met.
    police_action = PanelAction.objects.get(owner_agency=world.police)
    with another_session(chromium, live_server.url) as police:
        bob = sign_in(police, world.police_officer)
        bob.goto(police.url("/panels/actions/?scope=agency"))
        police.check("police's panel actions")
        bob.get_by_role("link", name=re.compile("Disruption visit")).click()
        police.check("the police action")
        bob.get_by_label("What was done").fill("Visited with the landlord; warning notice served.")
        bob.get_by_role("button", name="Mark as done").click()
        expect(bob.locator(".govuk-notification-banner")).to_contain_text("Action marked done")
        police.check("the police action, done")
    clock = Deadline.objects.get(subject_type="panel_action", subject_id=police_action.pk)
    assert clock.status == DeadlineStatus.MET

    # The next meeting: Ayo comes back with housing's open action, which the chair closes as not done.
    later = meeting_schedule(
        actor=erp.colin,
        context=SYSTEM_CONTEXT,
        panel=erp.panel,
        scheduled_for=(timezone.localtime() + timedelta(days=14)).replace(hour=10, minute=0),
    )
    page.goto(session.url(f"/panels/meetings/{later.pk}/"))
    page.get_by_role("button", name="Build agenda from the queue").click()
    agenda = page.get_by_role("table", name="Agenda items in order")
    expect(agenda.get_by_role("row", name=re.compile("Ayo Okafor"))).to_contain_text("1 carried forward")
    session.check("the next meeting's agenda")
    page.get_by_role("link", name="Ayo Okafor").click()
    carried = page.get_by_role("group", name=re.compile("Close .Assess the family"))
    carried.get_by_label("Closed: agency did not act").check()
    page.get_by_role("button", name="Close action").click()
    assert_error_summary(page, "Enter why the action is being closed without being done")
    session.check("the action close with an error")
    page.goto(session.url(f"/panels/items/{later.items.get(referral__person=ayo.person).pk}/"))
    page.get_by_role("group", name=re.compile("Close .Assess the family")).get_by_label(
        "Closed: agency did not act"
    ).check()
    page.get_by_label("Note (needed when not done)").fill("No assessment was started in 14 days.")
    page.get_by_role("button", name="Close action").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Action closed")
    session.check("Ayo's item at the next meeting")
    housing_action = PanelAction.objects.get(owner_agency=world.housing)
    assert housing_action.status == ActionStatus.AGENCY_DID_NOT_ACT
    assert housing_action.closed_at_meeting_id == later.pk
