"""The demo authority's children's records: for the first open cases, a Philomena profile on file, a missing
episode (one child back and waiting for the return home interview, one still missing), an NRM referral with its
reasonable grounds clock running, a move to elective home education and a case note, so that each module's
pages and the chronology have something to show. All synthetic; idempotent."""

from datetime import timedelta

from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from cases.education.services import education_change_record
from cases.missing.models import MissingEpisode
from cases.missing.services import (
    EpisodeReport,
    ProfileDetails,
    ReturnDetails,
    missing_episode_report,
    missing_return_record,
    philomena_profile_save,
)
from cases.models import Case, CaseStatus
from cases.nrm.services import nrm_referral_create
from cases.records.services import ContactData, contact_record
from safeguarding.organisations.models import LocalAuthority, User


def ensure_childs_record(*, local_authority: LocalAuthority, place: str, users: dict[str, User]) -> None:
    if MissingEpisode.objects.filter(person__local_authority=local_authority).exists():
        return
    mash = users["mash.practitioner"]
    cases = list(
        Case.objects.filter(
            local_authority=local_authority,
            status=CaseStatus.OPEN,
            lead_agency=mash.agency,
            # Children (an NRM referral here is a child's), not the young adults the demo also has.
            person__date_of_birth__gt=timezone.localdate() - timedelta(days=365 * 17),
        )
        .select_related("person")
        .order_by("opened_at")[:2]
    )
    if len(cases) < 2:
        return
    now = timezone.now()
    back, away = cases
    for case in cases:
        philomena_profile_save(
            actor=mash,
            context=SYSTEM_CONTEXT,
            person=case.person,
            expected_version=None,
            data=ProfileDetails(
                next_review_on=timezone.localdate() + timedelta(days=150),
                description="Slim build, short dark hair; usually in a black puffer jacket and white trainers.",
                associates="Older boys from the Eastside estate; an adult known as 'T'.",
                addresses_and_places=f"{place} bus station; the chicken shop on Station Road; Eastport flats.",
                phones_and_social_media="Two phones seen; Snapchat account known to police.",
                medical_needs="Asthma: carries an inhaler.",
                transport="Buses to Eastport; has used trains without a ticket.",
                current_carer="Oak House children's home",
            ),
        )
    episode = missing_episode_report(
        actor=mash,
        context=SYSTEM_CONTEXT,
        person=back.person,
        data=EpisodeReport(
            reported_at=now - timedelta(hours=30),
            missing_from="care",
            last_seen_at=now - timedelta(hours=32),
            last_seen_where=f"{place} bus station",
            risk_grade="high",
            risk_basis="Third time missing this month; found out of area before with cash.",
            reported_by_name="Night worker, Oak House",
            police_reference="NB-2026-0117",
        ),
    )
    missing_return_record(
        actor=mash,
        context=SYSTEM_CONTEXT,
        episode=episode,
        expected_version=episode.version,
        data=ReturnDetails(
            found_at=now - timedelta(hours=6),
            found_where="A flat on Station Road, Eastport",
            found_by="Police",
            safe_and_well_done=True,
            safe_and_well_at=now - timedelta(hours=5),
            exploitation_indicators=("out_of_area", "phones"),
        ),
    )
    missing_episode_report(
        actor=mash,
        context=SYSTEM_CONTEXT,
        person=away.person,
        data=EpisodeReport(
            reported_at=now - timedelta(hours=3),
            missing_from="home",
            last_seen_at=now - timedelta(hours=5),
            last_seen_where="Castle Park skate area",
            risk_grade="medium",
            risk_basis="Not answering the phone; seen with older males yesterday.",
            reported_by_name="Mother",
        ),
    )
    nrm_referral_create(
        actor=mash,
        context=SYSTEM_CONTEXT,
        person=back.person,
        data={
            "first_responder": f"{place} Children's Social Care",
            "referred_on": timezone.localdate() - timedelta(days=2),
            "exploitation_types": ["criminal", "county_lines"],
            "county_lines": True,
            "notes": "Found in a trap house out of area with cash and two phones.",
        },
    )
    education_change_record(
        actor=mash,
        context=SYSTEM_CONTEXT,
        case=away,
        status="elective_home_education",
        effective_date=timezone.localdate() - timedelta(days=7),
        provider_name="",
        note="Parent deregistered the child after a fixed-term exclusion.",
    )
    contact_record(
        actor=mash,
        context=SYSTEM_CONTEXT,
        case=back,
        data=ContactData(
            occurred_at=now - timedelta(hours=4),
            contact_type="visit",
            text="Visited at Oak House after his return: tired, would not say where he had been.",
            present="The child; his key worker",
        ),
    )
