"""The signed-in user's own notifications. They are the user's own messages, not case data: no audit row."""

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from safeguarding.common.pagination import paginate
from safeguarding.deadlines.models import Delivery, DeliveryState, Notification
from safeguarding.deadlines.selectors import deliveries_for, notifications_for
from safeguarding.deadlines.services import notifications_mark_all_read
from safeguarding.deadlines.views.panel import clock_back_url
from safeguarding.organisations.access import request_actor

DELIVERY_TAGS: dict[str, str] = {
    DeliveryState.SENT: "govuk-tag--green",
    DeliveryState.PENDING: "govuk-tag--yellow",
    DeliveryState.FAILED: "govuk-tag--red",
}


@dataclass
class NotificationItem:
    notification: Notification
    deliveries: list[Delivery]
    link: str

    @property
    def delivery_lines(self) -> list[tuple[Delivery, str]]:
        return [
            (delivery, DELIVERY_TAGS.get(delivery.state, "govuk-tag--grey")) for delivery in self.deliveries
        ]


@require_GET
def notifications_view(request: HttpRequest) -> HttpResponse:
    """Newest first, with how each was delivered (in the app, by email)."""
    user = request_actor(request)
    context = paginate(request, notifications_for(user=user))
    notifications: list[Notification] = list(context["page_obj"].object_list)
    deliveries = deliveries_for(user=user, outbox_ids=[n.delivery.outbox_id for n in notifications])
    context["items"] = [
        NotificationItem(n, deliveries.get(n.delivery.outbox_id, []), clock_back_url(n.deadline))
        for n in notifications
    ]
    return render(request, "deadlines/notifications.html", context)


@require_POST
def notifications_mark_read_view(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(user=request_actor(request))
    if count:
        messages.success(request, f"{count} notification{'' if count == 1 else 's'} marked as read.")
    return redirect("deadlines:notifications")
