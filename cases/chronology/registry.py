"""What the modules of a child's record register so that the chronology and the person page can show them
without importing them (each module imports this; this imports none of them).

A **chronology source** answers, for one reader and one child, a queryset of the events the reader may see,
shaped by `chronology_values` into the same columns for every source. The chronology unions them in SQL,
orders by time and pages through the union, so a page costs one query for its rows and one for the count,
however many sources there are. A source applies the reader's access itself (the same scope as its own pages:
what the reader could not open is not in its queryset), and handling codes where its records carry them.

A **record link** is a way from the person page's "Child's record" section to a module's pages about the
child (a URL name taking `person_id`), shown to readers the module says may use it; it costs no query.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import CharField, DateTimeField, Expression, F, QuerySet, TextField, Value
from django.db.models.functions import Cast

from safeguarding.organisations.models import User

# The columns every source's queryset has, in this order (a UNION needs the same columns in the same order).
CHRONOLOGY_COLUMNS = ("at", "kind", "title", "detail", "agency", "url_name", "url_arg")


def chronology_values(
    queryset: QuerySet,
    *,
    kind: str,
    at: str | Expression,
    title: str | Expression,
    url_name: str,
    detail: str | Expression = "",
    agency: str | Expression = "",
    url_arg: str | Expression = "pk",
) -> QuerySet:
    """Shape a source's queryset into the chronology's columns. `at`, `title`, `detail`, `agency` and `url_arg`
    are field paths (strings that name a field, as in F()) or expressions; `detail` and `agency` default to
    empty text. `url_name` is reversed with `url_arg` (the record's key unless told) when the page is drawn.
    A string for `title`/`detail`/`agency` that is not a field path must be passed as Value("…")."""

    def field(value: str | Expression, output: CharField | TextField) -> Expression:
        if isinstance(value, str):
            return Cast(F(value), output) if value else Value("", output_field=output)
        return Cast(value, output)

    return (
        queryset.values()
        .annotate(  # values() first: annotate() then adds only these columns
            at=Cast(F(at) if isinstance(at, str) else at, DateTimeField()),
            kind=Value(kind, output_field=CharField()),
            title=field(title, TextField()),
            detail=field(detail, TextField()),
            agency=field(agency, TextField()),
            url_name=Value(url_name, output_field=CharField()),
            url_arg=field(url_arg, CharField()),
        )
        .values(*CHRONOLOGY_COLUMNS)
    )


@dataclass(frozen=True)
class ChronologySource:
    # The filter's value and label, e.g. ("missing_episode", "Missing episodes"). Registering a kind again
    # replaces the source (ready() can run more than once, as in tests).
    kind: str
    label: str
    # (reader, child's id) -> chronology_values(...) queryset of what the reader may see. It must not run a
    # query itself: it is evaluated once, inside the union.
    events: Callable[[User, uuid.UUID], QuerySet]


@dataclass(frozen=True)
class RecordLink:
    key: str
    label: str  # "Missing episodes"
    url_name: str  # takes person_id
    # Who may use it (no query: roles and agency only). A link a reader cannot use is never shown.
    shown_to: Callable[[User], bool]
    description: str = ""


_sources: dict[str, ChronologySource] = {}
_links: dict[str, RecordLink] = {}


def chronology_source_register(source: ChronologySource) -> None:
    _sources[source.kind] = source


def chronology_sources() -> tuple[ChronologySource, ...]:
    return tuple(_sources.values())


def record_link_register(link: RecordLink) -> None:
    _links[link.key] = link


def record_links(user: User) -> tuple[RecordLink, ...]:
    return tuple(link for link in _links.values() if link.shown_to(user))
