"""Networks: contexts (places and groups) as records of their own, and graded links between people and
contexts, each with its evidence. A link whose endpoints are both known to another open case raises a
cross-case alert, recorded once."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models

from cases.models import Case
from safeguarding.common.models import UUIDModel
from safeguarding.organisations.models import Agency, AgencyType, LocalAuthority
from safeguarding.people.models import Person


class ContextKind(models.TextChoices):
    ADDRESS = "address", "Address"
    HOTSPOT = "hotspot", "Hotspot"
    SCHOOL = "school", "School"
    PARK = "park", "Park or open space"
    TRANSPORT_HUB = "transport_hub", "Transport hub"
    SHOP = "shop", "Shop or takeaway"
    ONLINE_SPACE = "online_space", "Online space"
    PEER_GROUP = "peer_group", "Peer group"
    GANG = "gang", "Gang or organised crime group"
    COUNTY_LINE = "county_line", "County line (deal line)"


GROUP_KINDS = (ContextKind.PEER_GROUP, ContextKind.GANG, ContextKind.COUNTY_LINE)


class Context(UUIDModel):
    """A place or a group, with its own page, history and audit trail, like a person."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="contexts")
    kind = models.CharField(max_length=20, choices=ContextKind.choices)
    name = models.CharField(max_length=200)
    description = models.TextField(max_length=4000, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    deal_line_name = models.CharField(
        max_length=80, blank=True, help_text="For a county line: the name the deal line goes by."
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    # lower(name, deal line, postcode), written by the services: the search before create.
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        indexes = [
            # Search before create: search_text %> 'query' within an authority.
            GinIndex(fields=["search_text"], opclasses=["gin_trgm_ops"], name="context_search_trgm"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_group(self) -> bool:
        return self.kind in GROUP_KINDS


class LinkType(models.TextChoices):
    FAMILY = "family", "Family"
    SIBLING = "sibling", "Sibling"
    PARTNER = "partner", "Partner"
    PEER = "peer", "Peer"
    ASSOCIATE = "associate", "Associate"
    # From the adult to the child: "A is a suspected exploiter of B".
    SUSPECTED_EXPLOITER = "suspected_exploiter", "Suspected exploiter of"
    VICTIM_OF = "victim_of", "Victim of"
    CARER = "carer", "Carer of"
    MEMBER = "member", "Member of"
    FREQUENTS = "frequents", "Frequents"
    LIVES_AT = "lives_at", "Lives at"
    CONNECTED_TO = "connected_to", "Connected to"


DIRECTIONAL_TYPES = frozenset({LinkType.SUSPECTED_EXPLOITER, LinkType.VICTIM_OF, LinkType.CARER})


class LinkStatus(models.TextChoices):
    ALLEGED = "alleged", "Alleged"
    CORROBORATED = "corroborated", "Corroborated"
    CONFIRMED = "confirmed", "Confirmed"
    LAPSED = "lapsed", "Lapsed (not confirmed in time)"


class SourceGrade(models.TextChoices):
    """The 3x5x2 intelligence grading: source evaluation."""

    RELIABLE = "1", "1: reliable"
    UNTESTED = "2", "2: untested"
    NOT_RELIABLE = "3", "3: not reliable"


class InformationGrade(models.TextChoices):
    KNOWN = "A", "A: known directly to the source"
    INDIRECT_CORROBORATED = "B", "B: known indirectly, corroborated"
    INDIRECT = "C", "C: known indirectly"
    NOT_KNOWN = "D", "D: cannot be judged"
    SUSPECTED_FALSE = "E", "E: suspected to be false"


class HandlingCode(models.TextChoices):
    LAWFUL_SHARING = "P", "P: lawful sharing permitted"
    CONDITIONS = "C", "C: lawful sharing permitted with conditions"


def describe_grading(source_grade: str, information_grade: str) -> str:
    """A 3x5x2 grading as practitioners write it ("2B"), or "Not graded"."""
    if not (source_grade or information_grade):
        return "Not graded"
    return f"{source_grade or '-'}{information_grade or '-'}"


def describe_handling(handling_code: str, agency_types: list[str], conditions: str) -> str:
    """A handling code in words: P, or C with the agencies it may go to and its conditions."""
    if handling_code == HandlingCode.CONDITIONS:
        agencies = ", ".join(str(AgencyType(t).label) for t in agency_types)
        more = f". {conditions}" if conditions else ""
        return f"C: shared only with {agencies}{more}"
    if handling_code == HandlingCode.LAWFUL_SHARING:
        return "P: lawful sharing permitted"
    return "None"


class Link(UUIDModel):
    """A dated, sourced, graded link between two people, a person and a context, or two contexts."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="+")
    person_a = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    context_a = models.ForeignKey(Context, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    context_b = models.ForeignKey(Context, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    link_type = models.CharField(max_length=24, choices=LinkType.choices)
    first_seen = models.DateField(null=True, blank=True)
    last_seen = models.DateField(null=True, blank=True)
    # The evidence: where the link comes from. A link without it is never recorded.
    source = models.CharField(max_length=300)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recording_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=LinkStatus.choices, default=LinkStatus.ALLEGED)
    # Police intelligence: 3x5x2 grading and handling code; C comes with the agency types it may go to.
    source_grade = models.CharField(max_length=1, choices=SourceGrade.choices, blank=True)
    information_grade = models.CharField(max_length=1, choices=InformationGrade.choices, blank=True)
    handling_code = models.CharField(max_length=1, choices=HandlingCode.choices, blank=True)
    handling_agency_types = ArrayField(
        models.CharField(max_length=32, choices=AgencyType.choices), default=list, blank=True
    )
    handling_conditions = models.CharField(max_length=300, blank=True)
    # When cross-case detection ran for this link (a task queued on commit; a sweep catches any it lost).
    alerts_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person_a__isnull=True) ^ models.Q(context_a__isnull=True),
                name="link_one_end_a",
            ),
            models.CheckConstraint(
                condition=models.Q(person_b__isnull=True) ^ models.Q(context_b__isnull=True),
                name="link_one_end_b",
            ),
            models.CheckConstraint(
                condition=~models.Q(person_a=models.F("person_b"))
                & ~models.Q(context_a=models.F("context_b")),
                name="link_not_to_itself",
            ),
            models.CheckConstraint(
                condition=models.Q(first_seen__isnull=True)
                | models.Q(last_seen__isnull=True)
                | models.Q(last_seen__gte=models.F("first_seen")),
                name="link_seen_in_order",
            ),
            models.CheckConstraint(
                condition=~models.Q(handling_code="C") | ~models.Q(handling_agency_types=[]),
                name="link_conditions_name_agencies",
            ),
            # The same link recorded twice is one link: a retry or a second practitioner gets the first.
            models.UniqueConstraint(
                fields=["person_a", "context_a", "person_b", "context_b", "link_type"],
                condition=~models.Q(status="lapsed"),
                nulls_distinct=False,
                name="link_unique_while_live",
            ),
        ]
        indexes = [
            # The neighbourhood: the live links at each end of a node (a person or a context).
            models.Index(fields=["person_a"], condition=~models.Q(status="lapsed"), name="link_person_a_idx"),
            models.Index(fields=["person_b"], condition=~models.Q(status="lapsed"), name="link_person_b_idx"),
            models.Index(
                fields=["context_a"], condition=~models.Q(status="lapsed"), name="link_context_a_idx"
            ),
            models.Index(
                fields=["context_b"], condition=~models.Q(status="lapsed"), name="link_context_b_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_link_type_display()} ({self.get_status_display()})"


class CrossCaseAlert(UUIDModel):
    """A new link tied a child to a person or context already linked to another open case. Each owner is told
    that a link exists and whom to contact, nothing more; recorded once per (link, case) whatever the
    retries."""

    link = models.ForeignKey(Link, on_delete=models.PROTECT, related_name="alerts")
    # The case whose owner is told, and the case on the other side (whose lead agency is the contact).
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    other_case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    # Who is told when the handling code keeps the case's own owner out: the agency that holds the intelligence.
    told_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["link", "case", "other_case"], name="cross_case_alert_once"),
        ]

    @property
    def contact(self) -> str:
        return alert_contact(self.case, self.other_case)


def alert_contact(case: Case, other_case: Case) -> str:
    """Whom an alert tells its owner to contact: the other case's lead agency within one authority; across
    authorities, only that authority's MASH is named (nothing else of its case crosses)."""
    if case.local_authority_id == other_case.local_authority_id:
        return other_case.lead_agency.name
    return f"the {other_case.local_authority.name} MASH"


class AssessmentKind(models.TextChoices):
    PEER_GROUP = "peer_group", "Peer group assessment"
    SCHOOL = "school", "School assessment"
    NEIGHBOURHOOD = "neighbourhood", "Neighbourhood assessment"


class ContextAssessment(UUIDModel):
    """A contextual safeguarding assessment of a place or group, with the context-weighting question answered:
    what must change first, in this context, for the children in it to be safer."""

    context = models.ForeignKey(Context, on_delete=models.PROTECT, related_name="assessments")
    kind = models.CharField(max_length=16, choices=AssessmentKind.choices)
    findings = models.TextField(max_length=10_000)
    change_first = models.TextField("What must change first for the children to be safer", max_length=4000)
    strengths = models.TextField(max_length=4000, blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessed_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]


class ContextActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


class ContextAction(UUIDModel):
    """An action of a context's plan, with an owner and a due date (a clock). The plan reaches every child
    linked to the context: their network pages list it."""

    context = models.ForeignKey(Context, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField(max_length=2000)
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_date = models.DateField()
    status = models.CharField(
        max_length=8, choices=ContextActionStatus.choices, default=ContextActionStatus.OPEN
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    agreed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["due_date", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open", closed_at__isnull=True)
                | models.Q(status="done", closed_at__isnull=False),
                name="context_action_closed_at_matches_status",
            ),
        ]
