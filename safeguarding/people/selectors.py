from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Concat, Lower

from safeguarding.organisations.access import agency_holds_permission, reads_case_data, scope_to_user
from safeguarding.organisations.models import User
from safeguarding.organisations.permissions import Perm
from safeguarding.people.models import Person

PERSON_SORTS = {
    "name": ("family_name", "given_name"),
    "-name": ("-family_name", "-given_name"),
    "dob": ("date_of_birth",),
    "-dob": ("-date_of_birth",),
    "added": ("-created_at",),
}


def person_list(*, user: User | AnonymousUser, search: str = "", sort: str = "name") -> QuerySet[Person]:
    queryset = scope_to_user(user, Perm.VIEW_PERSON, Person.objects.all())
    search = search.strip()
    if search:
        digits = "".join(search.split())
        condition = Q(given_name__icontains=search) | Q(family_name__icontains=search)
        condition |= Q(aliases_text__icontains=search)
        parts = search.split()
        if len(parts) >= 2:
            condition |= Q(given_name__icontains=parts[0], family_name__icontains=parts[-1])
        if digits.isdigit() and len(digits) == 10:
            condition |= Q(nhs_number=digits)
        aliases_text = Func(F("aliases"), Value(" "), function="array_to_string", output_field=CharField())
        queryset = queryset.annotate(aliases_text=aliases_text).filter(condition)
    return queryset.order_by(*PERSON_SORTS.get(sort, PERSON_SORTS["name"]), "pk")


# --- Search before create ----------------------------------------------------------------------------------

# A name is a likely duplicate at or above this word similarity (pg_trgm's own %> threshold is 0.6).
LIKELY_DUPLICATE_SIMILARITY = 0.6


@dataclass(frozen=True)
class PersonMatch:
    person: Person
    name_similarity: float
    same_date_of_birth: bool
    same_nhs_number: bool

    @property
    def likely_duplicate(self) -> bool:
        return self.same_nhs_number or (
            self.same_date_of_birth and self.name_similarity >= LIKELY_DUPLICATE_SIMILARITY
        )


@dataclass(frozen=True)
class PersonSearchResult:
    matches: list[PersonMatch]
    # An exact match (NHS number, or full name and date of birth) exists in the authority but is not shared
    # with the user's agency. Only the fact is told, never who: the record is not theirs to see.
    held_by_another_agency: bool

    @property
    def people(self) -> list[Person]:
        return [match.person for match in self.matches]


def _normalised_name(name: str) -> str:
    return " ".join(name.lower().split())


def person_search(
    *,
    user: User | AnonymousUser,
    name: str,
    date_of_birth: date | None = None,
    nhs_number: str | None = None,
    limit: int = 10,
) -> PersonSearchResult:
    """Search before create: people visible to the user whose names or aliases are like `name` (pg_trgm word
    similarity on search_text, served by person_search_trgm), or who share the date of birth (person_la_dob_idx)
    or NHS number, likely duplicates first. Two queries: the matches, and whether an exact match is held where
    the user cannot see it."""
    query = _normalised_name(name)
    condition = Q()
    if query:
        condition |= Q(search_text__trigram_word_similar=query)
    if date_of_birth is not None:
        condition |= Q(date_of_birth=date_of_birth)
    if nhs_number:
        condition |= Q(nhs_number=nhs_number)
    if not condition or not reads_case_data(user):
        return PersonSearchResult(matches=[], held_by_another_agency=False)
    visible = scope_to_user(user, Perm.VIEW_PERSON, Person.objects.all())
    no = Value(False, output_field=BooleanField())
    same_dob = (
        ExpressionWrapper(Q(date_of_birth=date_of_birth), output_field=BooleanField())
        if date_of_birth is not None
        else no
    )
    same_nhs = ExpressionWrapper(Q(nhs_number=nhs_number), output_field=BooleanField()) if nhs_number else no
    rows = (
        visible.filter(condition)
        .annotate(
            name_similarity=TrigramWordSimilarity(query, "search_text"),
            same_dob=same_dob,
            same_nhs=same_nhs,
        )
        .annotate(
            # NHS number first, then a similar name born the same day, then similarity alone.
            rank=Case(When(same_nhs=True, then=Value(2.0)), default=Value(0.0), output_field=FloatField())
            + Case(When(same_dob=True, then=Value(0.5)), default=Value(0.0), output_field=FloatField())
            + F("name_similarity")
        )
        .order_by("-rank", "family_name", "given_name", "pk")[:limit]
    )
    matches = [
        PersonMatch(
            person=person,
            name_similarity=float(person.name_similarity or 0.0),
            same_date_of_birth=bool(person.same_dob),
            same_nhs_number=bool(person.same_nhs),
        )
        for person in rows
    ]
    exact = Q()
    if nhs_number:
        exact |= Q(nhs_number=nhs_number)
    if query and date_of_birth is not None:
        exact |= Q(full_name_lower=query, date_of_birth=date_of_birth)
    held_elsewhere = False
    if exact:
        assert isinstance(user, User) and user.agency is not None
        held_elsewhere = (
            Person.objects.filter(local_authority_id=user.agency.local_authority_id)
            .annotate(full_name_lower=Lower(Concat("given_name", Value(" "), "family_name")))
            .filter(exact)
            .exclude(agency_holds_permission(user, Perm.VIEW_PERSON, Person))
            .exists()
        )
    return PersonSearchResult(matches=matches, held_by_another_agency=held_elsewhere)
