"""What the NRM module gives the child's record (registered from NrmConfig.ready()): the link from the person
page to the child's NRM page, and three chronology sources: the referral made, the reasonable grounds decision
and the conclusive grounds decision. Each is scoped like the module's own pages (the referrals of the cases
the reader may see) and runs no query itself: the chronology unions them."""

import uuid

from django.db.models import Case, F, QuerySet, TextField, Value, When
from django.db.models.functions import Concat

from cases.chronology.registry import ChronologySource, RecordLink, chronology_values
from cases.nrm.access import nrm_referrals_visible_to
from cases.nrm.models import NrmOutcome
from safeguarding.organisations.access import reads_case_data
from safeguarding.organisations.models import User

DETAIL_URL = "nrm:detail"


def _referrals(user: User, person_id: uuid.UUID) -> QuerySet:
    return nrm_referrals_visible_to(user).filter(person_id=person_id)


def _decision_title(prefix: str, stage: str) -> Case:
    return Case(
        When(**{f"{prefix}_outcome": NrmOutcome.POSITIVE}, then=Value(f"Positive {stage} decision (NRM)")),
        default=Value(f"Negative {stage} decision (NRM)"),
        output_field=TextField(),
    )


def _decided_by(prefix: str) -> Concat:
    return Concat(Value("Decided by "), F(f"{prefix}_decision_maker_name"), output_field=TextField())


def referral_events(user: User, person_id: uuid.UUID) -> QuerySet:
    return chronology_values(
        _referrals(user, person_id),
        kind="nrm",
        at="referred_on",
        title=Value("NRM referral made"),
        detail=Concat(Value("By "), F("first_responder"), output_field=TextField()),
        agency="recording_agency__name",
        url_name=DETAIL_URL,
    )


def reasonable_grounds_events(user: User, person_id: uuid.UUID) -> QuerySet:
    return chronology_values(
        _referrals(user, person_id).filter(rg_decided_on__isnull=False),
        kind="nrm_reasonable_grounds",
        at="rg_decided_on",
        title=_decision_title("rg", "reasonable grounds"),
        detail=_decided_by("rg"),
        agency="recording_agency__name",
        url_name=DETAIL_URL,
    )


def conclusive_grounds_events(user: User, person_id: uuid.UUID) -> QuerySet:
    return chronology_values(
        _referrals(user, person_id).filter(cg_decided_on__isnull=False),
        kind="nrm_conclusive_grounds",
        at="cg_decided_on",
        title=_decision_title("cg", "conclusive grounds"),
        detail=_decided_by("cg"),
        agency="recording_agency__name",
        url_name=DETAIL_URL,
    )


CHRONOLOGY_SOURCES = (
    ChronologySource(kind="nrm", label="NRM referrals", events=referral_events),
    ChronologySource(
        kind="nrm_reasonable_grounds",
        label="NRM reasonable grounds decisions",
        events=reasonable_grounds_events,
    ),
    ChronologySource(
        kind="nrm_conclusive_grounds",
        label="NRM conclusive grounds decisions",
        events=conclusive_grounds_events,
    ),
)

# Anyone who reads case data and reached the person page may open the child's NRM page (it shows the
# referrals of the cases they may see, and says so when there are none).
RECORD_LINK = RecordLink(
    key="nrm",
    label="National Referral Mechanism",
    url_name="nrm:person",
    shown_to=reads_case_data,
    description="Referrals, reasonable and conclusive grounds decisions, and the child's guardian",
)
