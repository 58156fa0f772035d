"""The MASH front door's writes, one module per workflow. Each service is one durable transaction with its
audit row; clocks start from the real-world event time (the custody booking, the receipt of the referral)
and are met by the recorded work."""

from referrals.services._common import referral_grant_agency
from referrals.services.custody import (
    custody_booking_create,
    custody_booking_get_or_create,
    information_share_record,
)
from referrals.services.decision import DECISIONS_THAT_OPEN_A_CASE, mash_decision_record
from referrals.services.drm import AttendanceEntry, drm_attendance_record, drm_outcome_record
from referrals.services.information import AnswerGrading, information_request_answer, referral_rate
from referrals.services.intake import (
    IdempotencyKeyReused,
    mash_agency_for,
    referral_create,
    referral_find_existing,
    referral_get_or_create,
    referral_new_episode,
)
from referrals.services.moments import (
    emergency_attendance_record,
    emergency_attendance_record_from,
    reachable_moment_record,
)
from referrals.services.urgent_response import urgent_contact_record
from safeguarding.organisations.roles import MASH_ROLES

__all__ = [
    "DECISIONS_THAT_OPEN_A_CASE",
    "MASH_ROLES",
    "AnswerGrading",
    "AttendanceEntry",
    "IdempotencyKeyReused",
    "custody_booking_create",
    "custody_booking_get_or_create",
    "drm_attendance_record",
    "drm_outcome_record",
    "emergency_attendance_record",
    "emergency_attendance_record_from",
    "information_request_answer",
    "information_share_record",
    "mash_agency_for",
    "mash_decision_record",
    "reachable_moment_record",
    "referral_create",
    "referral_find_existing",
    "referral_get_or_create",
    "referral_grant_agency",
    "referral_new_episode",
    "referral_rate",
    "urgent_contact_record",
]
