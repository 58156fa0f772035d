"""A child's education records as clock subjects, registered with the clock engine from EducationConfig.ready().

- `education_change`: a change that took a child at risk off a school roll; the case owner's follow-up
  (EDUCATION_ROLL_LEFT) belongs to the child's case and is seen by whoever may see it, on the change's page.
- `education_follow_up`: the same change, as the education lead's follow-up. Its clock has no case (the
  education agency may not be shared it), so its clocks decide who sees it: the agency that owns it, on the
  clock engine's own page for the subject.
- `school_place_application`: an application's due-date clock (SCHOOL_PLACE_APPLICATION), on its page.

The names are constants here and in no other module, so that services and pages agree."""

import uuid

from django.urls import reverse

from cases.education.access import access_education_change, access_school_place_application
from safeguarding.deadlines.subjects import ClockSubject, SubjectType, register_subject
from safeguarding.organisations.models import User

EDUCATION_CHANGE_SUBJECT = "education_change"
EDUCATION_LEAD_SUBJECT = "education_follow_up"
SCHOOL_PLACE_SUBJECT = "school_place_application"


def _change(user: User, change_id: uuid.UUID) -> ClockSubject:
    change = access_education_change(user, change_id).record
    return ClockSubject(
        subject_type=EDUCATION_CHANGE_SUBJECT,
        subject_id=change.pk,
        label=f"{change.person.full_name}: {change}",
        person_ids=(change.person_id,),
        case_id=change.case_id,
        case_label=change.person.full_name,
    )


def _application(user: User, application_id: uuid.UUID) -> ClockSubject:
    application = access_school_place_application(user, application_id).record
    return ClockSubject(
        subject_type=SCHOOL_PLACE_SUBJECT,
        subject_id=application.pk,
        label=f"{application.person.full_name}: {application}",
        person_ids=(application.person_id,),
        case_id=application.case_id,
        case_label=application.person.full_name,
    )


def _change_url(change_id: uuid.UUID) -> str:
    return reverse("education:change", kwargs={"education_change_id": change_id})


def _application_url(application_id: uuid.UUID) -> str:
    return reverse("education:application", kwargs={"school_application_id": application_id})


def register_education_clock_subjects() -> None:
    register_subject(
        SubjectType(
            name=EDUCATION_CHANGE_SUBJECT,
            label="change of education status",
            access=_change,
            url=_change_url,
        )
    )
    register_subject(SubjectType(name=EDUCATION_LEAD_SUBJECT, label="child at risk off a school roll"))
    register_subject(
        SubjectType(
            name=SCHOOL_PLACE_SUBJECT,
            label="school place application",
            access=_application,
            url=_application_url,
        )
    )
