import uuid

from django.contrib.auth.models import AnonymousUser

from safeguarding.common.errors import NotFound
from safeguarding.organisations.access import scope_to_user
from safeguarding.organisations.models import User
from safeguarding.people.models import Person


def access_person(user: User | AnonymousUser, person_id: uuid.UUID | str, *, write: bool = False) -> Person:
    """Fetch and authorise in one step. Missing and not-yours are the same NotFound, so an outsider cannot
    even learn that a record exists."""
    perm = "people.change_person" if write else "people.view_person"
    person = scope_to_user(user, perm, Person.objects.all()).filter(pk=person_id).first()
    if person is None:
        raise NotFound()
    return person
