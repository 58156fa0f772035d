"""The Panels section of the person page (the child's referrals to panels that the reader may see, and the way
to refer them) and of a place or group's page (its referrals to the contextual panel), registered from
PanelsConfig.ready(); see safeguarding/people/sections.py and cases/networks/sections.py."""

from cases.networks.sections import ContextPage, ContextSection
from panels.access import can_refer, referrals_visible_to
from safeguarding.people.sections import PersonPage, PersonSection


def _person_panels(page: PersonPage) -> dict[str, object]:
    return {
        "referrals": list(
            referrals_visible_to(page.actor)
            .filter(person=page.person)
            .select_related("panel")
            .order_by("-created_at")
        ),
        "can_refer": can_refer(page.actor),
    }


PERSON_PANELS_SECTION = PersonSection(
    key="panels", template_name="panels/person_panels_section.html", context=_person_panels
)


def _context_panels(page: ContextPage) -> dict[str, object]:
    return {
        "referrals": list(
            referrals_visible_to(page.actor)
            .filter(context=page.context)
            .select_related("panel")
            .order_by("-created_at")
        ),
        "can_refer": can_refer(page.actor),
    }


CONTEXT_PANELS_SECTION = ContextSection(
    key="panels", template_name="panels/context_panels_section.html", context=_context_panels
)
