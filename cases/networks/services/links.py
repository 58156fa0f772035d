"""Recording a link with its evidence and grading, its review clock while unconfirmed, and its status through to
confirmed, or lapsed when nobody confirms it in time. Cross-case detection is queued on commit (alerts.py)."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from celery import current_app
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audits.context import AuditContext
from audits.models import AuditAction
from audits.services import audit_event_record
from cases.networks.clocks import LINK_SUBJECT
from cases.networks.models import (
    DIRECTIONAL_TYPES,
    Context,
    HandlingCode,
    Link,
    LinkStatus,
    LinkType,
)
from cases.networks.services._common import Node, require_recorder
from safeguarding.common.errors import ApplicationError
from safeguarding.deadlines.models import Deadline, DeadlineStatus
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.deadlines.selectors import open_clock_of
from safeguarding.deadlines.services import DeadlineSubject, deadline_meet, deadline_start, now_from_database
from safeguarding.organisations.models import AgencyType, User
from safeguarding.people.models import Person

ALERTS_TASK = "cases.networks.tasks.raise_cross_case_alerts"


@dataclass(frozen=True)
class LinkData:
    link_type: str
    source: str
    status: str = LinkStatus.ALLEGED
    first_seen: date | None = None
    last_seen: date | None = None
    source_grade: str = ""
    information_grade: str = ""
    handling_code: str = ""
    handling_agency_types: tuple[str, ...] = ()
    handling_conditions: str = ""


def _validate(data: LinkData, a: Node, b: Node) -> None:
    errors: dict[str, str] = {}
    if data.link_type not in LinkType.values:
        errors["link_type"] = "Select how they are linked"
    if not data.source.strip():
        errors["source"] = "Enter where this comes from: a link is recorded only with its evidence"
    if data.status not in (LinkStatus.ALLEGED, LinkStatus.CORROBORATED, LinkStatus.CONFIRMED):
        errors["status"] = "Select whether the link is alleged, corroborated or confirmed"
    if data.first_seen and data.last_seen and data.last_seen < data.first_seen:
        errors["last_seen"] = "The date last seen must be the same as or after the date first seen"
    if data.handling_code == HandlingCode.CONDITIONS and not data.handling_agency_types:
        errors["handling_agency_types"] = "Select the agencies a C-coded link may be shared with"
    if not set(data.handling_agency_types) <= set(AgencyType.values):
        errors["handling_agency_types"] = "Select the agencies from the list"
    if data.link_type in (LinkType.MEMBER, LinkType.FREQUENTS, LinkType.LIVES_AT) and not isinstance(
        b, Context
    ):
        errors["link_type"] = "Membership, frequenting and living at are links to a place or group"
    if a == b:
        errors["link_type"] = "A link must join two different people or places"
    if errors:
        raise ValidationError(errors)


def _ends(a: Node, b: Node, link_type: str) -> dict[str, Any]:
    # An undirected link between two people is stored one way round, so it is found as a duplicate either way.
    if (
        link_type not in DIRECTIONAL_TYPES
        and isinstance(a, Person)
        and isinstance(b, Person)
        and str(b.pk) < str(a.pk)
    ):
        a, b = b, a
    return {
        "person_a": a if isinstance(a, Person) else None,
        "context_a": a if isinstance(a, Context) else None,
        "person_b": b if isinstance(b, Person) else None,
        "context_b": b if isinstance(b, Context) else None,
    }


def _label(person: Person | None, node: Node) -> str:
    if person is not None:
        return f"{person.given_name} {person.family_name[:1]}."
    return node.name if isinstance(node, Context) else ""


@transaction.atomic(durable=True)
def link_add(*, actor: User, context: AuditContext, a: Node, b: Node, data: LinkData) -> tuple[Link, bool]:
    """Record a link (the caller has authorised both ends for the actor). The same live link again is answered
    with the first, unchanged: (link, created)."""
    agency = require_recorder(actor)
    _validate(data, a, b)
    ends = _ends(a, b, data.link_type)
    existing = Link.objects.filter(**ends, link_type=data.link_type).exclude(status=LinkStatus.LAPSED).first()
    if existing is not None:
        return existing, False
    link = Link(
        local_authority_id=agency.local_authority_id,
        **ends,
        link_type=data.link_type,
        first_seen=data.first_seen,
        last_seen=data.last_seen,
        source=data.source.strip()[:300],
        recorded_by=actor,
        recording_agency=agency,
        status=data.status,
        source_grade=data.source_grade,
        information_grade=data.information_grade,
        handling_code=data.handling_code,
        handling_agency_types=list(data.handling_agency_types),
        handling_conditions=data.handling_conditions.strip()[:300],
    )
    link.full_clean(
        exclude=[
            "local_authority",
            "person_a",
            "person_b",
            "context_a",
            "context_b",
            "recorded_by",
            "recording_agency",
        ]
    )
    try:
        with transaction.atomic():  # savepoint: the same link recorded at the same moment is the first one
            link.save(force_insert=True)
    except IntegrityError:
        return Link.objects.filter(**ends, link_type=data.link_type).exclude(
            status=LinkStatus.LAPSED
        ).get(), False
    now = now_from_database()
    person = ends["person_a"] or ends["person_b"]
    if link.status != LinkStatus.CONFIRMED:
        deadline_start(
            policy=PolicyCode.NETWORK_LINK_REVIEW,
            subject=DeadlineSubject(
                subject_type=LINK_SUBJECT,
                subject_id=link.pk,
                label=f"link: {_label(person, a)} and {_label(None, b) or _label(ends['person_b'], b)}"[:200],
                local_authority_id=link.local_authority_id,
                person_id=person.pk if person is not None else None,
            ),
            started_at=now,
            owning_agency=agency,
            owner=actor,
            actor=actor,
            context=context,
            now=now,
        )
    # Cross-case detection runs after the commit in a worker (network_alerts_raise), so the practitioner does
    # not wait for the alerts and their clocks; a sweep picks up any task that was lost.
    link_id = str(link.pk)
    transaction.on_commit(lambda: current_app.send_task(ALERTS_TASK, kwargs={"link_id": link_id}))
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="network_link",
        object_id=link.pk,
        person_ids=[p.pk for p in (ends["person_a"], ends["person_b"]) if p is not None],
        context=context,
        changes={"link_type": link.link_type, "status": link.status},
    )
    return link, True


@transaction.atomic(durable=True)
def link_set_status(*, actor: User, context: AuditContext, link: Link, status: str, reason: str = "") -> Link:
    """Corroborate or confirm a link (confirming meets its review clock), or correct it back to alleged."""
    require_recorder(actor)
    locked = Link.objects.select_for_update().get(pk=link.pk)
    if locked.status == LinkStatus.LAPSED:
        raise ApplicationError(
            "This link has lapsed. Record it again, with its evidence, if it still stands."
        )
    if status not in (LinkStatus.ALLEGED, LinkStatus.CORROBORATED, LinkStatus.CONFIRMED):
        raise ValidationError({"status": "Select whether the link is alleged, corroborated or confirmed"})
    before = locked.status
    locked.status = status
    locked.save(update_fields=["status", "updated_at"])
    if status == LinkStatus.CONFIRMED:
        clock = open_clock_of(subject_type=LINK_SUBJECT, subject_id=locked.pk)
        if clock is not None:
            deadline_meet(deadline_id=clock.pk, actor=actor, note="Link confirmed", context=context)
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="network_link",
        object_id=locked.pk,
        person_ids=[p for p in (locked.person_a_id, locked.person_b_id) if p is not None],
        context=context,
        reason=reason,
        changes={"status": [before, status]},
    )
    return locked


def links_lapse_due() -> int:
    """Lapse each unconfirmed link whose review clock has run out (the sweep breached it). Idempotent: a lapsed
    link is not live, so a second run finds nothing. Called by a beat task."""
    lapsed = 0
    due = Deadline.objects.filter(
        subject_type=LINK_SUBJECT, policy=PolicyCode.NETWORK_LINK_REVIEW, status=DeadlineStatus.BREACHED
    ).values("subject_id")
    for link_id in Link.objects.filter(
        pk__in=due, status__in=[LinkStatus.ALLEGED, LinkStatus.CORROBORATED]
    ).values_list("pk", flat=True):
        with transaction.atomic():
            locked = (
                Link.objects.select_for_update()
                .filter(pk=link_id, status__in=[LinkStatus.ALLEGED, LinkStatus.CORROBORATED])
                .first()
            )
            if locked is None:
                continue
            locked.status = LinkStatus.LAPSED
            locked.save(update_fields=["status", "updated_at"])
            audit_event_record(
                actor=None,
                action=AuditAction.UPDATE,
                object_type="network_link",
                object_id=locked.pk,
                person_ids=[p for p in (locked.person_a_id, locked.person_b_id) if p is not None],
                reason="Not confirmed before its review date",
                changes={"status": "lapsed"},
            )
            lapsed += 1
    return lapsed
