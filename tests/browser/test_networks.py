"""Contextual safeguarding in real Chromium: alice (MASH) adds a peer and a suspected exploiter to the sentinel
child from the child's network page, searching for each before linking; the adult is already linked by police
to a second child whose case youth offending holds, so both case owners are alerted. The graph (Cytoscape.js)
and the table carry the same facts: police, who may see both children, see both names; alice sees the second
child only as "Known to another agency". Every page is checked with axe-core (BrowserSession.check)."""

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from audits.context import SYSTEM_CONTEXT
from cases.networks.models import CrossCaseAlert, Link, LinkStatus
from cases.networks.services import LinkData, link_add
from safeguarding.deadlines.models import Deadline
from safeguarding.people.services import person_create
from tests import factories
from tests.browser.conftest import BrowserSession
from tests.browser.test_referrals import FULL_NAME, another_session, choose, sign_in
from tests.browser.test_sign_in_and_person import assert_error_summary
from tests.conftest import World
from tests.networks.conftest import Net, net, run_alert_worker  # noqa: F401  (net: fixture)

pytestmark = pytest.mark.browser

PLACEHOLDER = "Known to another agency: contact Northbridge Youth Offending Service"


def _graph_labels(page: Page) -> list[str]:
    """The labels of the nodes Cytoscape drew, once it has drawn them onto its canvas."""
    expect(page.locator("#network-graph[data-drawn=true] canvas").first).to_be_attached()
    expect(page.locator("#network-graph")).to_be_visible()
    labels: list[str] = page.evaluate(
        "() => document.getElementById('network-graph').cy.nodes().map((node) => node.data('label'))"
    )
    return labels


def _add_link(session: BrowserSession, page: Page, search: str, choice: str) -> None:
    page.get_by_role("link", name="Add a link").click()
    session.check("the search before a link")
    page.get_by_label("Name of the person, place or group").fill(search)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_label(choice)).to_be_visible()
    session.check(f"the people and places found for {search}")
    page.get_by_label(choice).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("How are")
    session.check("the link form")


def test_alice_links_a_peer_and_an_exploiter_and_both_owners_are_alerted(
    browser_session: BrowserSession,
    world: World,
    net: Net,  # noqa: F811  (the fixture imported above)
    chromium: Browser,
    live_server: Any,
) -> None:
    session = browser_session
    link_add(
        actor=world.police_officer,
        context=SYSTEM_CONTEXT,
        a=net.adult,
        b=net.second.person,
        data=LinkData(
            link_type="suspected_exploiter",
            source="Police intelligence 4471",
            source_grade="2",
            information_grade="B",
            handling_code="P",
        ),
    )
    peer = person_create(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        data=factories.person_data(given_name="Tariq", family_name="Peer"),
    )

    page = sign_in(session, world.mash)
    session.goto(f"/people/{world.case.person_id}/")
    session.check("the sentinel's person page")
    page.get_by_role("link", name=f"View {FULL_NAME}'s network").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(FULL_NAME)
    session.check("the sentinel's empty network")

    # The peer: found by name, then a link without its evidence is refused and nothing is saved.
    _add_link(session, page, "Tariq Peer", "PEER, Tariq")
    page.get_by_label("Type of link").select_option(label="Peer")
    page.get_by_role("button", name="Save link").click()
    assert_error_summary(page, "Enter where this comes from: a link is recorded only with its evidence")
    session.check("the link form with an error")
    assert not Link.objects.filter(person_b=peer).exists() and not Link.objects.filter(person_a=peer).exists()
    page.get_by_label("Where does this come from?").fill("School safeguarding lead: seen together daily")
    page.get_by_role("button", name="Save link").click()
    expect(page.get_by_text("The link has been recorded.")).to_be_visible()
    session.check("the network with the peer")

    # The suspected exploiter, recorded from the adult to the child.
    _add_link(session, page, "Dex Adult", "ADULT, Dex")
    page.get_by_label("Type of link").select_option(label="Suspected exploiter of")
    choose(page, "Which way round is the link?", "To this person")
    page.get_by_label("Where does this come from?").fill("Disclosure to the school nurse")
    page.get_by_role("button", name="Save link").click()
    expect(page.get_by_text("The link has been recorded.")).to_be_visible()
    session.check("the network with the adult")

    exploiter = Link.objects.get(person_a=net.adult, person_b=world.case.person)
    assert exploiter.status == LinkStatus.ALLEGED
    # The worker's cross-case detection, queued when the link was committed.
    assert run_alert_worker() >= 1
    alerts = CrossCaseAlert.objects.filter(link=exploiter)
    assert {(a.case_id, a.other_case_id) for a in alerts} == {
        (world.case.pk, net.second.pk),
        (net.second.pk, world.case.pk),
    }
    clocks = Deadline.objects.filter(subject_type="network_alert", subject_id__in=[a.pk for a in alerts])
    assert {(c.case_id, c.owning_agency_id, c.owner_id) for c in clocks} == {
        (world.case.pk, world.social_care.pk, world.case.allocated_worker_id),
        (net.second.pk, net.yot.pk, net.yan.pk),
    }

    # Alice's graph and table: the second child is a placeholder, never a name; the adult's link is alleged.
    labels = _graph_labels(page)
    assert {FULL_NAME, "Tariq Peer", net.adult.full_name, PLACEHOLDER} == set(labels)
    table = page.locator("#network-links")
    expect(table).to_contain_text(PLACEHOLDER)
    expect(table).not_to_contain_text(net.second.person.full_name)
    exploiter_row = table.locator(f"tr[data-link='{exploiter.pk}']")
    expect(exploiter_row).to_contain_text("Suspected exploiter of (alleged)")
    expect(exploiter_row).to_contain_text("Alleged")
    expect(exploiter_row).to_contain_text("Disclosure to the school nurse")

    # The peer link is confirmed from the table.
    peer_link = Link.objects.get(link_type="peer")
    table.locator(f"tr[data-link='{peer_link.pk}']").get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("The link is now confirmed.")).to_be_visible()
    session.check("the network after confirming the peer")
    peer_link.refresh_from_db()
    assert peer_link.status == LinkStatus.CONFIRMED

    # Police may see both children once youth offending shares the second child's case with them.
    factories.share(net.second, net.yan, world.police)
    with another_session(chromium, live_server.url) as police:
        police_page = sign_in(police, world.police_officer)
        police.goto(f"/networks/people/{world.case.person_id}/")
        police.check("the sentinel's network for police")
        police_labels = _graph_labels(police_page)
        assert {FULL_NAME, net.adult.full_name, net.second.person.full_name} <= set(police_labels)
        assert PLACEHOLDER not in police_labels
        police_table = police_page.locator("#network-links")
        expect(police_table).to_contain_text(net.second.person.full_name)
        expect(police_table).to_contain_text("Police intelligence 4471")
        expect(police_table.locator(f"tr[data-link='{exploiter.pk}']")).to_contain_text("Not graded")
