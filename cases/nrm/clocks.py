"""An NRM referral as a clock subject (its reasonable grounds decision clock), registered with the clock engine
from NrmConfig.ready(). The clock belongs to the child's case too, so the case's clock panel shows it."""

import uuid

from django.urls import reverse

from cases.nrm.access import access_nrm_referral
from cases.nrm.models import NrmReferral
from safeguarding.deadlines.subjects import ClockSubject, SubjectType, register_subject
from safeguarding.organisations.models import User

NRM_REFERRAL_SUBJECT = "nrm_referral"


def nrm_clock_subject(referral: NrmReferral) -> ClockSubject:
    """The clock panel's subject for a referral already authorised with access_nrm_referral."""
    return ClockSubject(
        subject_type=NRM_REFERRAL_SUBJECT,
        subject_id=referral.pk,
        label=nrm_clock_label(referral),
        person_ids=(referral.person_id,),
        case_id=referral.case_id,
        case_label=referral.person.full_name,
    )


def nrm_clock_label(referral: NrmReferral) -> str:
    """How clock lists name the referral: the child's given name and initial, as the referrals' clocks do."""
    person = referral.person
    return f"{person.given_name} {person.family_name[:1]}.: NRM referral of {referral.referred_on:%-d %b %Y}"


def _access(user: User, referral_id: uuid.UUID) -> ClockSubject:
    return nrm_clock_subject(access_nrm_referral(user, referral_id))


def _url(referral_id: uuid.UUID) -> str:
    return reverse("nrm:detail", kwargs={"nrm_referral_id": referral_id})


def register_nrm_clock_subject() -> None:
    register_subject(SubjectType(name=NRM_REFERRAL_SUBJECT, label="NRM referral", access=_access, url=_url))
