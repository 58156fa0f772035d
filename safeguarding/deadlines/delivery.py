"""Delivering outbox messages: an in-app notification and an email to each recipient, each exactly once.

The delivery row for (message, recipient, channel) is committed before anything is sent. The send then
happens inside a transaction holding that row's lock, and the row is marked sent in the same transaction.
A worker killed before the commit leaves the row pending and unlocked (PostgreSQL rolls back a dead
connection), so the retry sends it; a row already marked sent is skipped. The only window for a duplicate
is between the mail server accepting the message and our commit, a few milliseconds."""

import logging
import os
import time
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from safeguarding.deadlines.models import (
    Deadline,
    Delivery,
    DeliveryChannel,
    DeliveryState,
    Notification,
    OutboxEvent,
    OutboxMessage,
)
from safeguarding.organisations.models import User
from safeguarding.organisations.roles import MANAGER_ROLES, Role

logger = logging.getLogger(__name__)


def _agency_managers(deadline: Deadline) -> list[User]:
    manager_groups = [Role.group_name(role) for role in MANAGER_ROLES]
    return list(
        User.objects.filter(
            agency=deadline.owning_agency, is_active=True, groups__name__in=manager_groups
        ).distinct()
    )


def recipients_for(message: OutboxMessage) -> list[User]:
    """Warning: the owner. Breach: the owner and their manager. Second escalation: the service manager (the
    manager's manager). Where a link is missing, the owning agency's managers stand in, so no escalation
    is ever addressed to nobody."""
    deadline = message.deadline
    owner = deadline.owner
    manager = owner.manager if owner is not None else None
    people: list[User | None]
    if message.event == OutboxEvent.WARNING:
        people = [owner]
    elif message.event == OutboxEvent.BREACH:
        people = [owner, manager]
    else:
        people = [manager.manager if manager is not None else None]
    found = [person for person in people if person is not None and person.is_active]
    if message.event != OutboxEvent.WARNING and len(found) < len(people):
        found.extend(_agency_managers(deadline))
    if not found:
        found = _agency_managers(deadline)
    unique: dict[int, User] = {person.pk: person for person in found}
    return list(unique.values())


def _wording(message: OutboxMessage) -> tuple[str, str]:
    deadline = message.deadline
    name = deadline.get_policy_display()
    due = timezone.localtime(deadline.due_at).strftime("%-d %b %Y %H:%M")
    about = deadline.subject_label or "a record"
    if message.event == OutboxEvent.WARNING:
        return f"Due soon: {name} for {about}", f"The {name} clock for {about} is due at {due}."
    if message.event == OutboxEvent.BREACH:
        late = " It was notified after it was already due." if deadline.notified_late else ""
        return (
            f"Breached: {name} for {about}",
            f"The {name} clock for {about} was due at {due} and has not been met.{late}",
        )
    return (
        f"Escalated: {name} for {about}",
        f"The {name} clock for {about} was due at {due}, is still not met, and has been escalated to you.",
    )


def _ensure_delivery_rows(message: OutboxMessage) -> list[int]:
    with transaction.atomic():
        ids = []
        for recipient in recipients_for(message):
            channels = [DeliveryChannel.IN_APP] + ([DeliveryChannel.EMAIL] if recipient.email else [])
            for channel in channels:
                delivery, _ = Delivery.objects.get_or_create(
                    outbox=message, recipient=recipient, channel=channel
                )
                ids.append(delivery.pk)
        return ids


def _pause_for_crash_tests() -> None:
    # Crash tests kill the worker here, after the delivery row is committed and before the send.
    delay = float(os.environ.get("REACHABLE_TEST_DELAY_BEFORE_SEND", "0") or 0)
    if delay and getattr(settings, "DEADLINES_TEST_HOOKS", False):
        time.sleep(delay)


def _send_one(delivery_id: int) -> None:
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update()
            .select_related("outbox__deadline__owning_agency", "recipient")
            .get(pk=delivery_id)
        )
        if delivery.state == DeliveryState.SENT:
            return
        delivery.attempts += 1
        title, body = _wording(delivery.outbox)
        if delivery.channel == DeliveryChannel.IN_APP:
            Notification.objects.get_or_create(
                delivery=delivery,
                defaults={
                    "recipient": delivery.recipient,
                    "deadline": delivery.outbox.deadline,
                    "title": title,
                    "body": body,
                },
            )
        else:
            _pause_for_crash_tests()
            link = settings.SITE_URL.rstrip("/") + reverse("deadlines:notifications")
            EmailMessage(
                subject=f"[Reachable] {title}",
                body=f"{body}\n\nSign in to see it: {link}\n\nThis email contains no personal details by design.",
                to=[delivery.recipient.email],
                headers={
                    "Message-ID": f"<delivery-{delivery.pk}@reachable>",
                    "X-Reachable-Delivery": str(delivery.pk),
                },
            ).send(fail_silently=False)
        delivery.state = DeliveryState.SENT
        delivery.sent_at = timezone.now()
        delivery.last_error = ""
        delivery.save(update_fields=["state", "sent_at", "attempts", "last_error"])


def outbox_deliver(*, outbox_id: int) -> bool:
    """Deliver one outbox message to everyone it is for. Idempotent. Returns True when fully delivered."""
    message = OutboxMessage.objects.select_related(
        "deadline__owner__manager__manager", "deadline__owning_agency"
    ).get(pk=outbox_id)
    if message.delivered_at is not None:
        return True
    for delivery_id in _ensure_delivery_rows(message):
        _send_one(delivery_id)
    OutboxMessage.objects.filter(pk=message.pk, delivered_at__isnull=True).update(delivered_at=timezone.now())
    return True


def outbox_claim_for_dispatch(*, stale_after: timedelta, limit: int = 500) -> list[int]:
    """Undelivered messages never dispatched, or dispatched so long ago that the task was probably lost (a
    worker killed, Redis flushed). Marks them dispatched now; re-delivery is harmless because delivery is
    idempotent."""
    from django.db import connection

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            WITH pending AS (
                SELECT id FROM deadlines_outboxmessage
                WHERE delivered_at IS NULL
                  AND (dispatched_at IS NULL OR dispatched_at < clock_timestamp() - %(stale)s::interval)
                ORDER BY created_at
                LIMIT %(limit)s
                FOR UPDATE SKIP LOCKED
            )
            UPDATE deadlines_outboxmessage AS o
            SET dispatched_at = clock_timestamp(), dispatch_count = o.dispatch_count + 1
            FROM pending WHERE o.id = pending.id
            RETURNING o.id
            """,
            {"stale": f"{int(stale_after.total_seconds())} seconds", "limit": limit},
        )
        return [row[0] for row in cursor.fetchall()]
