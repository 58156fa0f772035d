"""The front door's clock subjects, registered with the clock engine from ReferralsConfig.ready(). A referral's
and a custody booking's clocks decide who sees them (the case they belong to, else the owning agency:
deadlines.access); an information request is seen by the agency asked and by the MASH that asked, which
chases it (and so may stop its clock)."""

import uuid

from django.urls import reverse

from referrals.access import access_information_request
from safeguarding.deadlines.subjects import ClockSubject, SubjectType, register_subject
from safeguarding.organisations.models import User


def _information_request(user: User, request_id: uuid.UUID) -> ClockSubject:
    info_request, _ = access_information_request(user, request_id)
    person = info_request.referral.person
    return ClockSubject(
        subject_type="information_request",
        subject_id=info_request.pk,
        label=f"request to {info_request.agency.name} about {person.full_name}",
        person_ids=(person.pk,),
    )


SUBJECT_TYPES = (
    SubjectType(
        name="referral",
        label="referral",
        url=lambda pk: reverse("referrals:detail", kwargs={"referral_id": pk}),
    ),
    SubjectType(name="custody_booking", label="custody booking"),
    SubjectType(
        name="information_request",
        label="information request",
        access=_information_request,
        url=lambda pk: reverse("referrals:request", kwargs={"request_id": pk}),
    ),
)


def register_referral_clock_subjects() -> None:
    for subject in SUBJECT_TYPES:
        register_subject(subject)
