"""The demo authority's Exploitation and Risk Panel: co-chaired by the panel chair (social care) and the police
desk's sergeant, coordinated by the MASH practitioner, every agency a member, its next meeting in a week."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from panels.models import Panel, PanelKind
from safeguarding.organisations.models import Agency, LocalAuthority, User


def ensure_panel(
    *, local_authority: LocalAuthority, place: str, agencies: dict[str, Agency], users: dict[str, User]
) -> None:
    coordinator = users.get("mash.practitioner") or next(iter(users.values()))
    panel, created = Panel.objects.get_or_create(
        local_authority=local_authority,
        name=f"{place} Exploitation and Risk Panel",
        defaults={
            "kind": PanelKind.ERP,
            "cadence_days": 14,
            "coordinator": coordinator,
            "manager": users.get("mash.manager"),
        },
    )
    if created:
        panel.chairs.set(
            [u for u in (users.get("panel.chair"), users.get("agency.manager")) if u is not None]
        )
        panel.member_agencies.set(agencies.values())
    if not panel.meetings.filter(scheduled_for__gte=timezone.now()).exists():
        day = timezone.localdate() + timedelta(days=7)
        meeting = panel.meetings.create(
            local_authority=local_authority,
            scheduled_for=timezone.make_aware(datetime.combine(day, time(10, 0))),
            location="Civic Centre, Committee Room 2",
        )
        meeting.invited_agencies.set(panel.member_agencies.all())
