import pgtrigger
from django.conf import settings
from django.db import models

from safeguarding.common.models import UUIDModel
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.organisations.models import Agency, LocalAuthority


class DeadlineStatus(models.TextChoices):
    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"
    # Past due and recorded as breached, but the work is still not done.
    BREACHED = "breached", "Breached"
    MET = "met", "Met"
    CANCELLED = "cancelled", "Cancelled"


OPEN_STATUSES = (DeadlineStatus.RUNNING, DeadlineStatus.PAUSED, DeadlineStatus.BREACHED)


class Deadline(UUIDModel):
    """One clock. PostgreSQL is the only place clocks live: nothing about a clock is held in Redis or in a
    worker's memory, so restarts, crashes and flushes lose nothing."""

    policy = models.CharField(max_length=40, choices=PolicyCode.choices)
    # No index of its own: deadline_dashboard_idx (local_authority, policy, started_at) leads with this column and answers every look-up by it.
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # What the clock is about: a referral, custody booking, panel action... (type and id), plus the
    # person and case it concerns, for access control and the case page.
    subject_type = models.CharField(max_length=40)
    subject_id = models.UUIDField()
    subject_label = models.CharField(max_length=200, blank=True)
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="deadlines"
    )
    owning_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="deadlines")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="deadlines"
    )

    # The real-world event time (custody booking, return from missing...), not when it was typed in.
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    warn_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=DeadlineStatus.choices, default=DeadlineStatus.RUNNING)
    warned_at = models.DateTimeField(null=True, blank=True)
    met_at = models.DateTimeField(null=True, blank=True)
    # breached_at is the due time that was missed; detected_at is when the system recorded it.
    breached_at = models.DateTimeField(null=True, blank=True)
    detected_at = models.DateTimeField(null=True, blank=True)
    # 0 none, 1 owner and manager told at breach, 2 service manager told after the further interval.
    escalation_level = models.PositiveSmallIntegerField(default=0)
    second_escalation_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    remaining_while_paused = models.DurationField(null=True, blank=True)
    notified_late = models.BooleanField(
        default=False, help_text="The clock was started after it was already due: breached at once."
    )
    outcome_note = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_at__gt=models.F("started_at")), name="deadline_due_after_start"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=DeadlineStatus.MET) | models.Q(met_at__isnull=False),
                name="deadline_met_has_met_at",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=DeadlineStatus.BREACHED) | models.Q(breached_at__isnull=False),
                name="deadline_breached_has_breached_at",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=DeadlineStatus.PAUSED)
                | models.Q(paused_at__isnull=False, remaining_while_paused__isnull=False),
                name="deadline_paused_has_remaining",
            ),
            models.CheckConstraint(
                condition=models.Q(breached_at__isnull=True) | models.Q(breached_at=models.F("due_at")),
                name="deadline_breach_is_at_due_time",
            ),
        ]
        indexes = [
            # The sweep: running clocks past due, oldest first. Partial, so it holds only running clocks and
            # stays small however many met clocks pile up.
            models.Index(
                fields=["due_at"], condition=models.Q(status="running"), name="deadline_running_due_idx"
            ),
            # The sweep's warnings: running clocks not yet warned.
            models.Index(
                fields=["warn_at"],
                condition=models.Q(status="running", warned_at__isnull=True),
                name="deadline_running_warn_idx",
            ),
            # The sweep's second escalation: breached clocks still open and told only to owner and manager.
            models.Index(
                fields=["second_escalation_at"],
                condition=models.Q(status="breached", escalation_level=1),
                name="deadline_second_escalation_idx",
            ),
            # Case and referral pages: every clock of a subject.
            models.Index(fields=["subject_type", "subject_id"], name="deadline_subject_idx"),
            # Dashboards: by policy and agency over time.
            models.Index(fields=["local_authority", "policy", "started_at"], name="deadline_dashboard_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_policy_display()} for {self.subject_label or self.subject_id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class DeadlineEventKind(models.TextChoices):
    STARTED = "started", "Started"
    WARNED = "warned", "Warning sent"
    BREACHED = "breached", "Breached"
    ESCALATED = "escalated", "Escalated to service manager"
    MET = "met", "Met"
    PAUSED = "paused", "Paused"
    RESUMED = "resumed", "Resumed"
    CANCELLED = "cancelled", "Cancelled"
    EXTENDED = "extended", "Extended"
    ALLOCATED = "allocated", "Allocated"


class DeadlineEvent(models.Model):
    """The clock's history. Append-only: the database refuses UPDATE and DELETE."""

    id = models.BigAutoField(primary_key=True)
    # No index of its own: deadline_event_idx (deadline, occurred_at) leads with this column and answers every look-up by it.
    deadline = models.ForeignKey(Deadline, on_delete=models.PROTECT, related_name="events", db_index=False)
    kind = models.CharField(max_length=16, choices=DeadlineEventKind.choices)
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["deadline", "occurred_at"], name="deadline_event_idx")]
        triggers = [
            pgtrigger.Protect(
                name="deadline_event_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.deadline_id}"


class OutboxEvent(models.TextChoices):
    WARNING = "warning", "Warning"
    BREACH = "breach", "Breach"
    SECOND_ESCALATION = "second_escalation", "Escalation to service manager"
    # New work: the owner is told when a clock starts for them (started with announce=True), or is allocated.
    ASSIGNED = "assigned", "New work"
    # Whoever owns a clock is told when someone else pauses or cancels it, with the reason.
    PAUSED = "paused", "Clock paused"
    CANCELLED = "cancelled", "Clock cancelled"


class OutboxMessage(models.Model):
    """Written in the same transaction as the state change it announces; delivered by Celery workers. The
    unique (deadline, event, occurrence) key makes a second write of the same escalation impossible. An
    escalation happens once per clock (occurrence 0); what can happen again (an allocation, a pause) is keyed
    by the clock event that caused it."""

    id = models.BigAutoField(primary_key=True)
    deadline = models.ForeignKey(Deadline, on_delete=models.PROTECT, related_name="outbox")
    event = models.CharField(max_length=24, choices=OutboxEvent.choices)
    # 0 for what happens once per clock; else the DeadlineEvent id of the allocation, pause or cancellation.
    occurrence = models.BigIntegerField(default=0)
    created_at = models.DateTimeField()
    dispatched_at = models.DateTimeField(null=True, blank=True)
    dispatch_count = models.PositiveIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "event", "occurrence"], name="outbox_one_per_clock_event"
            )
        ]
        indexes = [
            # Re-dispatch and /healthz: undelivered messages, oldest first.
            models.Index(
                fields=["created_at"],
                condition=models.Q(delivered_at__isnull=True),
                name="outbox_undelivered_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} for {self.deadline_id}"


class DeliveryChannel(models.TextChoices):
    IN_APP = "in_app", "In the app"
    EMAIL = "email", "Email"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Delivery(models.Model):
    """One message to one person on one channel. The row is written (and committed) before the send, and the
    send happens while holding its row lock, so a retry after a crash sends only what was never sent."""

    id = models.BigAutoField(primary_key=True)
    outbox = models.ForeignKey(OutboxMessage, on_delete=models.PROTECT, related_name="deliveries")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=8, choices=DeliveryChannel.choices)
    state = models.CharField(max_length=8, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["outbox", "recipient", "channel"], name="delivery_once_per_recipient_channel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} to {self.recipient_id}: {self.state}"


class Notification(models.Model):
    """An in-app notification: what the header's unread count counts."""

    id = models.BigAutoField(primary_key=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    delivery = models.OneToOneField(Delivery, on_delete=models.PROTECT, related_name="notification")
    deadline = models.ForeignKey(Deadline, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Header badge: a user's unread notifications.
            models.Index(
                fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notification_unread_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title
