from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxLengthValidator
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from cases.models import LawfulBasis
from cases.networks.models import (
    HandlingCode,
    InformationGrade,
    SourceGrade,
    describe_grading,
    describe_handling,
)
from referrals.choices import (
    AppropriateAdult,
    Concern,
    Consent,
    ContactMethod,
    DecisionOutcome,
    DrmAttendanceStatus,
    DrmItemKind,
    RagRating,
    ReachableMomentKind,
    ReferralSource,
    ReferralStatus,
    SupportDeclined,
    ViolentInjury,
)
from safeguarding.common.models import TimeStampedModel, UUIDModel, each_once
from safeguarding.organisations.models import Agency, AgencyType, LocalAuthority

NARRATIVE_MAX = 10_000
DRM_OUTCOME_MAX = 4000


class Referral(UUIDModel):
    """A contact or referral received by the MASH about one person."""

    # No index of its own: referral_queue_idx (local_authority, status, received_at) leads with this column and answers every look-up by it.
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="referrals", db_index=False
    )
    # The MASH's own agency: it owns the referral and grants others sight of it.
    mash_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="mash_referrals")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="referrals")
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    source = models.CharField(max_length=20, choices=ReferralSource.choices)
    referrer_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals_made"
    )
    referrer_name = models.CharField(max_length=120, blank=True)
    referrer_contact = models.CharField(max_length=200, blank=True, help_text="Phone or secure email.")
    received_at = models.DateTimeField(help_text="When the MASH received it, not when it was typed in.")
    concerns = ArrayField(
        models.CharField(max_length=20, choices=Concern.choices),
        default=list,
        size=len(Concern),
        validators=[each_once],
    )
    # TextField's max_length only shapes form widgets; the validator makes full_clean() enforce it too.
    narrative = models.TextField(max_length=NARRATIVE_MAX, validators=[MaxLengthValidator(NARRATIVE_MAX)])
    consent = models.CharField(max_length=12, choices=Consent.choices)
    consent_not_sought_reason = models.TextField(max_length=2000, blank=True)
    lawful_basis = models.CharField(max_length=32, choices=LawfulBasis.choices)
    status = models.CharField(max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.RECEIVED)
    rag_rating = models.CharField(max_length=8, choices=RagRating.choices, blank=True)
    # No index of its own: the unique referral_idempotent_per_user (created_by, idempotency_key) leads with this column and answers every look-up by it.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # A double-submitted form or a retried API call carries the same key and gets the same referral.
    idempotency_key = models.CharField(max_length=100)
    # SHA-256 of the API request that made it: a retry with the same key must send the same request, and a
    # different request under a used key is refused rather than silently answered with the first referral.
    request_fingerprint = models.CharField(max_length=64, blank=True, default="", editable=False)
    # Received while another referral about the same child was still open: linked to it, decided with it
    # (one decision clock, which everyone sees), unless the MASH makes it a new episode of its own.
    linked_to = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="linked_referrals"
    )

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"], name="referral_idempotent_per_user"
            ),
            models.CheckConstraint(
                condition=~models.Q(consent="not_sought") | ~models.Q(consent_not_sought_reason=""),
                name="referral_reason_when_consent_not_sought",
            ),
            models.CheckConstraint(condition=~models.Q(concerns=[]), name="referral_has_a_concern"),
            models.CheckConstraint(
                condition=~models.Q(linked_to=models.F("pk")), name="referral_not_linked_to_itself"
            ),
        ]
        indexes = [
            # MASH queue: an authority's referrals by status, newest first.
            models.Index(fields=["local_authority", "status", "-received_at"], name="referral_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"Referral {str(self.pk)[:8]}"


class CustodyBooking(UUIDModel):
    """Operation Harbinger: a child booked into custody; the Golden Hour runs from booked_in_at."""

    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="custody_booking")
    police_force = models.CharField(max_length=120)
    out_of_area = models.BooleanField(default=False, help_text="The force is outside the authority's area.")
    custody_suite = models.CharField(max_length=120)
    booked_in_at = models.DateTimeField()
    arrest_reason = models.CharField(max_length=500)
    appropriate_adult = models.CharField(max_length=16, choices=AppropriateAdult.choices)
    pace_transfer_requested = models.BooleanField(
        "PACE s38(6) transfer requested",
        default=False,
        help_text="Transfer to local authority accommodation.",
    )

    def __str__(self) -> str:
        return f"Custody booking at {self.custody_suite}"


class InformationShare(TimeStampedModel):
    """What the MASH shared with custody (meets the Golden Hour), and with whom."""

    booking = models.ForeignKey(CustodyBooking, on_delete=models.PROTECT, related_name="shares")
    shared_at = models.DateTimeField()
    shared_with = models.CharField(
        max_length=200, help_text="Who in custody received it, e.g. the custody sergeant."
    )
    summary = models.TextField(max_length=4000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"Shared with {self.shared_with}"


class InformationRequest(UUIDModel):
    """The MASH asks one agency for its checks (finding 7); the agency answers in its own queue."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="information_requests")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="information_requests")
    rag_rating = models.CharField(max_length=8, choices=RagRating.choices)
    question = models.TextField(max_length=2000, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answer = models.TextField(max_length=NARRATIVE_MAX, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Besides the MASH and the answering agency, who may read the answer: the answering agency decides.
    answer_shared_with = models.ManyToManyField(Agency, blank=True, related_name="+")
    # Where the answer comes from, and for police intelligence its 3x5x2 grading and handling code; a C code
    # names the agency types the answer may go to beyond the MASH (which asked, and always reads it).
    answer_source = models.CharField(max_length=300, blank=True)
    source_grade = models.CharField(max_length=1, choices=SourceGrade.choices, blank=True)
    information_grade = models.CharField(max_length=1, choices=InformationGrade.choices, blank=True)
    handling_code = models.CharField(max_length=1, choices=HandlingCode.choices, blank=True)
    handling_agency_types = ArrayField(
        models.CharField(max_length=32, choices=AgencyType.choices), default=list, blank=True
    )
    handling_conditions = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "agency"], name="one_request_per_agency_per_referral"
            ),
            models.CheckConstraint(
                condition=models.Q(answered_at__isnull=True) | ~models.Q(answer=""),
                name="answered_request_has_answer",
            ),
            models.CheckConstraint(
                condition=~models.Q(handling_code="C") | ~models.Q(handling_agency_types=[]),
                name="request_conditions_name_agencies",
            ),
        ]
        indexes = [
            # An agency's queue: its unanswered requests.
            models.Index(
                fields=["agency"], condition=models.Q(answered_at__isnull=True), name="request_queue_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"Request to {self.agency_id}"

    @property
    def grading(self) -> str:
        return describe_grading(self.source_grade, self.information_grade)

    @property
    def handling(self) -> str:
        return describe_handling(self.handling_code, self.handling_agency_types, self.handling_conditions)


class MashDecision(TimeStampedModel):
    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(max_length=24, choices=DecisionOutcome.choices)
    rationale = models.TextField(max_length=4000)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    referrer_notified_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.get_outcome_display()


class ReachableMoment(UUIDModel):
    """A contact point where help could reach the child (finding 2): custody, the emergency department, a
    return from missing, urgent response, school, or another; how support was offered (face to face, phone,
    video), whether it was taken up, and when it was not, why (coded) and what follows."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="reachable_moments")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="reachable_moments")
    kind = models.CharField(max_length=24, choices=ReachableMomentKind.choices)
    occurred_at = models.DateTimeField()
    method = models.CharField(max_length=12, choices=ContactMethod.choices)
    support_offered = models.TextField(max_length=4000)
    support_accepted = models.BooleanField()
    declined_reason = models.CharField(max_length=16, choices=SupportDeclined.choices, blank=True)
    declined_detail = models.TextField(max_length=2000, blank=True)
    follow_up = models.TextField(max_length=2000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-occurred_at"]
        constraints = [
            # Support not taken up always says why, so take-up can be understood, not just counted.
            models.CheckConstraint(
                condition=models.Q(support_accepted=True) | ~models.Q(declined_reason=""),
                name="moment_declined_has_a_reason",
            ),
        ]
        indexes = [
            # The child's reachable moments, newest first (person page, chronology).
            models.Index(fields=["person", "-occurred_at"], name="moment_person_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.occurred_at}"


class EmergencyAttendance(UUIDModel):
    """A child seen in a hospital emergency department for an injury from violence (seed 5.4.2): recorded
    by health, it reaches the MASH as a referral, and the attendance is a reachable moment."""

    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="emergency_attendance")
    hospital = models.CharField(max_length=200)
    attended_at = models.DateTimeField()
    injury = models.CharField(max_length=16, choices=ViolentInjury.choices)
    injury_detail = models.TextField(max_length=2000, blank=True)
    accompanied_by = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"Emergency attendance at {self.hospital}"


class DrmMeeting(UUIDModel):
    """One sitting of an authority's Daily Risk Management meeting: who came, and what it agreed for each
    child. Written the first time anything is recorded for that day."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="+")
    meeting_date = models.DateField()

    class Meta:
        ordering = ["-meeting_date"]
        constraints = [
            # Also serves every look-up of a meeting by authority and day.
            models.UniqueConstraint(fields=["local_authority", "meeting_date"], name="drm_meeting_once_a_day")
        ]

    def __str__(self) -> str:
        return f"DRM {self.meeting_date}"


class DrmAttendance(TimeStampedModel):
    """Whether an agency of the authority was at the meeting, and who came for it."""

    meeting = models.ForeignKey(DrmMeeting, on_delete=models.PROTECT, related_name="attendance")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=DrmAttendanceStatus.choices)
    attendee = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["agency__name"]
        constraints = [
            # Also serves the meeting page's read of its attendance.
            models.UniqueConstraint(fields=["meeting", "agency"], name="drm_attendance_once_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}: {self.status}"


class DrmOutcome(UUIDModel):
    """What the meeting agreed for one child: one outcome per child per meeting, however many reasons (new
    referral, county lines report, breached clocks) put the child on the list."""

    meeting = models.ForeignKey(DrmMeeting, on_delete=models.PROTECT, related_name="outcomes")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    outcome = models.TextField(max_length=DRM_OUTCOME_MAX)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            # Also serves the meeting page's read of its outcomes (by meeting).
            models.UniqueConstraint(fields=["meeting", "person"], name="drm_outcome_once_per_child"),
            models.CheckConstraint(condition=~models.Q(outcome=""), name="drm_outcome_not_empty"),
        ]

    def __str__(self) -> str:
        return f"DRM outcome for {self.person_id}"


class DrmItem(TimeStampedModel):
    """A reason, decided ahead of the day, for a referral to be on a Daily Risk Management meeting's list (a
    county lines police report goes on the next meeting). The day's new referrals and breached clocks are
    found when the list is drawn."""

    # No index of its own: drm_meeting_idx (local_authority, meeting_date) leads with this column and answers every look-up by it.
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    meeting_date = models.DateField()
    kind = models.CharField(max_length=16, choices=DrmItemKind.choices)
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="drm_items")

    class Meta:
        ordering = ["meeting_date", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting_date", "kind", "referral"], name="drm_item_once_per_meeting"
            )
        ]
        indexes = [models.Index(fields=["local_authority", "meeting_date"], name="drm_meeting_idx")]

    def __str__(self) -> str:
        return f"DRM {self.meeting_date}: {self.kind}"


class ReferralUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Referral, on_delete=models.CASCADE)


class ReferralGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Referral, on_delete=models.CASCADE)
