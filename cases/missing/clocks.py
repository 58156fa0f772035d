"""A missing episode (its return home interview clock) and a Philomena profile (its review clock) as clock
subjects, registered with the clock engine from MissingConfig.ready()."""

import uuid

from django.urls import reverse

from cases.missing.access import access_episode, profiles_visible_to
from cases.missing.models import MissingEpisode, PhilomenaProfile
from safeguarding.common.errors import NotFound
from safeguarding.deadlines.services import DeadlineSubject
from safeguarding.deadlines.subjects import ClockSubject, SubjectType, register_subject
from safeguarding.organisations.models import User
from safeguarding.people.models import Person

EPISODE_SUBJECT = "missing_episode"
PROFILE_SUBJECT = "philomena_profile"


def _short_name(person: Person) -> str:
    return f"{person.given_name} {person.family_name[:1]}."


def episode_deadline_subject(episode: MissingEpisode) -> DeadlineSubject:
    return DeadlineSubject(
        subject_type=EPISODE_SUBJECT,
        subject_id=episode.pk,
        label=f"Return home interview: {_short_name(episode.person)}",
        local_authority_id=episode.local_authority_id,
        person_id=episode.person_id,
        case_id=episode.case_id,
    )


def profile_deadline_subject(profile: PhilomenaProfile, person: Person) -> DeadlineSubject:
    return DeadlineSubject(
        subject_type=PROFILE_SUBJECT,
        subject_id=profile.pk,
        label=f"Philomena profile: {_short_name(person)}",
        local_authority_id=profile.local_authority_id,
        person_id=person.pk,
    )


def _episode(user: User, episode_id: uuid.UUID) -> ClockSubject:
    episode = access_episode(user, episode_id)
    return ClockSubject(
        subject_type=EPISODE_SUBJECT,
        subject_id=episode.pk,
        label=f"Missing episode reported {episode.reported_at:%d %b %Y}",
        person_ids=(episode.person_id,),
        case_id=episode.case_id,
        case_label=episode.person.full_name,
    )


def _profile(user: User, profile_id: uuid.UUID) -> ClockSubject:
    profile = profiles_visible_to(user).select_related("person").filter(pk=profile_id).first()
    if profile is None:
        raise NotFound()
    return ClockSubject(
        subject_type=PROFILE_SUBJECT,
        subject_id=profile.pk,
        label=f"Philomena profile: {profile.person.full_name}",
        person_ids=(profile.person_id,),
    )


def _episode_url(episode_id: uuid.UUID) -> str:
    return reverse("missing:episode", kwargs={"episode_id": episode_id})


def _profile_url(profile_id: uuid.UUID) -> str:
    person_id = PhilomenaProfile.objects.values_list("person_id", flat=True).get(pk=profile_id)
    return reverse("missing:philomena", kwargs={"person_id": person_id})


def register_missing_clock_subjects() -> None:
    register_subject(
        SubjectType(name=EPISODE_SUBJECT, label="missing episode", access=_episode, url=_episode_url)
    )
    register_subject(
        SubjectType(name=PROFILE_SUBJECT, label="Philomena profile", access=_profile, url=_profile_url)
    )
