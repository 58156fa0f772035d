import uuid

from django.contrib.auth.models import AnonymousUser

from safeguarding.common.errors import NotFound
from safeguarding.organisations.access import object_in_scope
from safeguarding.organisations.models import User
from safeguarding.people.models import Person


def access_person(user: User | AnonymousUser, person_id: uuid.UUID | str, *, write: bool = False) -> Person:
    """Fetch and authorise in one step. Missing and not-yours are the same NotFound, so an outsider cannot
    even learn that a record exists."""
    perm = "people.change_person" if write else "people.view_person"
    person = object_in_scope(user, perm, Person, person_id)
    if person is None:
        raise NotFound()
    return person
