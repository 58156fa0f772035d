"""Test data builders. They go through the services so tests exercise the same paths as the product."""

import itertools
from datetime import date
from typing import Any

from audits.context import SYSTEM_CONTEXT
from cases.models import Case
from cases.services import case_open, case_share
from safeguarding.organisations.models import Agency, AgencyType, LocalAuthority, User
from safeguarding.organisations.roles import Role
from safeguarding.organisations.services import agency_create, user_create

_sequence = itertools.count(1)

# Valid by the modulus 11 check.
VALID_NHS_NUMBERS = ["9434765919", "4010232137", "9434765870", "9990548609"]


def local_authority(name: str | None = None) -> LocalAuthority:
    number = next(_sequence)
    return LocalAuthority.objects.create(name=name or f"Authority {number}", gss_code=f"E09{number:06d}")


def agency(
    la: LocalAuthority, agency_type: AgencyType = AgencyType.CHILDRENS_SOCIAL_CARE, name: str = ""
) -> Agency:
    return agency_create(
        local_authority=la, name=name or f"{agency_type.label} {next(_sequence)}", agency_type=agency_type
    )


def user(agency_: Agency, *roles: Role, username: str = "", **kwargs: Any) -> User:
    return user_create(
        username=username or f"user{next(_sequence)}",
        agency=agency_,
        roles=roles or (Role.MASH_PRACTITIONER,),
        password="correct horse battery staple",
        first_name=kwargs.pop("first_name", "Test"),
        last_name=kwargs.pop("last_name", "User"),
        **kwargs,
    )


def person_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "given_name": "Jordan",
        "family_name": "Example",
        "aliases": [],
        "date_of_birth": date(2011, 4, 2),
        "sex": "M",
        "ethnicity": "BCRB",
        "education_status": "elective_home_education",
    }
    data.update(overrides)
    return data


def open_case(actor: User, *, person: Any = None, **person_overrides: Any) -> Case:
    if person is not None:
        return case_open(actor=actor, context=SYSTEM_CONTEXT, person=person, data={"risk_level": "high"})
    return case_open(
        actor=actor,
        context=SYSTEM_CONTEXT,
        new_person_data=person_data(**person_overrides),
        data={
            "risk_level": "high",
            "exploitation_types": ["criminal"],
            "summary": "Concerns about county lines.",
        },
    )


def share(case: Case, actor: User, with_agency: Agency) -> None:
    case_share(
        actor=actor,
        case=case,
        agency=with_agency,
        lawful_basis="dpa2018_sch1_para18",
        reason="Needs to know for safeguarding",
        context=SYSTEM_CONTEXT,
    )
