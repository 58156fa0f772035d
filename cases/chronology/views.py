"""The child's chronology: one page of the events the reader may see, filtered, newest first (or oldest), and a
print view of every event in the same filter. Each view costs the same number of queries however many events
and sources there are: the person's access check, one query for the union's rows (a page, or everything up to
PRINT_LIMIT), and the audit row."""

import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from audits.services import audit_read
from cases.chronology.forms import NEWEST, ChronologyFilterForm
from cases.chronology.registry import ChronologySource, chronology_sources
from cases.chronology.selectors import chronology_events
from safeguarding.common.errors import BadRequest
from safeguarding.common.pagination import PAGE_SIZE
from safeguarding.organisations.access import request_actor
from safeguarding.people.access import access_person
from safeguarding.people.models import Person

# The print view shows every event in the filter up to this many (a printout of more helps nobody: narrow the
# dates); it says so when there are more.
PRINT_LIMIT = 1000
NO_SUCH_PAGE = "There is no such page of this chronology. Go back to its first page."


@dataclass(frozen=True)
class Page:
    """One page of the union, read with one row more than it shows to know whether another follows. No
    COUNT: counting the union would cost a second query as dear as the page itself (every source's rows
    found, scoped and joined again), for a total the reader does not need to move through the pages."""

    number: int
    rows: list[dict[str, Any]]
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.rows) - 1


def _page(events: QuerySet | None, number_text: str) -> Page:
    """The page asked for; a page that is not a whole number from 1, or past the last, is a mistake in the
    address and answered as one (400) rather than with some other page."""
    try:
        number = int(number_text)
    except ValueError:
        number = 0
    if number < 1:
        raise BadRequest(NO_SUCH_PAGE)
    offset = (number - 1) * PAGE_SIZE
    rows = list(events[offset : offset + PAGE_SIZE + 1]) if events is not None else []
    if number > 1 and not rows:
        raise BadRequest(NO_SUCH_PAGE)
    return Page(number=number, rows=rows[:PAGE_SIZE], has_next=len(rows) > PAGE_SIZE)


def _rows(events: Any, sources: tuple[ChronologySource, ...]) -> list[dict[str, Any]]:
    """The union's rows with each one's link (a URL name and its one argument) and its type's label."""
    labels = {source.kind: source.label for source in sources}
    rows = list(events)
    for row in rows:
        row["url"] = reverse(row["url_name"], args=[row["url_arg"]]) if row["url_name"] else ""
        row["kind_label"] = labels.get(row["kind"], row["kind"])
    return rows


def _query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _audit(request: HttpRequest, person: Person, form: ChronologyFilterForm, *, printed: bool) -> None:
    changes: dict[str, Any] = {"print": True} if printed else {}
    if form.is_bound and form.is_valid() and form.filtered:
        changes["filter"] = _query_without(request, "page")
    audit_read(
        request,
        object_type="chronology",
        object_id=person.pk,
        person_ids=[person.pk],
        changes=changes or None,
    )


def _filter_form(request: HttpRequest, sources: tuple[ChronologySource, ...]) -> ChronologyFilterForm:
    """The filters in the query string; newest first unless the reader chose otherwise."""
    data = request.GET.copy()
    data.setdefault("order", NEWEST)
    return ChronologyFilterForm(data, sources=sources)


def _context(
    request: HttpRequest, person: Person, form: ChronologyFilterForm, **extra: Any
) -> dict[str, Any]:
    return {"person": person, "form": form, "filter_query": _query_without(request, "page"), **extra}


@require_GET
def chronology_view(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = access_person(request.user, person_id)
    actor = request_actor(request)
    sources = chronology_sources()
    form = _filter_form(request, sources)
    if not form.is_valid():
        # The filter in error, with nothing drawn from it: the reader corrects it and applies it again.
        _audit(request, person, form, printed=False)
        return render(request, "chronology/chronology.html", _context(request, person, form), status=400)
    events = chronology_events(user=actor, person_id=person.pk, filters=form.filters())
    page = _page(events, request.GET.get("page", "1"))
    _audit(request, person, form, printed=False)
    query = _query_without(request, "page")
    return render(
        request,
        "chronology/chronology.html",
        _context(
            request,
            person,
            form,
            events=_rows(page.rows, sources),
            page=page,
            query_without_page=f"{query}&" if query else "",
        ),
    )


@require_GET
def chronology_print_view(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    """Every event in the filter on one page for paper (up to PRINT_LIMIT), without the service's header,
    navigation or the filters."""
    person = access_person(request.user, person_id)
    actor = request_actor(request)
    sources = chronology_sources()
    form = _filter_form(request, sources)
    _audit(request, person, form, printed=True)
    if not form.is_valid():
        return render(request, "chronology/print.html", _context(request, person, form), status=400)
    events = chronology_events(user=actor, person_id=person.pk, filters=form.filters())
    rows = _rows(events[: PRINT_LIMIT + 1], sources) if events is not None else []
    return render(
        request,
        "chronology/print.html",
        _context(
            request,
            person,
            form,
            events=rows[:PRINT_LIMIT],
            truncated=len(rows) > PRINT_LIMIT,
            print_limit=PRINT_LIMIT,
            chosen_labels=form.chosen_labels(),
        ),
    )
