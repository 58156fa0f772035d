"""The parts of the person page that other apps own. People is core and imports no domain app, so an app with
something to show about a person (cases today; referrals and panels later) registers a section from its
AppConfig.ready(), and the person page renders the registered sections in the order they registered."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from safeguarding.organisations.models import User
from safeguarding.people.models import Person


@dataclass(frozen=True)
class PersonPage:
    """What a section is told about the page it is drawn on. `can_edit`: the user may change the record."""

    actor: User
    person: Person
    can_edit: bool


@dataclass(frozen=True)
class PersonSection:
    # Registering a key again replaces the section (ready() can run more than once, as in tests).
    key: str
    # Rendered with `part` (the mapping `context` returns) beside the page's own context.
    template_name: str
    context: Callable[[PersonPage], Mapping[str, object]]
    # Buttons beside "Change details", shown to users who may change the record: (label, URL name that takes
    # person_id).
    edit_actions: tuple[tuple[str, str], ...] = ()


_sections: dict[str, PersonSection] = {}


def person_section_register(section: PersonSection) -> None:
    _sections[section.key] = section


def person_sections() -> tuple[PersonSection, ...]:
    return tuple(_sections.values())
