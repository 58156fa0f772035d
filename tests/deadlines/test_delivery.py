"""Delivering outbox messages, called directly (no worker): who is told, on which channel, and exactly once."""

from collections.abc import Sequence
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.test import override_settings

from safeguarding.deadlines.delivery import outbox_deliver, recipients_for
from safeguarding.deadlines.models import (
    Deadline,
    Delivery,
    DeliveryChannel,
    DeliveryState,
    Notification,
    OutboxEvent,
    OutboxMessage,
)
from safeguarding.deadlines.services import deadline_sweep
from safeguarding.organisations.models import User
from safeguarding.organisations.roles import Role
from tests import factories
from tests.conftest import World
from tests.deadlines.conftest import start_clock

pytestmark = pytest.mark.django_db


def _message(clock: Deadline, event: OutboxEvent) -> OutboxMessage:
    return OutboxMessage.objects.get(deadline=clock, event=event)


def _warning(world: World) -> OutboxMessage:
    clock = start_clock(world, ago=timedelta(minutes=50))
    assert deadline_sweep().warned == 1
    return _message(clock, OutboxEvent.WARNING)


def _breach(world: World) -> OutboxMessage:
    # 70 minutes after booking: breached when started; the service manager's turn is 20 minutes off.
    return _message(start_clock(world, ago=timedelta(minutes=70)), OutboxEvent.BREACH)


def _second_escalation(world: World) -> OutboxMessage:
    clock = start_clock(world, ago=timedelta(hours=2))
    assert deadline_sweep().escalated == 1
    return _message(clock, OutboxEvent.SECOND_ESCALATION)


def _names(users: Sequence[User]) -> list[str]:
    return sorted(user.username for user in users)


def test_warning_goes_to_the_owner(world: World, mash_manager: User) -> None:
    assert _names(recipients_for(_warning(world))) == ["alice"]


def test_breach_goes_to_the_owner_and_their_manager(world: World, mash_manager: User) -> None:
    assert _names(recipients_for(_breach(world))) == ["alice", "maggie"]


def test_second_escalation_goes_to_the_managers_manager(world: World, mash_manager: User) -> None:
    assert _names(recipients_for(_second_escalation(world))) == ["sam"]


def test_owner_without_a_manager_falls_back_to_the_owning_agencys_managers(
    world: World, mash_manager: User
) -> None:
    world.mash.manager = None
    world.mash.save()
    # A manager in another agency is never told about this agency's clock.
    factories.user(world.police, Role.AGENCY_MANAGER, username="percy", email="percy@example.test")
    assert _names(recipients_for(_breach(world))) == ["alice", "maggie", "sam"]
    assert _names(recipients_for(_second_escalation(world))) == ["maggie", "sam"]
    assert _names(recipients_for(_warning(world))) == ["alice"]


def test_manager_without_a_manager_escalates_to_the_agencys_managers(
    world: World, mash_manager: User
) -> None:
    mash_manager.manager = None
    mash_manager.save()
    assert _names(recipients_for(_second_escalation(world))) == ["maggie", "sam"]


def test_clock_without_an_owner_warns_the_duty_inbox_and_breaches_to_the_managers(
    world: World, mash_manager: User
) -> None:
    warning, breach = _warning(world), _breach(world)
    Deadline.objects.filter(pk__in=[warning.deadline_id, breach.deadline_id]).update(owner=None)
    warning.refresh_from_db()
    breach.refresh_from_db()
    # The agency's duty inbox (its practitioners) hears of work nobody owns; a breach goes to its managers.
    assert _names(recipients_for(warning)) == ["alice"]
    assert _names(recipients_for(breach)) == ["maggie", "sam"]


def test_inactive_people_are_skipped_and_stood_in_for(world: World, mash_manager: User) -> None:
    mash_manager.is_active = False
    mash_manager.save()
    # maggie has left: sam, the only active manager in the agency, stands in.
    assert _names(recipients_for(_breach(world))) == ["alice", "sam"]
    world.mash.is_active = False
    world.mash.save()
    assert _names(recipients_for(_warning(world))) == ["sam"]


def test_nobody_is_told_twice_when_the_fallback_overlaps(world: World, mash_manager: User) -> None:
    world.mash.manager = None
    world.mash.save()
    # alice is also a manager here, so she is both the owner and one of the agency's managers.
    world.mash.groups.add(Group.objects.get(name=Role.group_name(Role.MASH_MANAGER)))
    people = recipients_for(_breach(world))
    assert _names(people) == ["alice", "maggie", "sam"]
    assert len({p.pk for p in people}) == len(people)


def test_delivery_sends_in_app_and_email_once_even_when_called_twice(
    world: World, mash_manager: User
) -> None:
    message = _breach(world)
    assert outbox_deliver(outbox_id=message.pk) is True
    assert outbox_deliver(outbox_id=message.pk) is True
    message.refresh_from_db()
    assert message.delivered_at is not None

    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.test", "maggie@example.test"]
    for sent in mail.outbox:
        assert sent.subject == "[Reachable] Breached: Golden Hour (custody) for custody booking"
        assert "custody booking" in sent.body and "has not been met" in sent.body
        assert "Quillfeather" not in sent.body + sent.subject, "no personal details in email"
    deliveries = list(Delivery.objects.filter(outbox=message).select_related("recipient"))
    assert sorted((d.recipient.username, d.channel) for d in deliveries) == [
        ("alice", DeliveryChannel.EMAIL),
        ("alice", DeliveryChannel.IN_APP),
        ("maggie", DeliveryChannel.EMAIL),
        ("maggie", DeliveryChannel.IN_APP),
    ]
    assert all(
        d.state == DeliveryState.SENT and d.sent_at is not None and d.attempts == 1 for d in deliveries
    )
    notifications = list(Notification.objects.filter(deadline=message.deadline))
    assert sorted(n.recipient.username for n in notifications) == ["alice", "maggie"]
    assert all(n.title == "Breached: Golden Hour (custody) for custody booking" for n in notifications)
    assert {n.delivery_id for n in notifications} == {
        d.pk for d in deliveries if d.channel == DeliveryChannel.IN_APP
    }


def test_redelivery_after_a_crash_sends_only_what_was_never_sent(world: World, mash_manager: User) -> None:
    message = _breach(world)
    outbox_deliver(outbox_id=message.pk)
    # As if the worker died after alice's email and before maggie's: her rows are back to pending, and the
    # message was never marked delivered.
    Delivery.objects.filter(outbox=message, recipient=mash_manager).update(
        state=DeliveryState.PENDING, sent_at=None
    )
    Notification.objects.filter(recipient=mash_manager).delete()
    OutboxMessage.objects.filter(pk=message.pk).update(delivered_at=None)
    mail.outbox.clear()

    outbox_deliver(outbox_id=message.pk)
    assert [m.to for m in mail.outbox] == [["maggie@example.test"]]
    assert Notification.objects.filter(deadline=message.deadline).count() == 2
    assert set(Delivery.objects.filter(outbox=message).values_list("state", flat=True)) == {
        DeliveryState.SENT
    }


def test_someone_without_an_email_address_gets_the_in_app_notification_only(
    world: World, mash_manager: User
) -> None:
    User.objects.filter(pk=mash_manager.pk).update(email="")
    message = _breach(world)
    outbox_deliver(outbox_id=message.pk)
    assert [m.to for m in mail.outbox] == [["alice@example.test"]]
    assert (
        Delivery.objects.filter(outbox=message, recipient=mash_manager).get().channel
        == DeliveryChannel.IN_APP
    )
    assert Notification.objects.filter(recipient=mash_manager).count() == 1


def test_each_event_has_its_own_wording(world: World, mash_manager: User) -> None:
    for message in (_warning(world), _second_escalation(world)):
        outbox_deliver(outbox_id=message.pk)
    subjects = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert subjects == [
        ("alice@example.test", "[Reachable] Due soon: Golden Hour (custody) for custody booking"),
        ("sam@example.test", "[Reachable] Escalated: Golden Hour (custody) for custody booking"),
    ]


class RefusesAlice(LocmemBackend):
    """A mail server that refuses one mailbox, as SMTP does for an address that no longer exists."""

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        if any("alice@example.test" in m.to for m in messages):
            raise OSError("550 mailbox unavailable")
        return super().send_messages(messages)


@override_settings(EMAIL_BACKEND="tests.deadlines.test_delivery.RefusesAlice")
def test_one_failing_mailbox_does_not_hold_up_everyone_else(world: World, mash_manager: User) -> None:
    # The owner comes first; her mailbox refusing must not stop her manager hearing of the breach.
    message = _breach(world)
    with pytest.raises(OSError, match="550"):
        outbox_deliver(outbox_id=message.pk)
    assert [m.to for m in mail.outbox] == [["maggie@example.test"]]
    rows: dict[tuple[str, str], Delivery] = {
        (d.recipient.username, d.channel): d
        for d in Delivery.objects.filter(outbox=message).select_related("recipient")
    }
    assert rows["maggie", DeliveryChannel.EMAIL].state == DeliveryState.SENT
    assert rows["maggie", DeliveryChannel.IN_APP].state == DeliveryState.SENT
    assert rows["alice", DeliveryChannel.IN_APP].state == DeliveryState.SENT
    failed = rows["alice", DeliveryChannel.EMAIL]
    assert failed.state == DeliveryState.FAILED
    assert failed.attempts == 1
    assert "550" in failed.last_error
    message.refresh_from_db()
    assert message.delivered_at is None, "not delivered until every delivery is sent"

    # The retry (the task retries on the exception) sends only what failed, once it can.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        assert outbox_deliver(outbox_id=message.pk) is True
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.test", "maggie@example.test"]
    failed.refresh_from_db()
    assert failed.state == DeliveryState.SENT and failed.attempts == 2 and failed.last_error == ""
    message.refresh_from_db()
    assert message.delivered_at is not None
    assert Notification.objects.filter(deadline=message.deadline).count() == 2
