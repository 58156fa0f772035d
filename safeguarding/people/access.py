import uuid

from django.contrib.auth.models import AnonymousUser

from safeguarding.organisations.access import get_in_scope
from safeguarding.organisations.models import User
from safeguarding.organisations.permissions import Perm
from safeguarding.people.models import Person


def access_person(user: User | AnonymousUser, person_id: uuid.UUID | str, *, write: bool = False) -> Person:
    """Fetch and authorise in one step. Missing and not-yours are the same NotFound, so an outsider cannot
    even learn that a record exists."""
    return get_in_scope(
        user, Perm.CHANGE_PERSON if write else Perm.VIEW_PERSON, Person.objects.all(), person_id
    )
