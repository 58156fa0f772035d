"""The sentinel child's story across the modules, recorded through the services: a custody booking (a referral)
with information asked of police and health, police's answer C-coded for children's social care only, health's
answer shared with police, the MASH decision, a reachable moment, the case shared with health, a panel
referral discussed at a meeting with an action agreed, and two network links (one C-coded for police only)."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from cases.chronology import registry
from cases.networks.models import Context, Link
from cases.networks.services import LinkData, context_create, link_add
from panels.models import AgendaItem, Panel, PanelAction, PanelKind, PanelReferral
from panels.services import agenda_build, meeting_schedule, panel_action_agree, panel_referral_create
from referrals.choices import ReachableMomentKind
from referrals.models import InformationRequest, MashDecision, ReachableMoment, Referral
from referrals.services import AnswerGrading, information_request_answer, mash_decision_record, referral_rate
from safeguarding.organisations.models import Agency, AgencyType, User
from safeguarding.organisations.roles import Role
from safeguarding.people.services import person_create
from tests import factories
from tests.conftest import World, world_police_request, world_referral

# The sources these tests are about (referrals, cases, networks, panels). The modules of the child's record
# (missing, education, housing, NRM, records) register theirs too and test them in their own tests; leaving
# them out here keeps these counts and rows about these sources alone.
OWN_KINDS = frozenset(
    {
        "referral",
        "custody",
        "decision",
        "information_request",
        "reachable_moment",
        "case",
        "panel",
        "network_link",
    }
)


@pytest.fixture(autouse=True)
def own_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        registry,
        "_sources",
        {kind: source for kind, source in registry._sources.items() if kind in OWN_KINDS},
    )


POLICE_ANSWER = "Known associate of a county line; intelligence from a covert source."
HEALTH_ANSWER = "Two emergency department attendances with injuries."


@dataclass
class Story:
    world: World
    health: Agency
    health_officer: User
    referral: Referral
    police_request: InformationRequest
    health_request: InformationRequest
    decision: MashDecision
    moment: ReachableMoment
    panel_referral: PanelReferral
    item: AgendaItem
    action: PanelAction
    place: Context
    police_link: Link  # C-coded: police only
    open_link: Link  # P-coded, to a person alice may open


@pytest.fixture
def story(world: World) -> Story:
    la = world.social_care.local_authority
    health = factories.agency(la, AgencyType.HEALTH, "Northbridge Health")
    health_officer = factories.user(health, Role.AGENCY_PRACTITIONER, username="hana")
    referral = world_referral(world)
    police_request = world_police_request(world)
    (health_request,) = referral_rate(
        actor=world.mash, context=SYSTEM_CONTEXT, referral=referral, rag_rating="red", agencies=[health]
    )
    factories.share(world.case, world.mash, health)
    information_request_answer(
        actor=world.police_officer,
        context=SYSTEM_CONTEXT,
        request=police_request,
        answer=POLICE_ANSWER,
        share_with=[],
        source="Police intelligence system",
        grading=AnswerGrading(
            source_grade="2",
            information_grade="B",
            handling_code="C",
            handling_agency_types=("childrens_social_care",),
            handling_conditions="Children's social care only",
        ),
    )
    information_request_answer(
        actor=health_officer,
        context=SYSTEM_CONTEXT,
        request=health_request,
        answer=HEALTH_ANSWER,
        share_with=[world.police],
        source="ED records",
    )
    decision = mash_decision_record(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        referral=referral,
        outcome="strategy_discussion",
        rationale="Exploitation concerns need a strategy discussion.",
    )
    moment = ReachableMoment.objects.create(
        referral=referral,
        person=world.case.person,
        kind=ReachableMomentKind.CUSTODY,
        occurred_at=timezone.now() - timedelta(minutes=5),
        method="in_person",
        support_offered="Youth worker visit in custody",
        support_accepted=True,
        recorded_by=world.mash,
    )
    panel = Panel.objects.create(
        local_authority=la, name="Northbridge ERP", kind=PanelKind.ERP, coordinator=world.mash
    )
    panel.member_agencies.set([world.social_care, world.police])
    panel_referral = panel_referral_create(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        panel=panel,
        about=world.case.person,
        data={
            "reason": "Found two counties away.",
            "exploitation_types": ["criminal"],
            "current_risk": "high",
        },
    )
    meeting = meeting_schedule(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        panel=panel,
        scheduled_for=timezone.now() - timedelta(minutes=1),
        invited_agencies=[world.social_care, world.police],
    )
    [item] = agenda_build(actor=world.mash, context=SYSTEM_CONTEXT, meeting=meeting)
    action = panel_action_agree(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        item=item,
        description="Check the address she was found at",
        owner_agency=world.police,
        owner=world.police_officer,
        due_date=timezone.localdate() + timedelta(days=7),
    )
    place = context_create(
        actor=world.mash, context=SYSTEM_CONTEXT, data={"kind": "park", "name": "Castle Park"}
    )
    police_link, _ = link_add(
        actor=world.police_officer,
        context=SYSTEM_CONTEXT,
        a=world.case.person,
        b=place,
        data=LinkData(
            link_type="frequents",
            source="Police intelligence report 4471",
            handling_code="C",
            handling_agency_types=("police",),
            handling_conditions="Police only",
        ),
    )
    adult = person_create(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        data=factories.person_data(
            given_name="Dean", family_name="Adultson", date_of_birth=None, estimated_age_years=30
        ),
    )
    open_link, _ = link_add(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        a=adult,
        b=world.case.person,
        data=LinkData(link_type="suspected_exploiter", source="Outreach worker"),
    )
    return Story(
        world=world,
        health=health,
        health_officer=health_officer,
        referral=referral,
        police_request=police_request,
        health_request=health_request,
        decision=decision,
        moment=moment,
        panel_referral=panel_referral,
        item=item,
        action=action,
        place=place,
        police_link=police_link,
        open_link=open_link,
    )
