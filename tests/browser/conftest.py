"""Browser tests: real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright's sync API.

Every page a test visits goes through `BrowserSession.check()`, which runs axe-core for WCAG 2.2 A and AA,
checks that GOV.UK Frontend's CSS and JavaScript really loaded and that every aria-describedby (and similar)
names an element that exists, and fails on any same-origin response of 400 or above, failed same-origin
request, console error (including Content Security Policy violations) or uncaught script error seen since
the previous check.
"""

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, Request, Response, sync_playwright

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PASSWORD = "correct horse battery staple"  # what tests/factories.py gives every user

_axe = Axe()


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    # Playwright's sync API runs an event loop in this thread, and Django refuses ORM calls (the fixtures',
    # the tests') while one runs. The variable is set only while the browser tests run: left in os.environ it
    # would reach other tests' subprocesses, and `manage.py check --deploy` rightly warns about it.
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as p:
            yield p


@pytest.fixture(scope="module")
def chromium(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.is_file() or not os.access(CHROMIUM, os.X_OK):
        # Deliberately a failure, not a skip: an accessibility gate that silently skips is no gate.
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium. "
            "Install it with `make chromium` (or `apt-get install chromium`); never `playwright install`.",
            pytrace=False,
        )
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@dataclass
class BrowserSession:
    """One browser tab on the live server, recording every problem it sees until the next check."""

    page: Page
    origin: str
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"{self.origin}{path}"

    def goto(self, path: str) -> Page:
        response = self.page.goto(self.url(path))
        assert response is not None and response.ok, f"GET {path} answered {response and response.status}"
        return self.page

    def check(self, description: str) -> None:
        """Fail on anything recorded since the last check, then run axe-core on the page as it is now."""
        self.page.wait_for_load_state("load")
        self.assert_no_problems(description)
        self.assert_styled(description)
        self.assert_references_resolve(description)
        self.assert_reflows(description)
        results = _axe.run(self.page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        assert results.violations_count == 0, (
            f"axe-core found WCAG 2.2 A/AA violations on {description} ({self.page.url}):\n"
            f"{results.generate_report()}"
        )
        self.checked.append(description)

    def assert_no_problems(self, description: str) -> None:
        problems, self.problems = self.problems, []
        assert not problems, f"Problems loading {description} ({self.page.url}):\n" + "\n".join(problems)

    def assert_reflows(self, description: str) -> None:
        """On a phone-sized window (WCAG 1.4.10 reflow, 320 CSS px and up) nothing is wider than the window,
        tables included: they reflow into one block per row (reachable.css, js/table-reflow.mjs)."""
        viewport = self.page.viewport_size
        if viewport is None or viewport["width"] > 400:
            return
        overflow = self.page.evaluate(
            """() => {
                const width = document.documentElement.clientWidth;
                const wide = [...document.querySelectorAll('main *')]
                    .filter((el) => el.getBoundingClientRect().right > width + 1)
                    // Read by screen readers, not shown: clipped to a pixel (GOV.UK's visually-hidden, and a
                    // reflowed table's header row).
                    .filter((el) => !el.closest('.govuk-visually-hidden'))
                    .filter((el) => !el.closest('thead') || getComputedStyle(el.closest('thead')).position !== 'absolute')
                    .map((el) => el.outerHTML.slice(0, 100));
                return {scrollWidth: document.documentElement.scrollWidth, width, wide: wide.slice(0, 5)};
            }"""
        )
        assert overflow["scrollWidth"] <= overflow["width"] + 1 and not overflow["wide"], (
            f"{description} is wider than a {viewport['width']} px window: {overflow}"
        )

    def assert_styled(self, description: str) -> None:
        """The GOV.UK Frontend stylesheet and JavaScript really loaded (not just the HTML)."""
        state = self.page.evaluate(
            """() => ({
                header: getComputedStyle(document.querySelector('.govuk-header')).backgroundColor,
                bodyMargin: getComputedStyle(document.body).marginTop,
                jsEnabled: document.body.classList.contains('js-enabled'),
                frontendSupported: document.body.classList.contains('govuk-frontend-supported'),
                notInitialised: [...document.querySelectorAll('[data-module^="govuk-"]')]
                    .filter((el) => !el.hasAttribute(`data-${el.dataset.module}-init`))
                    .map((el) => el.outerHTML.slice(0, 120)),
            })"""
        )
        assert state["header"] not in ("rgba(0, 0, 0, 0)", "transparent"), (
            f"GOV.UK Frontend CSS did not load on {description}: {state}"
        )
        assert state["bodyMargin"] == "0px", f"GOV.UK Frontend CSS did not load on {description}: {state}"
        assert state["jsEnabled"] and state["frontendSupported"], (
            f"js-enabled.js did not run on {description}: {state}"
        )
        assert not state["notInitialised"], (
            f"GOV.UK Frontend JavaScript did not start on {description}: {state}"
        )

    def assert_references_resolve(self, description: str) -> None:
        """Every id named by aria-describedby, aria-labelledby, aria-controls or a label's `for` exists.

        axe-core only asks for review when an aria-describedby names nothing, yet a hint or error message that
        is not announced is a real failure (WCAG 1.3.1 and 3.3.1).
        """
        dangling = self.page.evaluate(
            """() => {
                const dangling = [];
                for (const attr of ['aria-describedby', 'aria-labelledby', 'aria-controls', 'for']) {
                    for (const el of document.querySelectorAll(`[${attr}]`)) {
                        for (const id of el.getAttribute(attr).split(/\\s+/).filter(Boolean)) {
                            if (document.getElementById(id)) continue;
                            dangling.push(`${attr}="${id}" on ${el.outerHTML.slice(0, 100)}`);
                        }
                    }
                }
                return dangling;
            }"""
        )
        assert not dangling, f"References to missing ids on {description}:\n" + "\n".join(dangling)

    # Listeners ---------------------------------------------------------------------------------------

    def _same_origin(self, url: str) -> bool:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}" == self.origin

    def on_response(self, response: Response) -> None:
        if self._same_origin(response.url) and response.status >= 400:
            self.problems.append(f"HTTP {response.status} for {response.request.method} {response.url}")

    def on_request_failed(self, request: Request) -> None:
        if self._same_origin(request.url):
            self.problems.append(f"Request failed ({request.failure}) for {request.method} {request.url}")

    def on_console(self, message: ConsoleMessage) -> None:
        # Content Security Policy violations, failed loads and script errors all arrive as console errors.
        if message.type == "error" or "Content Security Policy" in message.text:
            self.problems.append(f"Console {message.type}: {message.text} at {message.location}")

    def on_page_error(self, error: Exception) -> None:
        self.problems.append(f"Uncaught script error: {error}")


# Reports Content Security Policy violations even when Chromium does not log them to the console.
_CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (event) => {
    const where = `${event.sourceFile}:${event.lineNumber}`;
    console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI} (${where})`);
});
"""


@pytest.fixture
def browser_session(chromium: Browser, live_server, transactional_db: None) -> Iterator[BrowserSession]:
    context = chromium.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    context.add_init_script(_CSP_LISTENER)
    page = context.new_page()
    session = BrowserSession(page=page, origin=live_server.url)
    page.on("response", session.on_response)
    page.on("requestfailed", session.on_request_failed)
    page.on("console", session.on_console)
    page.on("pageerror", session.on_page_error)
    yield session
    context.close()
    session.assert_no_problems("the last page")


def current_totp_code(device: TOTPDevice) -> str:
    """The code an authenticator app would show now, as django_otp.oath.totp computes it.

    A code is accepted only once: if this time step's code has been used (a second sign-in within 30
    seconds), take the next step's, which the device's tolerance of one step allows.
    """
    device.refresh_from_db()
    now = (int(time.time()) - device.t0) // device.step + device.drift
    offset = 0 if now > device.last_t else 1
    assert now + offset > device.last_t and offset <= device.tolerance, "no unused code to give"
    code = totp(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift + offset
    )
    return f"{code:0{device.digits}d}"


def wait_until_verify_allowed(device: TOTPDevice, timeout: float = 10.0) -> None:
    """After a wrong code django-otp refuses every code for a growing delay (1 second after the first)."""
    deadline = time.monotonic() + timeout
    while True:
        device.refresh_from_db()
        if device.verify_is_allowed()[0]:
            return
        assert time.monotonic() < deadline, "django-otp still throttling the device"
        time.sleep(0.1)
