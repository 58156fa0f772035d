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

import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

from django.db.models import (
    CharField,
    DateTimeField,
    Expression,
    F,
    Func,
    JSONField,
    QuerySet,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat

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
    empty text. `url_name` is reversed with `url_arg` (the record's key unless told; any field path or
    expression, cast to text) as its one positional argument when the page is drawn; an empty `url_name`
    draws the row without a link. A string for `title`/`detail`/`agency` that is not a field path must be
    passed as Value("…"); `choice_label` gives a choice field's label."""

    def field(value: str | Expression, output: CharField | TextField) -> Expression:
        # Text, and never NULL (a field path through an empty foreign key), so a page never shows "None".
        # Text joined by Concat is both already (it coalesces each part): it is left as it is, since every
        # node here is built, compiled and planned again on every page view.
        if isinstance(value, str):
            if not value:
                return Value("", output_field=output)
            return Coalesce(Cast(F(value), output), Value(""), output_field=output)
        if isinstance(value, Concat) or (isinstance(value, Value) and isinstance(value.value, str)):
            return value
        return Coalesce(Cast(value, output), Value(""), output_field=output)

    return (
        # Unordered (the union is ordered once), and values() first: alias() and values() then check no name
        # against the model's fields. The record's own columns are resolved first under names of their own, so
        # that a source's expression naming a field called `kind` or `title` (a reachable moment's kind) means
        # that field, not this column.
        queryset.order_by()
        .values("pk")
        .alias(
            chronology_at=Cast(F(at) if isinstance(at, str) else at, DateTimeField()),
            chronology_title=field(title, TextField()),
            chronology_detail=field(detail, TextField()),
            chronology_agency=field(agency, TextField()),
            chronology_url_arg=field(url_arg, CharField()),
        )
        .values(
            at=F("chronology_at"),
            kind=Value(kind, output_field=CharField()),
            title=F("chronology_title"),
            detail=F("chronology_detail"),
            agency=F("chronology_agency"),
            url_name=Value(url_name, output_field=CharField()),
            url_arg=F("chronology_url_arg"),
        )
    )


class _LabelOf(Func):
    """`mapping ->> code`: the label a JSON object maps a record's code to (NULL for a code it lacks)."""

    arg_joiner = " ->> "
    template = "(%(expressions)s)"
    output_field = TextField()


def choice_label(field: str, choices: Sequence[tuple[str, str]]) -> Expression:
    """A TextChoices field's label in SQL (e.g. `choice_label("outcome", DecisionOutcome.choices)`), for a
    title or detail: the chronology draws its rows from the union's columns, never from model instances. The
    labels go as one JSON parameter rather than a CASE with a branch per choice, which every page view would
    otherwise build, compile and plan again for every choice of every source."""
    labels = json.dumps({str(value): str(label) for value, label in choices})
    return Coalesce(_LabelOf(Cast(Value(labels), JSONField()), F(field)), Value(""), output_field=TextField())


# What a source's `events` returns: one chronology_values(...) queryset, or several (one for each moment a
# record has: a case opened and closed) that the chronology unions with the rest.
ChronologyEvents: TypeAlias = QuerySet | Sequence[QuerySet]


@dataclass(frozen=True)
class ChronologySource:
    # The filter's value and label, e.g. ("missing_episode", "Missing episodes"). Registering a kind again
    # replaces the source (ready() can run more than once, as in tests).
    kind: str
    label: str
    # (reader, child's id) -> chronology_values(...) queryset of what the reader may see, or a sequence of
    # them. It must not run a query itself: it is evaluated once, inside the union.
    events: Callable[[User, uuid.UUID], ChronologyEvents]


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
