"""In-app notifications: the list with each delivery's state, the header's unread badge, mark all as read."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from safeguarding.deadlines.context_processors import deadlines as deadlines_context
from safeguarding.deadlines.delivery import outbox_deliver
from safeguarding.deadlines.models import (
    Deadline,
    Delivery,
    DeliveryChannel,
    DeliveryState,
    Notification,
    OutboxEvent,
    OutboxMessage,
)
from safeguarding.deadlines.selectors import unread_notification_count
from safeguarding.organisations.models import User
from tests.conftest import SENTINEL_FAMILY_NAME, SENTINEL_GIVEN_NAME, World, count_queries, verified_client
from tests.deadlines.conftest import start_clock

BADGE = '<span class="moj-notification-badge">{}<span class="govuk-visually-hidden"> unread</span></span>'


def _breach_delivered(world: World) -> Deadline:
    """A Golden Hour already breached when it was started, its breach delivered to owner and manager."""
    clock = start_clock(world, ago=timedelta(hours=2))
    message = OutboxMessage.objects.get(deadline=clock, event=OutboxEvent.BREACH)
    outbox_deliver(outbox_id=message.pk)
    return clock


def _notification_rows(world: World, user: User, count: int) -> None:
    """Many notifications quickly: one clock, one outbox message per event kind, rows written directly."""
    for i in range(count):
        clock = start_clock(world, ago=timedelta(minutes=5 + i))
        message = OutboxMessage.objects.create(
            deadline=clock, event=OutboxEvent.WARNING, created_at=timezone.now()
        )
        in_app = Delivery.objects.create(
            outbox=message, recipient=user, channel=DeliveryChannel.IN_APP, state=DeliveryState.SENT
        )
        Delivery.objects.create(
            outbox=message, recipient=user, channel=DeliveryChannel.EMAIL, state=DeliveryState.PENDING
        )
        Notification.objects.create(
            recipient=user, delivery=in_app, deadline=clock, title=f"Due soon {i}", body="The clock is due."
        )


@pytest.mark.django_db
def test_list_shows_each_notification_with_its_deliveries_and_a_link_to_the_case(
    world: World, mash_manager: User
) -> None:
    _breach_delivered(world)
    response = verified_client(world.mash).get("/deadlines/notifications/")
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        f'<a class="govuk-link" href="/cases/{world.case.pk}/">Breached: Golden Hour (custody) for custody booking</a>'
        in html
    )
    assert "reachable-notification--unread" in html and ">Unread</strong>" in html
    assert 'In the app: <strong class="govuk-tag govuk-tag--green">Sent</strong>' in html
    assert 'Email: <strong class="govuk-tag govuk-tag--green">Sent</strong>' in html
    assert "1 notification, newest first" in html
    # Only their own: the manager's copy of the same breach is not listed twice.
    assert html.count("Breached: Golden Hour (custody)") == 1


@pytest.mark.django_db
def test_failed_and_pending_deliveries_are_shown(world: World, mash_manager: User) -> None:
    _breach_delivered(world)
    Delivery.objects.filter(recipient=world.mash, channel=DeliveryChannel.EMAIL).update(
        state=DeliveryState.FAILED, attempts=3, sent_at=None
    )
    html = verified_client(world.mash).get("/deadlines/notifications/").content.decode()
    assert 'Email: <strong class="govuk-tag govuk-tag--red">Failed</strong> after 3 attempts' in html
    Delivery.objects.filter(recipient=world.mash, channel=DeliveryChannel.EMAIL).update(
        state=DeliveryState.PENDING, attempts=0
    )
    html = verified_client(world.mash).get("/deadlines/notifications/").content.decode()
    assert 'Email: <strong class="govuk-tag govuk-tag--yellow">Pending</strong>' in html


@pytest.mark.django_db
def test_newest_first_and_paginated(world: World) -> None:
    _notification_rows(world, world.mash, 30)
    response = verified_client(world.mash).get("/deadlines/notifications/")
    titles = [item.notification.title for item in response.context["items"]]
    assert titles == [f"Due soon {i}" for i in range(29, 4, -1)]
    assert "page=2" in response.content.decode()
    second = verified_client(world.mash).get("/deadlines/notifications/?page=2")
    assert [item.notification.title for item in second.context["items"]] == [
        f"Due soon {i}" for i in range(4, -1, -1)
    ]


@pytest.mark.django_db
def test_header_badge_shows_the_unread_count_on_every_page(world: World, mash_manager: User) -> None:
    _breach_delivered(world)
    alice = verified_client(world.mash)
    for url in ["/", "/cases/", f"/cases/{world.case.pk}/", "/deadlines/notifications/"]:
        html = alice.get(url).content.decode()
        assert BADGE.format(1) in html, url
        assert 'href="/deadlines/notifications/">Notifications' in html
    _notification_rows(world, world.mash, 2)
    assert BADGE.format(3) in alice.get("/").content.decode()
    # The police officer has none: a link, no badge.
    html = verified_client(world.police_officer).get("/").content.decode()
    assert 'href="/deadlines/notifications/">Notifications</a>' in html
    assert "moj-notification-badge" not in html


@pytest.mark.django_db
def test_mark_all_as_read(world: World, mash_manager: User) -> None:
    _breach_delivered(world)
    _notification_rows(world, world.mash, 2)
    alice = verified_client(world.mash)
    assert alice.get("/deadlines/notifications/read/").status_code == 405, "a GET changes nothing"
    response = alice.post("/deadlines/notifications/read/")
    assert response.status_code == 302 and response["Location"] == "/deadlines/notifications/"
    assert not Notification.objects.filter(recipient=world.mash, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=mash_manager, read_at__isnull=True).count() == 1
    html = alice.get("/deadlines/notifications/").content.decode()
    assert "3 notifications marked as read." in html
    assert "moj-notification-badge" not in html
    assert "reachable-notification--unread" not in html
    assert "Mark all as read" not in html


@pytest.mark.django_db
def test_emails_name_nobody_and_link_to_the_notifications(world: World, mash_manager: User) -> None:
    _breach_delivered(world)
    assert {tuple(m.to) for m in mail.outbox} == {("alice@example.test",), ("maggie@example.test",)}
    for message in mail.outbox:
        text = message.subject + message.body
        assert SENTINEL_FAMILY_NAME not in text and SENTINEL_GIVEN_NAME not in text
        assert "/deadlines/notifications/" in message.body


def _read_notifications(world: World, user: User, count: int) -> None:
    """A long history of notifications already read, written in bulk: what a real user's table looks like."""
    template = start_clock(world, ago=timedelta(minutes=5))
    fields = [f.attname for f in Deadline._meta.concrete_fields if f.attname != "id"]
    clocks = Deadline.objects.bulk_create(
        [Deadline(**{name: getattr(template, name) for name in fields}) for _ in range(count)]
    )
    messages = OutboxMessage.objects.bulk_create(
        [OutboxMessage(deadline=c, event=OutboxEvent.WARNING, created_at=timezone.now()) for c in clocks]
    )
    deliveries = Delivery.objects.bulk_create(
        [Delivery(outbox=m, recipient=user, channel=DeliveryChannel.IN_APP, state="sent") for m in messages]
    )
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=user, delivery=d, deadline=c, title="Old", body="Old", read_at=timezone.now()
            )
            for d, c in zip(deliveries, clocks, strict=True)
        ]
    )


@pytest.mark.django_db
def test_unread_count_is_one_query_on_the_partial_index(world: World) -> None:
    _read_notifications(world, world.mash, 300)
    _notification_rows(world, world.mash, 3)
    with CaptureQueriesContext(connection) as context:
        assert unread_notification_count(user=world.mash) == 3
    [query] = context.captured_queries
    with connection.cursor() as cursor:
        # The table is tiny, so the planner would scan it; forbid that to see which index serves the query.
        cursor.execute("ANALYZE deadlines_notification")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + query["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "notification_unread_idx" in plan, plan


@pytest.mark.django_db
def test_no_badge_query_for_anonymous_or_unverified_users(world: World) -> None:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert deadlines_context(request) == {}
    request.user = world.mash  # signed in with a password, but no second factor yet
    assert deadlines_context(request) == {}
    # A page that never shows the header (an htmx partial) never runs the count.
    with CaptureQueriesContext(connection) as context:
        request.user = User.objects.get(pk=world.mash.pk)
        request.user.is_verified = lambda: True  # type: ignore[attr-defined]
        values = deadlines_context(request)
    assert set(values) == {"unread_notification_count", "can_see_sla_dashboard"}
    assert len(context.captured_queries) == 1, "only the user fetched here; the count is lazy"


# --- Query counts ------------------------------------------------------------------------------------------

# Every two-factor page: session, user, OTP device, role groups, agency (as tests/test_query_counts.py).
SESSION_PAGE = 5
# The header's unread notification count.
UNREAD_BADGE = 1
# Session write-back: savepoint, UPDATE, release.
SESSION_SAVE = 3


@pytest.mark.django_db
def test_notifications_list_query_count_is_constant(world: World) -> None:
    client = verified_client(world.mash)
    # pagination count, page rows (with clock and delivery), every channel's delivery of the page's messages
    expected = SESSION_PAGE + UNREAD_BADGE + 3 + SESSION_SAVE
    _notification_rows(world, world.mash, 1)
    assert count_queries(client, "/deadlines/notifications/") == expected
    _notification_rows(world, world.mash, 30)
    assert count_queries(client, "/deadlines/notifications/") == expected
