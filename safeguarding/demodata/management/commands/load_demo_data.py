"""Demo data for `make run`: two synthetic local authorities, an agency of every type in each, a user for
every role, and a few hundred synthetic people with cases. Every name, address and NHS number is made up
(NHS numbers are in the 999 range that NHS England keeps for testing); nothing comes from real case files.

Idempotent: authorities, agencies and users are fetched or created on every run (passwords and
authenticators reset to the demo values); people and cases are created only while an authority has none.
"""

import hashlib
import os
import random
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from audits.context import SYSTEM_CONTEXT
from cases.models import Case, CaseStatus, ExploitationType, LawfulBasis, RiskLevel
from cases.services import case_open, case_share, case_update
from referrals.models import Referral
from referrals.services import custody_booking_create, mash_decision_record, referral_create, referral_rate
from safeguarding.demodata.childs_record import ensure_childs_record
from safeguarding.demodata.networks import ensure_network
from safeguarding.demodata.panels import ensure_panel
from safeguarding.organisations.models import Agency, AgencyType, LocalAuthority, User
from safeguarding.organisations.roles import Role
from safeguarding.organisations.services import agency_create, role_groups_ensure, user_create
from safeguarding.people.ethnicity import CinEthnicity
from safeguarding.people.models import EducationStatus, Person, Sex
from safeguarding.people.validators import nhs_number_is_valid

DEFAULT_DEMO_PASSWORD = "Reachable-demo-2026!"
TOTP_DEVICE_NAME = "Demo authenticator"


@dataclass(frozen=True)
class DemoAuthority:
    name: str
    place: str  # used in agency names and addresses
    gss_code: str
    postcode_area: str  # not a real UK postcode area
    username_prefix: str
    case_count: int


NORTHBRIDGE = DemoAuthority("Northbridge (demo)", "Northbridge", "E09000901", "NB", "", 240)
SOUTHMERE = DemoAuthority("Southmere (demo)", "Southmere", "E09000902", "SQ", "south.", 60)
AUTHORITIES = (NORTHBRIDGE, SOUTHMERE)

AGENCY_NAMES = {
    AgencyType.POLICE: "{place} Police",
    AgencyType.CHILDRENS_SOCIAL_CARE: "{place} Children's Social Care",
    AgencyType.ADULT_SOCIAL_CARE: "{place} Adult Social Care",
    AgencyType.HEALTH: "{place} Integrated Care Board",
    AgencyType.EDUCATION: "{place} Education Services",
    AgencyType.HOUSING: "{place} Housing",
    AgencyType.YOUTH_OFFENDING: "{place} Youth Offending Service",
    AgencyType.MISSING_OUTREACH: "{place} Missing Outreach Team",
    AgencyType.VOLUNTARY: "{place} Rescue and Response (commissioned)",
    AgencyType.PROBATION: "{place} Probation Delivery Unit",
}


@dataclass(frozen=True)
class DemoUser:
    username: str  # without the authority's prefix
    first_name: str
    last_name: str
    agency_type: AgencyType
    role: Role
    job_title: str
    manager: str = ""  # username, without prefix, of a user listed earlier


CSC = AgencyType.CHILDRENS_SOCIAL_CARE
# fmt: off
NORTHBRIDGE_USERS = (
    DemoUser("mash.manager", "Morgan", "Okafor", CSC, Role.MASH_MANAGER, "MASH team manager"),
    DemoUser("mash.practitioner", "Priya", "Shah", CSC, Role.MASH_PRACTITIONER, "MASH social worker",
             manager="mash.manager"),
    DemoUser("urgent.response", "Tom", "Reilly", CSC, Role.URGENT_RESPONSE_WORKER, "Urgent response worker",
             manager="mash.manager"),
    DemoUser("panel.chair", "Grace", "Adeyemi", CSC, Role.PANEL_CHAIR, "Exploitation and Risk Panel chair"),
    DemoUser("panel.member", "Dan", "Kowalski", AgencyType.YOUTH_OFFENDING, Role.PANEL_MEMBER,
             "Youth offending team manager"),
    DemoUser("agency.manager", "Sam", "Whitfield", AgencyType.POLICE, Role.AGENCY_MANAGER,
             "Detective sergeant, MASH police desk"),
    DemoUser("police.practitioner", "Alex", "Mensah", AgencyType.POLICE, Role.AGENCY_PRACTITIONER,
             "Police MASH researcher", manager="agency.manager"),
    DemoUser("health.practitioner", "Nadia", "Hussain", AgencyType.HEALTH, Role.AGENCY_PRACTITIONER,
             "Named nurse for safeguarding children"),
    DemoUser("housing.practitioner", "Chris", "Evans", AgencyType.HOUSING, Role.AGENCY_PRACTITIONER,
             "Housing needs officer"),
    DemoUser("auditor", "Ruth", "Lindqvist", CSC, Role.AUDITOR, "Quality assurance lead"),
    DemoUser("admin", "Jordan", "Blake", CSC, Role.SYSTEM_ADMINISTRATOR, "System administrator"),
)
SOUTHMERE_USERS = (
    DemoUser("mash.manager", "Helen", "Osei", CSC, Role.MASH_MANAGER, "MASH team manager"),
    DemoUser("mash.practitioner", "Kieran", "Doyle", CSC, Role.MASH_PRACTITIONER, "MASH social worker",
             manager="mash.manager"),
    DemoUser("police.practitioner", "Leah", "Marsh", AgencyType.POLICE, Role.AGENCY_PRACTITIONER,
             "Police MASH researcher"),
)
USERS_BY_AUTHORITY = {NORTHBRIDGE: NORTHBRIDGE_USERS, SOUTHMERE: SOUTHMERE_USERS}

# Common given and family names, combined at random: any resemblance to a real child is chance.
GIVEN_NAMES = {
    Sex.FEMALE: [
        "Amelia", "Olivia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Sophia", "Grace", "Freya", "Aisha", "Zara",
        "Maryam", "Fatima", "Chloe", "Ella", "Ruby", "Jessica", "Precious", "Adaeze", "Amira", "Leah", "Maya",
        "Nia", "Shanice", "Tia", "Demi", "Kayla", "Eva", "Hannah", "Jade", "Ellie", "Niamh", "Roxana",
        "Julia",
    ],
    Sex.MALE: [
        "Oliver", "Noah", "George", "Leo", "Harry", "Jack", "Muhammad", "Ibrahim", "Yusuf", "Kai", "Tyler",
        "Jayden", "Reece", "Kyle", "Callum", "Ethan", "Mason", "Liam", "Daniel", "Joshua", "Samuel", "Tobi",
        "Kwame", "Emeka", "Andre", "Marcus", "Ryan", "Dylan", "Aaron", "Connor", "Jamal", "Omar", "Mateusz",
        "Ionut", "Luca", "Theo", "Kofi", "Zain", "Bilal", "Rhys",
    ],
}
FAMILY_NAMES = [
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson",
    "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall",
    "Lewis", "Harris", "Clarke", "Patel", "Khan", "Ahmed", "Ali", "Hussain", "Begum", "Singh", "Okafor",
    "Adeyemi", "Mensah", "Campbell", "Francis", "Grant", "Reid", "Murphy", "O'Brien", "Kelly", "Nowak",
    "Kowalska", "Popescu", "Silva", "Nguyen", "Chen", "Ibrahim", "Mohamed", "Osei", "Boateng", "Bailey",
    "Richards", "Morris", "Ward", "Cooper", "Hill", "Moore", "Jackson", "Wood", "Turner",
]
ALIASES = [
    "Tee", "J", "Little Man", "Rocket", "Shorty", "K", "Blaze", "Lulu", "Princess", "Smiley", "Dee", "Ace",
]
STREETS = [
    "Albert Road", "Victoria Street", "Station Road", "Church Lane", "Mill Lane", "Park Avenue",
    "Queens Road", "Kingsway", "Grove Road", "Elm Close", "Canal Walk", "Market Street", "Bridge Street",
    "Orchard Way", "Cedar Court", "Harbour View", "Spring Gardens", "Tower Estate", "Riverside",
    "High Street",
]
SCHOOLS = [
    "{place} Academy", "{place} High School", "St Anne's Church of England School",
    "Hillside Community College", "Riverside Secondary School", "Oakfield School",
    "{place} Pupil Referral Unit", "{place} College",
]
# Roughly an inner-city mix; the dashboards need every ONS group represented.
ETHNICITY_WEIGHTS = {
    CinEthnicity.WBRI: 30, CinEthnicity.WOTH: 8, CinEthnicity.WIRI: 1, CinEthnicity.WROM: 2,
    CinEthnicity.MWBC: 7, CinEthnicity.MWBA: 3, CinEthnicity.MWAS: 2, CinEthnicity.MOTH: 3,
    CinEthnicity.BCRB: 10, CinEthnicity.BAFR: 12, CinEthnicity.BOTH: 3, CinEthnicity.AIND: 3,
    CinEthnicity.APKN: 3, CinEthnicity.ABAN: 4, CinEthnicity.AOTH: 2, CinEthnicity.CHNE: 1,
    CinEthnicity.OOTH: 2, CinEthnicity.REFU: 1, CinEthnicity.NOBT: 2,
}
RISK_WEIGHTS = {
    RiskLevel.NOT_ASSESSED: 10, RiskLevel.LOW: 20, RiskLevel.MEDIUM: 35, RiskLevel.HIGH: 25,
    RiskLevel.VERY_HIGH: 10,
}
EXPLOITATION_WEIGHTS = {
    ExploitationType.CRIMINAL: 30, ExploitationType.COUNTY_LINES: 25, ExploitationType.SEXUAL: 20,
    ExploitationType.GANGS: 12, ExploitationType.TRAFFICKING: 5, ExploitationType.FINANCIAL: 5,
    ExploitationType.RADICALISATION: 3,
}
UNDER_16_EDUCATION_WEIGHTS = {
    EducationStatus.ON_ROLL: 75, EducationStatus.ELECTIVE_HOME_EDUCATION: 10,
    EducationStatus.MISSING_EDUCATION: 10, EducationStatus.NOT_KNOWN: 5,
}
CONCERNS = [
    "frequent missing episodes, returning with unexplained cash and a new phone",
    "found in a trap house in another county during a police warrant",
    "excluded from school and seen with older young people known to police",
    "stopped in possession of a bladed article and cannabis",
    "presented at the emergency department with a stab wound and would not say how",
    "older boyfriend; returned home under the influence of alcohol late at night",
    "removed from roll to elective home education shortly after a fixed-term exclusion",
    "debt bondage suspected after a reported robbery of drugs",
    "arrested in a different force area and booked into custody overnight",
    "sharing extremist material online, referred by school",
]
SOURCES = [
    "police", "school", "the emergency department", "a parent", "housing", "youth offending", "a GP",
]
# fmt: on


def demo_totp_key(username: str) -> str:
    """Deterministic: `manage.py totp_code USERNAME`, and an app enrolled once, work after a reload."""
    return hashlib.sha1(f"reachable-demo:{username}".encode()).hexdigest()  # noqa: S324 (not for security)


def synthetic_nhs_number(rng: random.Random, taken: set[str]) -> str:
    while True:
        number = "999" + "".join(str(rng.randrange(10)) for _ in range(6))
        total = sum(int(digit) * weight for digit, weight in zip(number, range(10, 1, -1), strict=True))
        check = (11 - total % 11) % 11
        if check == 10:
            continue  # no valid number has these nine digits
        number += str(check)
        if number not in taken:
            assert nhs_number_is_valid(number)
            taken.add(number)
            return number


def weighted(rng: random.Random, weights: dict[Any, int]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def person_data(
    rng: random.Random, authority: DemoAuthority, today: date, nhs_numbers: set[str]
) -> dict[str, Any]:
    sex = rng.choices([Sex.FEMALE, Sex.MALE, Sex.UNKNOWN], weights=[45, 53, 2])[0]
    given_names = GIVEN_NAMES[sex] if sex != Sex.UNKNOWN else GIVEN_NAMES[Sex.FEMALE] + GIVEN_NAMES[Sex.MALE]
    age_days = rng.randrange(10 * 365 + 3, 25 * 365 - 3)  # ages 10 to 24
    date_of_birth = today - timedelta(days=age_days)
    age = age_days // 365
    if age < 16:
        education = weighted(rng, UNDER_16_EDUCATION_WEIGHTS)
    elif age < 18:
        education = weighted(rng, {EducationStatus.ON_ROLL: 70, EducationStatus.NOT_KNOWN: 30})
    else:
        education = EducationStatus.NOT_OF_SCHOOL_AGE
    gender = {Sex.FEMALE: "Female", Sex.MALE: "Male", Sex.UNKNOWN: ""}[sex]
    if rng.random() < 0.03:
        gender = "Non-binary"
    return {
        "given_name": rng.choice(given_names),
        "family_name": rng.choice(FAMILY_NAMES),
        "aliases": [rng.choice(ALIASES)] if rng.random() < 0.15 else [],
        "date_of_birth": date_of_birth,
        "sex": sex,
        "gender": gender,
        "ethnicity": weighted(rng, ETHNICITY_WEIGHTS),
        "address_line_1": f"{rng.randrange(1, 220)} {rng.choice(STREETS)}",
        "town": authority.place,
        "postcode": (
            f"{authority.postcode_area}{rng.randrange(1, 20)} "
            f"{rng.randrange(1, 10)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        ),
        "education_status": education,
        "school_name": rng.choice(SCHOOLS).format(place=authority.place)
        if education == EducationStatus.ON_ROLL
        else "",
        "nhs_number": synthetic_nhs_number(rng, nhs_numbers) if rng.random() < 0.8 else None,
    }


def case_data(rng: random.Random, worker: User | None) -> dict[str, Any]:
    types: list[str] = []
    for _ in range(rng.choices([1, 2, 3], weights=[60, 30, 10])[0]):
        chosen = weighted(rng, EXPLOITATION_WEIGHTS)
        if chosen not in types:
            types.append(chosen)
    labels = " and ".join(ExploitationType(value).label.lower() for value in types)
    return {
        "risk_level": weighted(rng, RISK_WEIGHTS),
        "exploitation_types": types,
        "summary": (
            f"Synthetic demo case. Referred by {rng.choice(SOURCES)}: {rng.choice(CONCERNS)}. "
            f"Concerns of {labels}."
        ),
        "allocated_worker": worker if worker is not None and rng.random() < 0.6 else None,
        "opened_at": timezone.now() - timedelta(days=rng.randrange(540), minutes=rng.randrange(24 * 60)),
    }


class Command(BaseCommand):
    help = "Load synthetic demo authorities, agencies, users (one per role), people and cases. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even with DEBUG and DEMO_MODE off (demo users have a published password).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEBUG or getattr(settings, "DEMO_MODE", False) or options["force"]):
            raise CommandError(
                "Demo users have a published password: load_demo_data runs only with DEBUG or DEMO_MODE on."
            )
        started = time.monotonic()
        password = os.environ.get("DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD)
        role_groups_ensure()
        covered = {user.role for users in USERS_BY_AUTHORITY.values() for user in users}
        if missing := [role.label for role in Role if role not in covered]:
            self.stderr.write(f"Warning: no demo user has the role(s) {', '.join(missing)}")

        rng = random.Random(2026)
        nhs_numbers: set[str] = set()
        logins: list[tuple[str, User]] = []
        for authority in AUTHORITIES:
            local_authority, _ = LocalAuthority.objects.get_or_create(
                gss_code=authority.gss_code, defaults={"name": authority.name}
            )
            agencies = self.ensure_agencies(local_authority, authority)
            users = self.ensure_users(authority, agencies, password)
            logins.extend((authority.name, user) for user in users.values())
            self.ensure_cases(rng, local_authority, authority, agencies, users, nhs_numbers)
            self.ensure_referrals(local_authority, authority, agencies, users)
            ensure_panel(
                local_authority=local_authority, place=authority.place, agencies=agencies, users=users
            )
            ensure_network(
                local_authority=local_authority, place=authority.place, agencies=agencies, users=users
            )
            ensure_childs_record(local_authority=local_authority, place=authority.place, users=users)

        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {time.monotonic() - started:.1f}s."))
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {password}):")
        width = max(len(user.username) for _, user in logins)
        for authority_name, user in logins:
            roles = ", ".join(Role(name.removeprefix("role:")).label for name in self.role_names(user))
            agency = user.agency.name if user.agency else ""
            self.stdout.write(f"  {user.username:<{width}}  {roles} - {agency} ({authority_name})")
        self.stdout.write("Two-factor code for a user: .venv/bin/python manage.py totp_code USERNAME")

    def ensure_referrals(
        self,
        local_authority: LocalAuthority,
        authority: DemoAuthority,
        agencies: dict[str, Agency],
        users: dict[str, User],
    ) -> None:
        """Today's MASH work, so the queues, clocks and dashboards have something to show: custody bookings
        with the Golden Hour running (one already breached), referrals awaiting a decision, a red referral
        with agencies still to answer, a county lines report for the DRM and an urgent response under way."""
        if Referral.objects.filter(local_authority=local_authority).exists():
            self.stdout.write(f"{authority.name} already has referrals; not adding more.")
            return
        mash = users["mash.practitioner"]
        people = list(
            Person.objects.filter(local_authority=local_authority, date_of_birth__isnull=False).order_by(
                "family_name", "given_name"
            )[:10]
        )
        if len(people) < 10:
            return
        now = timezone.now()
        common = {
            "narrative": "Synthetic demo referral: seen with older youths, new phone and cash, missing overnight.",
            "consent": "not_sought",
            "consent_not_sought_reason": "Seeking consent could increase the risk to the child.",
            "lawful_basis": "dpa2018_sch1_para18",
        }
        for index, minutes_ago in enumerate([10, 30, 50, 130]):
            custody_booking_create(
                actor=mash,
                context=SYSTEM_CONTEXT,
                referral_data={**common, "concerns": ["cce", "county_lines"]},
                booking_data={
                    "police_force": f"{authority.place} Police" if index else "Nottinghamshire Police",
                    "out_of_area": index == 0,
                    "custody_suite": f"{authority.place} Central",
                    "booked_in_at": now - timedelta(minutes=minutes_ago),
                    "arrest_reason": "Possession with intent to supply (synthetic)",
                    "appropriate_adult": "requested",
                    "pace_transfer_requested": index == 1,
                },
                idempotency_key=f"demo-custody-{index}",
                person=people[index],
            )
        referrals = [
            referral_create(
                actor=mash,
                context=SYSTEM_CONTEXT,
                data={
                    **common,
                    "source": source,
                    "referrer_name": "Demo referrer",
                    "referrer_contact": "01632 960000",
                    "received_at": now - timedelta(hours=hours),
                    "concerns": concerns,
                },
                idempotency_key=f"demo-referral-{index}",
                person=people[4 + index],
            )
            for index, (source, hours, concerns) in enumerate(
                [
                    ("2A", 3, ["cce", "education"]),
                    ("3E", 5, ["self_harm", "cse"]),
                    ("county_lines", 2, ["county_lines"]),
                    ("4", 26, ["cce", "missing"]),
                    ("1B", 7, ["missing"]),
                    ("6", 9, ["gangs", "drug_debt"]),
                ]
            )
        ]
        referral_rate(
            actor=mash,
            context=SYSTEM_CONTEXT,
            referral=referrals[0],
            rag_rating="red",
            agencies=[agencies[AgencyType.POLICE], agencies[AgencyType.HOUSING], agencies[AgencyType.HEALTH]],
            question="Any contact with this child or their associates in the last six months?",
        )
        mash_decision_record(
            actor=mash,
            context=SYSTEM_CONTEXT,
            referral=referrals[5],
            outcome="urgent_response",
            rationale="Synthetic demo: drug debt and threats; must be seen within 48 hours.",
        )
        self.stdout.write(f"{authority.name}: {4 + len(referrals)} demo referrals with running clocks.")

    @staticmethod
    def role_names(user: User) -> list[str]:
        return sorted(user.groups.filter(name__startswith="role:").values_list("name", flat=True))

    def ensure_agencies(self, local_authority: LocalAuthority, authority: DemoAuthority) -> dict[str, Agency]:
        agencies: dict[str, Agency] = {}
        for agency_type, pattern in AGENCY_NAMES.items():
            agency = Agency.objects.filter(local_authority=local_authority, agency_type=agency_type).first()
            if agency is None:
                agency = agency_create(
                    local_authority=local_authority,
                    name=pattern.format(place=authority.place),
                    agency_type=agency_type,
                )
            agencies[agency_type] = agency
        return agencies

    def ensure_users(
        self, authority: DemoAuthority, agencies: dict[str, Agency], password: str
    ) -> dict[str, User]:
        groups = role_groups_ensure()
        users: dict[str, User] = {}
        for spec in USERS_BY_AUTHORITY[authority]:
            username = authority.username_prefix + spec.username
            agency = agencies[spec.agency_type]
            user = User.objects.filter(username=username).first()
            if user is None:
                user = user_create(
                    username=username,
                    agency=agency,
                    roles=[spec.role],
                    password=password,
                    first_name=spec.first_name,
                    last_name=spec.last_name,
                    email=f"{username}@{authority.place.lower()}.reachable.invalid",
                    job_title=spec.job_title,
                    manager=users.get(spec.manager),
                )
            else:
                # Someone may have changed the password or been locked out while trying the demo.
                user.set_password(password)
                user.is_active = True
                user.save(update_fields=["password", "is_active"])
                user.groups.add(agency.group, groups[spec.role])
            device, _ = TOTPDevice.objects.get_or_create(user=user, name=TOTP_DEVICE_NAME)
            device.key = demo_totp_key(username)
            device.confirmed = True
            device.save()
            users[spec.username] = user
        return users

    def ensure_cases(
        self,
        rng: random.Random,
        local_authority: LocalAuthority,
        authority: DemoAuthority,
        agencies: dict[str, Agency],
        users: dict[str, User],
        nhs_numbers: set[str],
    ) -> None:
        if Case.objects.filter(local_authority=local_authority).exists():
            self.stdout.write(f"{authority.name} already has cases; not adding people.")
            return
        today = timezone.now().date()
        mash = users["mash.practitioner"]
        police = users["police.practitioner"]
        partners = [
            (agencies[AgencyType.POLICE], 0.45),
            (agencies[AgencyType.HEALTH], 0.25),
            (agencies[AgencyType.HOUSING], 0.15),
            (agencies[AgencyType.EDUCATION], 0.15),
            (agencies[AgencyType.YOUTH_OFFENDING], 0.10),
        ]
        for _ in range(authority.case_count):
            # Most cases are led by children's social care (the MASH); some by the police MASH desk.
            actor = police if rng.random() < 0.1 else mash
            case = case_open(
                actor=actor,
                context=SYSTEM_CONTEXT,
                new_person_data=person_data(rng, authority, today, nhs_numbers),
                data=case_data(rng, actor),
            )
            shares = [
                agency for agency, chance in partners if rng.random() < chance and agency != actor.agency
            ]
            if actor is police:
                shares.insert(0, agencies[AgencyType.CHILDRENS_SOCIAL_CARE])
            for agency in shares:
                case_share(
                    actor=actor,
                    case=case,
                    agency=agency,
                    lawful_basis=LawfulBasis.SAFEGUARDING,
                    reason=f"{agency.name} needs to know to safeguard this young person (demo data).",
                    context=SYSTEM_CONTEXT,
                )
            if rng.random() < 0.15:
                case_update(
                    actor=actor,
                    case=case,
                    expected_version=case.version,
                    context=SYSTEM_CONTEXT,
                    data={
                        "status": CaseStatus.CLOSED,
                        "closure_reason": "Risk reduced: engaged with support, no missing episodes.",
                    },
                )
        self.stdout.write(f"{authority.name}: {authority.case_count} synthetic people and cases.")
