"""The person page's Network section: how many live links the reader may see, and the way to the network page
(registered from NetworksConfig.ready(); see safeguarding/people/sections.py)."""

from django.db.models import Q

from cases.networks.access import links_visible_to
from cases.networks.models import LinkStatus
from safeguarding.people.sections import PersonPage, PersonSection


def _person_network(page: PersonPage) -> dict[str, object]:
    person = page.person
    return {
        # One COUNT, on link_person_a_idx / link_person_b_idx (live links only).
        "link_count": links_visible_to(page.actor)
        .filter(Q(person_a=person) | Q(person_b=person))
        .exclude(status=LinkStatus.LAPSED)
        .count(),
    }


PERSON_NETWORK_SECTION = PersonSection(
    key="network", template_name="networks/person_network_section.html", context=_person_network
)
