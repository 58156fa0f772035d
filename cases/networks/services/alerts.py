"""Cross-case alerts: a new link that ties a child to someone or somewhere already linked to another open case
tells the owners of both cases, once, whatever the retries; a sweep catches tasks that were lost."""

import uuid
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audits.context import SYSTEM_CONTEXT, AuditContext
from cases.models import Case, CaseStatus
from cases.networks.clocks import ALERT_SUBJECT
from cases.networks.models import (
    CrossCaseAlert,
    HandlingCode,
    Link,
    LinkStatus,
    alert_contact,
)
from cases.networks.services._common import Node
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.deadlines.services import DeadlineSubject, deadline_start, now_from_database
from safeguarding.organisations.models import Agency, User
from safeguarding.people.models import Person

# How long a link waits for its task before the sweep raises its alerts instead.
ALERTS_SWEEP_AFTER = timedelta(seconds=60)


def _node_filter(node: Node) -> Q:
    if isinstance(node, Person):
        return Q(person_a=node) | Q(person_b=node)
    return Q(context_a=node) | Q(context_b=node)


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
