"""The demo authority's networks: places and groups (a bus station, a park, a county line with its deal line
name, a peer group), an adult of concern recorded by police as the suspected exploiter of two children with
open cases (so the network shows the tie the review found agencies missed), the children's links to the
places, and the contextual panel with the county line referred to it. All synthetic; idempotent."""

from datetime import date, timedelta

from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from cases.models import Case, CaseStatus
from cases.networks.models import Context
from cases.networks.services import LinkData, context_create, link_add
from panels.models import Panel, PanelKind
from panels.services import panel_referral_create
from safeguarding.organisations.models import Agency, LocalAuthority, User
from safeguarding.people.services import person_create, person_grant_agency


def ensure_network(
    *, local_authority: LocalAuthority, place: str, agencies: dict[str, Agency], users: dict[str, User]
) -> None:
    if Context.objects.filter(local_authority=local_authority).exists():
        return
    mash = users["mash.practitioner"]
    police = users["police.practitioner"]
    children = list(
        Case.objects.filter(local_authority=local_authority, status=CaseStatus.OPEN)
        .select_related("person")
        .order_by("opened_at")[:4]
    )
    if len(children) < 2:
        return
    contexts = {
        "station": (
            "transport_hub",
            f"{place} bus station",
            "",
            "Seen waiting after school with older males.",
        ),
        "park": (
            "park",
            "Castle Park skate area",
            "",
            "Cannabis dealing reported at the skate area after 4pm.",
        ),
        "line": (
            "county_line",
            f"{place} 'Tommy' line",
            "Tommy",
            "Deal line running into the coastal towns.",
        ),
        "peers": ("peer_group", "Eastside boys", "", "Year 9 and 10 boys, three schools."),
    }
    made = {
        key: context_create(
            actor=mash,
            context=SYSTEM_CONTEXT,
            data={"kind": kind, "name": name, "deal_line_name": line, "description": description},
        )
        for key, (kind, name, line, description) in contexts.items()
    }
    adult = person_create(
        actor=police,
        context=SYSTEM_CONTEXT,
        data={
            "given_name": "Jordan",
            "family_name": "Demo-Adult",
            "date_of_birth": date(timezone.localdate().year - 24, 4, 2),
            "aliases": ["JJ"],
        },
    )
    person_grant_agency(person=adult, agency=mash.agency, write=False)  # type: ignore[arg-type]
    today = timezone.localdate()
    intelligence = LinkData(
        link_type="suspected_exploiter",
        source="Police intelligence report (demo)",
        first_seen=today - timedelta(days=60),
        last_seen=today - timedelta(days=3),
        source_grade="2",
        information_grade="B",
        handling_code="P",
    )
    for case in children[:2]:
        link_add(actor=police, context=SYSTEM_CONTEXT, a=adult, b=case.person, data=intelligence)
    link_add(
        actor=police,
        context=SYSTEM_CONTEXT,
        a=adult,
        b=made["line"],
        data=LinkData(link_type="member", source="Phone download (demo)", status="corroborated"),
    )
    for case in children:
        link_add(
            actor=mash,
            context=SYSTEM_CONTEXT,
            a=case.person,
            b=made["station"],
            data=LinkData(link_type="frequents", source="School attendance officer (demo)"),
        )
    link_add(
        actor=mash,
        context=SYSTEM_CONTEXT,
        a=children[0].person,
        b=children[1].person,
        data=LinkData(link_type="peer", source="Mother (demo)", status="corroborated"),
    )
    link_add(
        actor=mash,
        context=SYSTEM_CONTEXT,
        a=children[0].person,
        b=made["peers"],
        data=LinkData(link_type="member", source="Youth worker (demo)"),
    )
    panel = _contextual_panel(local_authority, place, agencies, users)
    panel_referral_create(
        actor=mash,
        context=SYSTEM_CONTEXT,
        panel=panel,
        about=made["line"],
        data={
            "reason": "Children from three schools are being recruited to run this line (demo data).",
            "exploitation_types": ["criminal", "county_lines"],
            "current_risk": "high",
        },
    )


def _contextual_panel(
    local_authority: LocalAuthority, place: str, agencies: dict[str, Agency], users: dict[str, User]
) -> Panel:
    panel, created = Panel.objects.get_or_create(
        local_authority=local_authority,
        name=f"{place} Contextual Exploitation and Risk Panel",
        defaults={
            "kind": PanelKind.CONTEXTUAL_ERP,
            "cadence_days": 28,
            "coordinator": users["mash.practitioner"],
            "manager": users.get("mash.manager"),
        },
    )
    if created:
        panel.chairs.set(
            [u for u in (users.get("panel.chair"), users.get("agency.manager")) if u is not None]
        )
        panel.member_agencies.set(agencies.values())
    return panel
