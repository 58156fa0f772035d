"""A MASH practitioner signs in with two-factor in real Chromium and works with a person and their case.

Every page visited, including each error state, is checked with axe-core for WCAG 2.2 A and AA, and for
failed or blocked resources (see BrowserSession.check in conftest.py).
"""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Locator, Page, expect

from safeguarding.organisations.models import User
from tests.browser.conftest import PASSWORD, BrowserSession, current_totp_code, wait_until_verify_allowed
from tests.conftest import SENTINEL_FAMILY_NAME, SENTINEL_GIVEN_NAME, World

pytestmark = pytest.mark.browser

FULL_NAME = f"{SENTINEL_GIVEN_NAME} {SENTINEL_FAMILY_NAME}"


def error_summary(page: Page) -> Locator:
    return page.locator(".govuk-error-summary")


def assert_error_summary(page: Page, *messages: str) -> None:
    """A GOV.UK error summary with these messages, which GOV.UK Frontend has moved focus to."""
    summary = error_summary(page)
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    for message in messages:
        expect(summary.get_by_role("link", name=message)).to_be_visible()
    expect(page).to_have_title(re.compile(r" - Error - Reachable$"))
    expect(summary).to_be_focused()


def assert_error_links_focus_fields(page: Page) -> int:
    """Every link in the error summary moves focus to the field it is about. Returns how many links."""
    links = error_summary(page).locator(".govuk-error-summary__list a")
    count = links.count()
    for index in range(count):
        link = links.nth(index)
        target = (link.get_attribute("href") or "").removeprefix("#")
        assert target, f"error summary link {link.inner_text()!r} has no fragment"
        field = page.locator(f"[id='{target}']")
        expect(field, f"error summary link {link.inner_text()!r} points at no element").to_have_count(1)
        link.click()
        expect(field, f"error summary link {link.inner_text()!r} did not focus its field").to_be_focused()
        if field.get_attribute("type") not in ("radio", "checkbox"):
            expect(field).to_have_attribute("aria-invalid", "true")
    return count


def sign_in_with_password(session: BrowserSession, user: User) -> Page:
    page = session.goto("/sign-in/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(session.url("/two-factor/"))
    return page


def enter_code(page: Page, code: str) -> None:
    page.get_by_label("Security code").fill(code)
    page.get_by_role("button", name="Continue").click()


def wrong_code(right: str) -> str:
    return f"{(int(right) + 1) % 1_000_000:06d}"


def test_mash_practitioner_enrols_two_factor_and_works_on_a_person(
    browser_session: BrowserSession, world: World
):
    session = browser_session

    # Sign in, first with the wrong password.
    page = session.goto("/sign-in/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Reachable")
    session.check("the sign-in page")
    page.get_by_label("Username").fill(world.mash.username)
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Continue").click()
    assert_error_summary(page, "The username or password is not correct")
    session.check("the sign-in page with a wrong password")

    # Then the right one: the first sign-in enrols an authenticator app.
    page.get_by_label("Username").fill(world.mash.username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(session.url("/two-factor/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    device = TOTPDevice.objects.get(user=world.mash, confirmed=False)
    key = page.locator(".reachable-secret").inner_text().replace(" ", "")
    assert key, "the enrolment page shows no key"
    session.check("the two-factor enrolment page")

    code = current_totp_code(device)
    enter_code(page, code)
    expect(page).to_have_url(session.url("/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello {world.mash.first_name}")
    device.refresh_from_db()
    assert device.confirmed
    session.check("the home page")

    # Find the person.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="People").click()
    expect(page).to_have_url(session.url("/people/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    session.check("the people list")

    page.get_by_label("Search by name, alias or NHS number").fill(SENTINEL_FAMILY_NAME)
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(rf"/people/\?q={SENTINEL_FAMILY_NAME}"))
    expect(page.locator("caption")).to_contain_text(f"1 person matching “{SENTINEL_FAMILY_NAME}”")
    session.check("the people list with a search")

    page.get_by_role("link", name=f"{SENTINEL_FAMILY_NAME.upper()}, {SENTINEL_GIVEN_NAME}").click()
    expect(page).to_have_url(session.url(f"/people/{world.case.person_id}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(FULL_NAME)
    session.check("the person's record")

    page.get_by_role("link", name="Change details").click()
    expect(page).to_have_url(session.url(f"/people/{world.case.person_id}/change/"))
    expect(page.get_by_label("First name")).to_have_value(SENTINEL_GIVEN_NAME)
    session.check("the form to change a person's details")

    # Add a person: submitting the empty form shows the error summary, whose links move focus to the fields.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Home").click()
    page.get_by_role("link", name="Add a person and open a case").click()
    expect(page).to_have_url(session.url("/people/add/"))
    session.check("the form to add a person")

    page.get_by_role("button", name="Save person and open case").click()
    assert_error_summary(page, "Enter a first name", "Enter a last name")
    session.check("the form to add a person, with errors")
    assert assert_error_links_focus_fields(page) >= 3
    session.check("the form to add a person, after following the error links")

    # The case.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Cases").click()
    expect(page).to_have_url(session.url("/cases/"))
    expect(page.locator("caption")).to_have_text("1 case")
    session.check("the case list")

    page.get_by_role("link", name=FULL_NAME).click()
    expect(page).to_have_url(session.url(f"/cases/{world.case.pk}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(FULL_NAME)
    session.check("the case")

    page.get_by_role("link", name="Change case").click()
    expect(page).to_have_url(session.url(f"/cases/{world.case.pk}/change/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Change case for {FULL_NAME}")
    session.check("the form to change a case")

    # Sharing: the lawful basis radios have no default, so the empty form has a radio error to follow.
    session.goto(f"/cases/{world.case.pk}/share/")
    session.check("the form to share a case")
    page.get_by_role("button", name="Share case").click()
    assert_error_summary(page, "Select the lawful basis for sharing", "Enter why this agency needs to know")
    session.check("the form to share a case, with errors")
    assert assert_error_links_focus_fields(page) >= 2

    assert len(session.checked) == 16, session.checked


def test_returning_user_verifies_a_code_and_a_wrong_code_is_explained(
    browser_session: BrowserSession, world: World
):
    session = browser_session

    # First visit: enrol.
    page = sign_in_with_password(session, world.mash)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    enter_code(page, current_totp_code(TOTPDevice.objects.get(user=world.mash, confirmed=False)))
    expect(page).to_have_url(session.url("/"))

    # Sign out from the header.
    page.get_by_role("navigation", name="Account").get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(session.url("/sign-in/signed-out/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")
    session.check("the signed-out page")
    session.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in/\?next=%2F$"))

    # Second visit: the password, then a code from the enrolled app (no new enrolment).
    page = sign_in_with_password(session, world.mash)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    expect(page.locator(".reachable-qr")).to_have_count(0)
    session.check("the two-factor verification page")

    device = TOTPDevice.objects.get(user=world.mash, confirmed=True)
    enter_code(page, wrong_code(current_totp_code(device)))
    expect(page).to_have_url(session.url("/two-factor/"))
    assert_error_summary(page, "The security code is not correct or has expired. Enter the code shown now.")
    expect(page.locator(".govuk-error-message")).to_contain_text("The security code is not correct")
    session.check("the two-factor verification page with a wrong code")
    assert assert_error_links_focus_fields(page) == 1

    wait_until_verify_allowed(device)
    enter_code(page, current_totp_code(device))
    expect(page).to_have_url(session.url("/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello {world.mash.first_name}")
    session.check("the home page after verifying")
    assert TOTPDevice.objects.filter(user=world.mash).count() == 1
