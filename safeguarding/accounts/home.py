"""The signed-in home page and the menu, shaped by role. Accounts is core and imports no domain app, so each
app registers what it has for the home page (a work queue: a MASH practitioner's Golden Hours, an agency's
requests waiting for an answer, a chair's next meetings...) and for the menu from its AppConfig.ready().
A section decides for itself whether it is for the user (its `context` answers None when it is not); a menu
item is shown only to users its page lets in, so no link ends in a refusal."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from safeguarding.organisations.models import User


@dataclass(frozen=True)
class HomePage:
    actor: User
    now: datetime


@dataclass(frozen=True)
class HomeSection:
    # Registering a key again replaces the section (ready() can run more than once, as in tests).
    key: str
    # Rendered with `part` (the mapping `context` returns). The mapping's "person_ids", if any, name the
    # people the section shows, for the home page's one audit row.
    template_name: str
    context: Callable[[HomePage], Mapping[str, object] | None]
    # Lower first: the most urgent work at the top.
    order: int = 100


@dataclass(frozen=True)
class MenuItem:
    key: str
    label: str
    url_name: str
    # The same rule the page applies to let the user in.
    visible: Callable[[User], bool]
    order: int = 100
    # The URL namespaces (and, optionally, names within them) whose pages mark this item as the current one.
    current: tuple[str, ...] = ()


_sections: dict[str, HomeSection] = {}
_menu: dict[str, MenuItem] = {}


def home_section_register(section: HomeSection) -> None:
    _sections[section.key] = section


def home_sections() -> list[HomeSection]:
    return sorted(_sections.values(), key=lambda s: (s.order, s.key))


def menu_item_register(item: MenuItem) -> None:
    _menu[item.key] = item


def menu_items() -> list[MenuItem]:
    return sorted(_menu.values(), key=lambda m: (m.order, m.key))
