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
from django.db.models import F
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from safeguarding.deadlines.models import (
    Deadline,
    DeadlineEvent,
    Delivery,
    DeliveryChannel,
    DeliveryState,
    Notification,
    OutboxEvent,
    OutboxMessage,
)
from safeguarding.deadlines.policies import policy_for
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


def _duty_inbox(deadline: Deadline) -> list[User]:
    """Who picks up work the agency owns before anyone is named: its practitioners, or those the clock's
    policy names (the urgent response team for an urgent response)."""
    groups = [Role.group_name(role) for role in policy_for(deadline.policy).duty_roles]
    return list(
        User.objects.filter(agency=deadline.owning_agency, is_active=True, groups__name__in=groups).distinct()
    )


# What goes to the owner, or, with none, to the agency's duty inbox: new work, a warning, and being told that
# someone else paused or cancelled the clock.
_TO_OWNER = (OutboxEvent.WARNING, OutboxEvent.ASSIGNED, OutboxEvent.PAUSED, OutboxEvent.CANCELLED)


def recipients_for(message: OutboxMessage) -> list[User]:
    """New work, a warning, a pause or a cancellation: the owner, or with none the agency's duty inbox (its
    practitioners). Breach: the owner and their manager. Second escalation: the service manager (the
    manager's manager). Where a link is missing, the owning agency's managers stand in, so nothing is ever
    addressed to nobody."""
    deadline = message.deadline
    owner = deadline.owner
    manager = owner.manager if owner is not None else None
    people: list[User | None]
    if message.event in _TO_OWNER:
        if owner is None or not owner.is_active:
            return _duty_inbox(deadline) or _agency_managers(deadline)
        people = [owner]
    elif message.event == OutboxEvent.BREACH:
        people = [owner, manager]
    else:
        people = [manager.manager if manager is not None else None]
    found = [person for person in people if person is not None and person.is_active]
    if message.event not in _TO_OWNER and len(found) < len(people):
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
    if message.event == OutboxEvent.ASSIGNED:
        return (
            f"New work: {name} for {about}",
            f"The {name} clock for {about} has started and is due at {due}.",
        )
    if message.event == OutboxEvent.WARNING:
        return f"Due soon: {name} for {about}", f"The {name} clock for {about} is due at {due}."
    if message.event in (OutboxEvent.PAUSED, OutboxEvent.CANCELLED):
        what = "paused" if message.event == OutboxEvent.PAUSED else "cancelled"
        cause = DeadlineEvent.objects.filter(pk=message.occurrence).select_related("actor").first()
        who = (cause.actor.get_full_name() or cause.actor.username) if cause and cause.actor else "Someone"
        reason = cause.reason if cause else ""
        return (
            f"Clock {what}: {name} for {about}",
            f"{who} {what} the {name} clock for {about}. The reason given: {reason}",
        )
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


def _ensure_delivery_rows(message: OutboxMessage) -> list[tuple[int, str]]:
    """The (message, recipient, channel) rows, committed before anything is sent, as (id, channel) pairs. One
    INSERT ... ON CONFLICT DO NOTHING (the unique key keeps a row an earlier attempt wrote) and one SELECT,
    however many recipients."""
    wanted = [
        (recipient.pk, channel)
        for recipient in recipients_for(message)
        for channel in [DeliveryChannel.IN_APP] + ([DeliveryChannel.EMAIL] if recipient.email else [])
    ]
    with transaction.atomic():
        Delivery.objects.bulk_create(
            [
                Delivery(outbox=message, recipient_id=recipient_id, channel=channel)
                for recipient_id, channel in wanted
            ],
            ignore_conflicts=True,
        )
    ids = {
        (recipient_id, channel): pk
        for pk, recipient_id, channel in Delivery.objects.filter(outbox=message).values_list(
            "pk", "recipient_id", "channel"
        )
    }
    return [(ids[key], key[1]) for key in wanted]


def _pause_for_crash_tests() -> None:
    # Crash tests kill the worker here, after the delivery row is committed and before the send.
    delay = float(os.environ.get("REACHABLE_TEST_DELAY_BEFORE_SEND", "0") or 0)
    if delay and getattr(settings, "DEADLINES_TEST_HOOKS", False):
        time.sleep(delay)


def _notifications_link() -> str:
    """Where the email sends people. An escalation must go out even if the notifications page is missing or
    renamed: a NoReverseMatch here used to fail every email send, retrying for ever."""
    try:
        path = reverse("deadlines:notifications")
    except NoReverseMatch:
        logger.warning("No URL named deadlines:notifications; escalation emails link to the home page")
        path = "/"
    return settings.SITE_URL.rstrip("/") + path


def _send_in_app(delivery_ids: list[int]) -> None:
    """A message's in-app notifications in one transaction: lock the delivery rows (in id order, so two workers
    never deadlock), write each notification (unique per delivery, so never doubled) and mark the rows sent.
    Nothing leaves the database, so doing them together opens no duplicate window."""
    if not delivery_ids:
        return
    with transaction.atomic():
        pending = list(
            Delivery.objects.select_for_update(of=("self",))
            .select_related("outbox__deadline")
            .filter(pk__in=delivery_ids, channel=DeliveryChannel.IN_APP)
            .exclude(state=DeliveryState.SENT)
            .order_by("pk")
        )
        if not pending:
            return
        notifications = []
        for delivery in pending:
            title, body = _wording(delivery.outbox)
            notifications.append(
                Notification(
                    recipient_id=delivery.recipient_id,
                    delivery=delivery,
                    deadline_id=delivery.outbox.deadline_id,
                    title=title,
                    body=body,
                )
            )
        Notification.objects.bulk_create(notifications, ignore_conflicts=True)
        Delivery.objects.filter(pk__in=[delivery.pk for delivery in pending]).update(
            state=DeliveryState.SENT, sent_at=timezone.now(), last_error="", attempts=F("attempts") + 1
        )


def _send_one(delivery_id: int) -> None:
    with transaction.atomic():
        # Lock the delivery row only (OF self): a bare FOR UPDATE would also lock every joined row (the
        # message, the clock, the owning agency and the recipient) for the length of the send, serialising
        # every worker sending for the same agency and blocking the clock's owner from meeting it meanwhile.
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
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
            link = _notifications_link()
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
    deliveries = _ensure_delivery_rows(message)
    _send_in_app([pk for pk, channel in deliveries if channel == DeliveryChannel.IN_APP])
    # Every email is attempted even when an earlier one fails: one refused mailbox (a leaver's address) used to
    # stop the message at that recipient, so the manager after them never heard of the breach. A failure is
    # recorded on its row and re-raised once the rest are done, so the task retries what is left.
    failures: list[Exception] = []
    for pk, channel in deliveries:
        if channel != DeliveryChannel.IN_APP:
            try:
                _send_one(pk)
            except Exception as error:
                failures.append(error)
                _record_failure(pk, error)
    if failures:
        raise failures[0]
    OutboxMessage.objects.filter(pk=message.pk, delivered_at__isnull=True).update(delivered_at=timezone.now())
    return True


def _record_failure(delivery_id: int, error: Exception) -> None:
    logger.warning("Delivery %s failed: %s", delivery_id, error)
    try:
        with transaction.atomic():
            Delivery.objects.filter(pk=delivery_id).exclude(state=DeliveryState.SENT).update(
                state=DeliveryState.FAILED,
                attempts=F("attempts") + 1,
                last_error=f"{type(error).__name__}: {error}"[:2000],
            )
    except Exception:
        logger.exception("Could not record the failure of delivery %s", delivery_id)


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
                  -- Re-dispatch a lost task after `stale`, then back off (2x, 4x ... 32x) so that a backlog
                  -- of slow deliveries is not queued again and again.
                  AND (dispatched_at IS NULL
                       OR dispatched_at < (SELECT clock_timestamp())
                          - %(stale)s::interval * LEAST(power(2, GREATEST(dispatch_count - 1, 0)), 32))
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
