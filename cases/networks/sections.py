"""The parts of a place or group's page that other apps own, as for the person page
(safeguarding/people/sections.py). Networks sits below the panels app and imports none of it, so panels
registers its section (the context's referrals to the contextual panel, and the way to refer it) from its
AppConfig.ready(), and the context page renders the registered sections in the order they registered."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from cases.networks.models import Context
from safeguarding.organisations.models import User


@dataclass(frozen=True)
class ContextPage:
    """What a section is told about the page it is drawn on."""

    actor: User
    context: Context


@dataclass(frozen=True)
class ContextSection:
    # Registering a key again replaces the section (ready() can run more than once, as in tests).
    key: str
    # Rendered with `part` (the mapping `context` returns) beside the page's own context.
    template_name: str
    context: Callable[[ContextPage], Mapping[str, object]]


_sections: dict[str, ContextSection] = {}


def context_section_register(section: ContextSection) -> None:
    _sections[section.key] = section


def context_sections() -> tuple[ContextSection, ...]:
    return tuple(_sections.values())
