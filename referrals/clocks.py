"""The front door's clock subjects, registered with the clock engine from ReferralsConfig.ready(). Their
clocks decide who sees them (the case they belong to, else the owning agency: deadlines.access)."""

from safeguarding.deadlines.subjects import SubjectType, register_subject

SUBJECT_TYPES = (
    SubjectType(name="referral", label="referral"),
    SubjectType(name="custody_booking", label="custody booking"),
    SubjectType(name="information_request", label="information request"),
)


def register_referral_clock_subjects() -> None:
    for subject in SUBJECT_TYPES:
        register_subject(subject)
