"""Reference lists for the MASH front door."""

from django.db import models


class ReferralSource(models.TextChoices):
    # Children in Need census referral-source codes (DfE).
    INDIVIDUAL = "1A", "Individual"
    INDIVIDUAL_FAMILY = "1B", "Individual - family member, relative or carer"
    INDIVIDUAL_ACQUAINTANCE = "1C", "Individual - acquaintance (including neighbours and child minders)"
    INDIVIDUAL_SELF = "1D", "Individual - self"
    INDIVIDUAL_OTHER = "1E", "Individual - other (including strangers, MPs)"
    SCHOOLS = "2A", "Schools"
    EDUCATION_SERVICES = "2B", "Education services"
    HEALTH_GP = "3A", "Health services - GP"
    HEALTH_VISITOR = "3B", "Health services - health visitor"
    HEALTH_SCHOOL_NURSE = "3C", "Health services - school nurse"
    HEALTH_OTHER_PRIMARY = "3D", "Health services - other primary health services"
    HEALTH_A_AND_E = "3E", "Health services - A&E (emergency department)"
    HEALTH_OTHER = "3F", "Health services - other (for example hospice)"
    HOUSING = "4", "Housing (local authority or housing association)"
    LA_SOCIAL_CARE = "5A", "Local authority services - social care"
    LA_OTHER_INTERNAL = "5B", "Local authority services - other internal"
    LA_EXTERNAL = "5C", "Local authority services - external (another authority)"
    EARLY_HELP = "5D", "Early help"
    POLICE = "6", "Police"
    OTHER_LEGAL_AGENCY = "7", "Other legal agency (including courts, probation, immigration)"
    OTHER = "8", "Other"
    ANONYMOUS = "9", "Anonymous"
    UNKNOWN = "10", "Unknown"
    # Routes the review asked to be visible in their own right (DOMAIN.md findings 2, 4, 6).
    CUSTODY_BOOKING = "custody", "Police custody booking (Golden Hour)"
    COUNTY_LINES_REPORT = "county_lines", "County lines police report"
    YOUTH_OFFENDING = "youth_offending", "Youth offending service"
    MISSING_OUTREACH = "missing_outreach", "Missing outreach team"
    OTHER_AUTHORITY_OR_FORCE = "other_area", "Another local authority or police force"


# The CIN census return needs one of its own codes for every referral.
CIN_CODE_FOR_SOURCE = {
    ReferralSource.CUSTODY_BOOKING: "6",
    ReferralSource.COUNTY_LINES_REPORT: "6",
    ReferralSource.YOUTH_OFFENDING: "7",
    ReferralSource.MISSING_OUTREACH: "5B",
    ReferralSource.OTHER_AUTHORITY_OR_FORCE: "5C",
}


class Concern(models.TextChoices):
    CRIMINAL_EXPLOITATION = "cce", "Child criminal exploitation"
    COUNTY_LINES = "county_lines", "County lines"
    SEXUAL_EXPLOITATION = "cse", "Sexual exploitation"
    GANGS = "gangs", "Gangs or organised crime"
    MISSING = "missing", "Missing from home, care or education"
    DRUG_DEBT = "drug_debt", "Drug debt"
    TRAFFICKING = "trafficking", "Trafficking or modern slavery"
    EDUCATION = "education", "Elective home education or missing education"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    MENTAL_HEALTH = "mental_health", "Mental health"
    SELF_HARM = "self_harm", "Self-harm"
    OTHER = "other", "Other"


class Consent(models.TextChoices):
    GIVEN = "given", "Consent sought and given"
    REFUSED = "refused", "Consent sought and refused"
    NOT_SOUGHT = "not_sought", "Consent not sought"


class RagRating(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class DecisionOutcome(models.TextChoices):
    NO_FURTHER_ACTION = "nfa", "No further action"
    EARLY_HELP = "early_help", "Early help"
    ASSESSMENT = "assessment", "Social care assessment"
    STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion"
    URGENT_RESPONSE = "urgent_response", "Urgent response (48 hours)"
    EXPLOITATION_AND_RISK_PANEL = "erp", "Refer to the Exploitation and Risk Panel"
    SOCIAL_NEEDS_PANEL = "social_needs_panel", "Refer to housing's Social Needs Panel"


class AppropriateAdult(models.TextChoices):
    PRESENT = "present", "Present"
    REQUESTED = "requested", "Requested, not yet arrived"
    NOT_YET_ARRANGED = "not_arranged", "Not yet arranged"


class ContactMethod(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone call"
    VIDEO = "video", "Video call"
    AT_CUSTODY = "custody", "In custody"
    AT_HOSPITAL = "hospital", "At hospital"


class ReachableMomentKind(models.TextChoices):
    CUSTODY = "custody", "Police custody"
    EMERGENCY_DEPARTMENT = "emergency_department", "Hospital emergency department"
    RETURN_FROM_MISSING = "return_from_missing", "Return from missing"
    URGENT_RESPONSE = "urgent_response", "Urgent response contact"
    SCHOOL = "school", "School or college"
    OTHER = "other", "Another contact"


class SupportDeclined(models.TextChoices):
    """Why support offered at a reachable moment was not taken up (finding 2: what stops help reaching a
    child, counted so that it can change)."""

    CHILD_DECLINED = "child_declined", "The child said no"
    CARER_DECLINED = "carer_declined", "A parent or carer said no"
    NOT_SAFE_TO_TALK = "not_safe", "It was not safe to talk (someone else was present)"
    UNWELL_OR_INTOXICATED = "unwell", "The child was unwell or intoxicated"
    LEFT_BEFORE_OFFER = "left", "The child left before support could be offered"
    NO_SERVICE_AVAILABLE = "no_service", "No service was available at the time"
    OTHER = "other", "Another reason"


class ViolentInjury(models.TextChoices):
    STAB_WOUND = "stab_wound", "Stab or knife wound"
    GUNSHOT = "gunshot", "Gunshot wound"
    ASSAULT = "assault", "Assault (other injury)"
    SEXUAL_ASSAULT = "sexual_assault", "Sexual assault"
    OTHER = "other", "Other injury from violence"


class ReferralStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    GATHERING = "gathering", "Gathering information"
    DECIDED = "decided", "Decided"


class DrmAttendanceStatus(models.TextChoices):
    PRESENT = "present", "Present"
    APOLOGIES = "apologies", "Sent apologies"
    ABSENT = "absent", "Absent"


class DrmItemKind(models.TextChoices):
    NEW_REFERRAL = "new_referral", "New referral"
    COUNTY_LINES = "county_lines", "County lines police report"
    BREACHED_CLOCK = "breached_clock", "Breached clock"
