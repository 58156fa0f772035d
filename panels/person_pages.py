"""The person page's Panels section: the child's referrals to panels that the reader may see, and the way to
refer them (registered from PanelsConfig.ready(); see safeguarding/people/sections.py)."""

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
