"""Recording contexts and links, and what a new link sets off: its review clock while unconfirmed, and a
cross-case alert to the owners of both cases when it ties a child to someone or somewhere already linked to
another open case. Each write is one durable transaction with its audit row; the clocks announce themselves
to their owners on commit (the clock engine's outbox)."""

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from celery import current_app
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from audits.context import SYSTEM_CONTEXT, AuditContext
from audits.models import AuditAction
from audits.services import audit_event_record
from cases.models import Case, CaseStatus
from cases.networks.access import can_record_links
from cases.networks.clocks import ALERT_SUBJECT, CONTEXT_ACTION_SUBJECT, LINK_SUBJECT
from cases.networks.models import (
    DIRECTIONAL_TYPES,
    AssessmentKind,
    Context,
    ContextAction,
    ContextActionStatus,
    ContextAssessment,
    ContextKind,
    CrossCaseAlert,
    HandlingCode,
    Link,
    LinkStatus,
    LinkType,
    alert_contact,
)
from safeguarding.common.errors import ApplicationError, PermissionRefused
from safeguarding.deadlines.calendars import end_of_working_day
from safeguarding.deadlines.models import Deadline, DeadlineStatus
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.deadlines.selectors import open_clock_of
from safeguarding.deadlines.services import DeadlineSubject, deadline_meet, deadline_start, now_from_database
from safeguarding.organisations.models import Agency, AgencyType, User
from safeguarding.people.models import Person

Node = Person | Context


def _require(actor: User) -> Agency:
    if not can_record_links(actor) or actor.agency is None:
        raise PermissionRefused("Your role does not allow you to record networks.")
    return actor.agency


def _search_text(name: str, deal_line: str, postcode: str) -> str:
    return " ".join(part for part in (name, deal_line, postcode) if part).lower()


@transaction.atomic(durable=True)
def context_create(*, actor: User, context: AuditContext, data: dict[str, Any]) -> Context:
    """A place or group of the actor's authority (the page searches before it offers this)."""
    agency = _require(actor)
    errors: dict[str, str] = {}
    if data.get("kind") not in ContextKind.values:
        errors["kind"] = "Select what kind of place or group this is"
    name = str(data.get("name", "")).strip()
    if not name:
        errors["name"] = "Enter the name of the place or group"
    if errors:
        raise ValidationError(errors)
    created = Context(
        local_authority_id=agency.local_authority_id,
        kind=data["kind"],
        name=name[:200],
        description=str(data.get("description", "")).strip(),
        postcode=str(data.get("postcode", "")).strip().upper()[:10],
        deal_line_name=str(data.get("deal_line_name", "")).strip()[:80],
        created_by=actor,
        created_by_agency=agency,
    )
    created.search_text = _search_text(created.name, created.deal_line_name, created.postcode)
    created.full_clean(exclude=["local_authority", "created_by", "created_by_agency"])
    created.save(force_insert=True)
    audit_event_record(
        actor=actor, action=AuditAction.CREATE, object_type="context", object_id=created.pk, context=context
    )
    return created


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


def _node_filter(node: Node) -> Q:
    if isinstance(node, Person):
        return Q(person_a=node) | Q(person_b=node)
    return Q(context_a=node) | Q(context_b=node)


def _label(person: Person | None, node: Node) -> str:
    if person is not None:
        return f"{person.given_name} {person.family_name[:1]}."
    return node.name if isinstance(node, Context) else ""


@transaction.atomic(durable=True)
def link_add(*, actor: User, context: AuditContext, a: Node, b: Node, data: LinkData) -> tuple[Link, bool]:
    """Record a link (the caller has authorised both ends for the actor). The same live link again is answered
    with the first, unchanged: (link, created)."""
    agency = _require(actor)
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


def _same_person_elsewhere(person: Person) -> list[Person]:
    """The same person as another authority of this deployment records them, matched on NHS number (the one
    identifier that authorities share): a child in one borough and a child in the next tied to the same adult
    are the case the review describes."""
    if not person.nhs_number:
        return []
    return list(
        Person.objects.filter(nhs_number=person.nhs_number).exclude(
            local_authority_id=person.local_authority_id
        )
    )


def _open_cases(person_ids: set[uuid.UUID]) -> dict[uuid.UUID, list[Case]]:
    found: dict[uuid.UUID, list[Case]] = {}
    for case in Case.objects.filter(person_id__in=person_ids, status=CaseStatus.OPEN).select_related(
        "person", "lead_agency", "allocated_worker", "local_authority"
    ):
        found.setdefault(case.person_id, []).append(case)
    return found


def _neighbours(node: Node, exclude: Link) -> list[Link]:
    """The live links at `node` recorded before `exclude`: a link's alerts are about what was known when it
    was recorded, so two links checked in either order raise one pair of alerts, not two."""
    return list(
        Link.objects.filter(_node_filter(node), created_at__lt=exclude.created_at)
        .exclude(pk=exclude.pk)
        .exclude(status=LinkStatus.LAPSED)
        .select_related("person_a", "person_b", "recording_agency")
    )


def _person_at_other_end(link: Link, node: Node) -> Person | None:
    """The person at the end of `link` away from `node` (None when that end is a context)."""
    at_a = link.person_a_id == node.pk if isinstance(node, Person) else link.context_a_id == node.pk
    return link.person_b if at_a else link.person_a


def _allowed(link: Link, agency: Agency) -> bool:
    return link.handling_code != HandlingCode.CONDITIONS or agency.agency_type in link.handling_agency_types


ALERTS_TASK = "cases.networks.tasks.raise_cross_case_alerts"
# How long a link waits for its task before the sweep raises its alerts instead.
ALERTS_SWEEP_AFTER = timedelta(seconds=60)


@transaction.atomic(durable=True)
def network_alerts_raise(*, link_id: uuid.UUID | str) -> list[CrossCaseAlert]:
    """Cross-case detection for one link, once: idempotent (the link is locked and marked, and each alert is
    unique per link and case pair), so a retried or duplicated task raises nothing twice."""
    link = (
        Link.objects.select_for_update(of=("self",))
        .select_related("person_a", "person_b", "context_a", "context_b", "recorded_by", "recording_agency")
        .filter(pk=link_id)
        .first()
    )
    if link is None or link.alerts_checked_at is not None:
        return []
    raised = _raise_alerts(link, actor=link.recorded_by, context=SYSTEM_CONTEXT)
    link.alerts_checked_at = timezone.now()
    link.save(update_fields=["alerts_checked_at"])
    return raised


def network_alerts_sweep(*, older_than: timedelta = ALERTS_SWEEP_AFTER) -> int:
    """Raise the alerts of links whose task has not run (lost with a broker restart, say). Called by beat."""
    due = (
        Link.objects.filter(alerts_checked_at__isnull=True, created_at__lte=timezone.now() - older_than)
        .order_by("created_at")
        .values_list("pk", flat=True)
    )
    done = 0
    for link_id in list(due[:500]):
        network_alerts_raise(link_id=link_id)
        done += 1
    return done


def _raise_alerts(link: Link, *, actor: User, context: AuditContext) -> list[CrossCaseAlert]:
    """For each end of the new link that is a child with an open case, every other person reached through the
    other end (that end itself, or someone linked to it) with an open case of their own makes a pair of
    alerts, one to each case's owner. A C-coded link whose conditions keep a case's agency out alerts the
    agency that holds the intelligence instead."""
    ends: list[tuple[Person | None, Node]] = [
        (link.person_a, link.person_b or link.context_b),  # type: ignore[list-item]
        (link.person_b, link.person_a or link.context_a),  # type: ignore[list-item]
    ]
    pairs: list[tuple[Person, Person, Link | None]] = []
    for child, far in ends:
        if child is None:
            continue
        if isinstance(far, Person):
            pairs.append((child, far, None))
        # The far end as this authority records it, and as the other authorities of the deployment do.
        for node in [far, *(_same_person_elsewhere(far) if isinstance(far, Person) else [])]:
            for neighbour in _neighbours(node, exclude=link):
                other = _person_at_other_end(neighbour, node)
                if other is not None and other.pk != child.pk:
                    pairs.append((child, other, neighbour))
    if not pairs:
        return []
    cases = _open_cases({p.pk for pair in pairs for p in pair[:2]})
    raised: list[CrossCaseAlert] = []
    for child, other, via in pairs:
        for mine in cases.get(child.pk, []):
            for theirs in cases.get(other.pk, []):
                if mine.pk == theirs.pk:
                    continue
                for case, other_case in ((mine, theirs), (theirs, mine)):
                    alert = _alert(link, via, case, other_case, actor=actor, context=context)
                    if alert is not None:
                        raised.append(alert)
    return raised


def _alert(
    link: Link, via: Link | None, case: Case, other_case: Case, *, actor: User, context: AuditContext
) -> CrossCaseAlert | None:
    restricted = next((x for x in (link, via) if x is not None and not _allowed(x, case.lead_agency)), None)
    told = restricted.recording_agency if restricted is not None else case.lead_agency
    alert, created = CrossCaseAlert.objects.get_or_create(
        link=link, case=case, other_case=other_case, defaults={"told_agency": told}
    )
    if not created:
        return None
    deadline_start(
        policy=PolicyCode.NETWORK_ALERT,
        subject=DeadlineSubject(
            subject_type=ALERT_SUBJECT,
            subject_id=alert.pk,
            label=(
                f"{case.person.given_name} {case.person.family_name[:1]}.: linked to another open case "
                f"(contact {alert_contact(case, other_case)})"
            )[:200],
            local_authority_id=case.local_authority_id,
            person_id=case.person_id if restricted is None else None,
            case_id=case.pk if restricted is None else None,
        ),
        started_at=now_from_database(),
        owning_agency=told,
        owner=case.allocated_worker if restricted is None else None,
        actor=actor,
        context=context,
        announce=True,
    )
    return alert


@transaction.atomic(durable=True)
def link_set_status(*, actor: User, context: AuditContext, link: Link, status: str, reason: str = "") -> Link:
    """Corroborate or confirm a link (confirming meets its review clock), or correct it back to alleged."""
    _require(actor)
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


def _require_context_worker(actor: User, ctx: Context) -> Agency:
    agency = _require(actor)
    if ctx.local_authority_id != agency.local_authority_id:
        raise PermissionRefused("This place or group belongs to another authority.")
    return agency


@transaction.atomic(durable=True)
def context_assess(
    *, actor: User, context: AuditContext, ctx: Context, data: dict[str, Any]
) -> ContextAssessment:
    """A peer group, school or neighbourhood assessment, answering what must change first."""
    agency = _require_context_worker(actor, ctx)
    errors: dict[str, str] = {}
    if data.get("kind") not in AssessmentKind.values:
        errors["kind"] = "Select the kind of assessment"
    if not str(data.get("findings", "")).strip():
        errors["findings"] = "Enter what the assessment found"
    if not str(data.get("change_first", "")).strip():
        errors["change_first"] = "Enter what must change first for the children to be safer"
    if errors:
        raise ValidationError(errors)
    assessment = ContextAssessment.objects.create(
        context=ctx,
        kind=data["kind"],
        findings=str(data["findings"]).strip(),
        change_first=str(data["change_first"]).strip(),
        strengths=str(data.get("strengths", "")).strip(),
        assessed_by=actor,
        assessed_by_agency=agency,
    )
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="context_assessment",
        object_id=assessment.pk,
        context=context,
        changes={"context": str(ctx.pk), "kind": assessment.kind},
    )
    return assessment


@transaction.atomic(durable=True)
def context_action_agree(
    *,
    actor: User,
    context: AuditContext,
    ctx: Context,
    description: str,
    owner_agency: Agency | None,
    owner: User | None,
    due_date: date | None,
) -> ContextAction:
    """An action of the context's plan: a clock for its owner, who is told."""
    _require_context_worker(actor, ctx)
    errors: dict[str, str] = {}
    if not description.strip():
        errors["description"] = "Enter the action"
    if owner is not None and owner_agency is None:
        owner_agency = owner.agency
    if owner_agency is None:
        errors["owner_agency"] = "Select the agency that owns the action"
    elif owner is not None and owner.agency_id != owner_agency.pk:
        errors["owner"] = "The named owner must work for the owning agency"
    today = timezone.localdate()
    if due_date is None:
        errors["due_date"] = "Enter the date the action is due"
    elif due_date <= today:
        errors["due_date"] = "The due date must be in the future"
    if errors:
        raise ValidationError(errors)
    assert owner_agency is not None and due_date is not None
    if owner_agency.local_authority_id != ctx.local_authority_id:
        raise ApplicationError("The owning agency must belong to this authority.")
    action = ContextAction.objects.create(
        context=ctx,
        description=description.strip(),
        owner_agency=owner_agency,
        owner=owner,
        due_date=due_date,
        agreed_by=actor,
    )
    deadline_start(
        policy=PolicyCode.CONTEXT_ACTION,
        subject=DeadlineSubject(
            subject_type=CONTEXT_ACTION_SUBJECT,
            subject_id=action.pk,
            label=f"{ctx.name}: {action.description}"[:200],
            local_authority_id=ctx.local_authority_id,
        ),
        started_at=now_from_database(),
        due_at=end_of_working_day(due_date),
        owning_agency=owner_agency,
        owner=owner,
        actor=actor,
        context=context,
        announce=True,
    )
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="context_action",
        object_id=action.pk,
        context=context,
        changes={"context": str(ctx.pk), "owner_agency": owner_agency.name, "due_date": due_date.isoformat()},
    )
    return action


@transaction.atomic(durable=True)
def context_action_done(
    *, actor: User, context: AuditContext, action: ContextAction, note: str = ""
) -> ContextAction:
    _require(actor)
    locked = ContextAction.objects.select_for_update().get(pk=action.pk)
    if locked.status != ContextActionStatus.OPEN:
        raise ApplicationError("This action is already done.")
    if actor.agency_id != locked.owner_agency_id and actor.pk != locked.agreed_by_id:
        raise PermissionRefused("Only the owning agency, or whoever agreed the action, can mark it done.")
    locked.status = ContextActionStatus.DONE
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "closed_at", "updated_at"])
    clock = open_clock_of(subject_type=CONTEXT_ACTION_SUBJECT, subject_id=locked.pk)
    if clock is not None:
        deadline_meet(deadline_id=clock.pk, actor=actor, note=note.strip() or "Done", context=context)
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="context_action",
        object_id=locked.pk,
        context=context,
        changes={"status": "done"},
    )
    return locked
