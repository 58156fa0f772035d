"""The person page's "Child's record" section: the way to the chronology and to each module's pages about the
child (registered from ChronologyConfig.ready(); see safeguarding/people/sections.py). It runs no query."""

from cases.chronology.registry import record_links
from safeguarding.people.sections import PersonPage, PersonSection


def _person_record(page: PersonPage) -> dict[str, object]:
    return {"links": record_links(page.actor)}


PERSON_RECORD_SECTION = PersonSection(
    key="record", template_name="chronology/person_record_section.html", context=_person_record
)
