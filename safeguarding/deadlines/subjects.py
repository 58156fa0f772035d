"""What clocks can be about. The clock engine knows no domain app: each subject type (a case, a referral, a
custody booking, an information request, later a panel action...) registers here from its own app's
AppConfig.ready(), saying how to load and authorise it, where its page is, and what to call it. The engine
calls back through this registry.

A clock stores its subject as (subject_type, subject_id), plus the case it belongs to, if any: the `case`
subject type is the one every clock's case_id points at, so an app must register it (cases does)."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from safeguarding.common.errors import NotFound
from safeguarding.organisations.models import User

# The subject type of a case, whose panel shows every clock with that case_id, whatever its own subject.
CASE_SUBJECT = "case"


@dataclass(frozen=True)
class ClockSubject:
    """What a clock panel is about, once authorised: a subject by type and id, how pages name it, the
    people whose records its clocks concern (for the audit trail), and the case it belongs to, if any."""

    subject_type: str
    subject_id: uuid.UUID
    label: str
    person_ids: tuple[uuid.UUID, ...]
    case_id: uuid.UUID | None = None
    # How pages name the case (for a case subject, itself), e.g. the person's name; "" when there is none.
    case_label: str = ""


# Load the subject by id and authorise it for the user in one step; raise NotFound both for "does not exist"
# and for "not yours". The user is a case-data reader (safeguarding.organisations.access.reads_case_data).
SubjectAccess = Callable[[User, uuid.UUID], ClockSubject]


@dataclass(frozen=True)
class SubjectType:
    name: str
    # What people call one, in a sentence: "case", "referral", "custody booking".
    label: str
    # None: the subject's own clocks decide (safeguarding.deadlines.access.access_subject).
    access: SubjectAccess | None = None
    # The subject's own page; None: the clock engine's page for the subject.
    url: Callable[[uuid.UUID], str] | None = None


_registry: dict[str, SubjectType] = {}


def register_subject(subject: SubjectType) -> None:
    """Called from an AppConfig.ready(). Registering the same SubjectType twice is harmless; two different
    ones under one name is a configuration error."""
    existing = _registry.get(subject.name)
    if existing is not None and existing != subject:
        raise ImproperlyConfigured(f"Clock subject type {subject.name!r} is already registered: {existing}")
    _registry[subject.name] = subject


def subject_type(name: str) -> SubjectType:
    """A registered subject type; NotFound for any other (the name comes from a URL)."""
    try:
        return _registry[name]
    except KeyError:
        raise NotFound() from None


def registered_subject_types() -> frozenset[str]:
    return frozenset(_registry)


def subject_label_of(name: str) -> str:
    """What people call a subject of this type ("referral"), or the type's own name if none registered."""
    found = _registry.get(name)
    return found.label if found is not None else name.replace("_", " ")


def subject_url(name: str, subject_id: uuid.UUID) -> str:
    """The subject's own page if its app has one, otherwise the clock engine's page for it."""
    registered = _registry.get(name)
    if registered is not None and registered.url is not None:
        return registered.url(subject_id)
    return reverse("deadlines:subject", kwargs={"subject_type": name, "subject_id": subject_id})
