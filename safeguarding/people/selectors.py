from django.contrib.auth.models import AnonymousUser
from django.db.models import CharField, F, Func, Q, QuerySet, Value

from safeguarding.organisations.access import scope_to_user
from safeguarding.organisations.models import User
from safeguarding.people.models import Person

PERSON_SORTS = {
    "name": ("family_name", "given_name"),
    "-name": ("-family_name", "-given_name"),
    "dob": ("date_of_birth",),
    "-dob": ("-date_of_birth",),
    "added": ("-created_at",),
}


def person_list(*, user: User | AnonymousUser, search: str = "", sort: str = "name") -> QuerySet[Person]:
    queryset = scope_to_user(user, "people.view_person", Person.objects.all())
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
