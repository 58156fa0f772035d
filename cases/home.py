"""The cases' part of the home page (the open cases allocated to the user) and their menu items: people,
cases, and places and groups. Registered from CasesConfig.ready(); see safeguarding/accounts/home.py."""

from collections.abc import Mapping

from cases.models import CaseStatus
from cases.selectors import case_list
from safeguarding.accounts.home import HomePage, HomeSection, MenuItem
from safeguarding.organisations.access import reads_case_data
from safeguarding.organisations.roles import CASE_WORKER_ROLES
from safeguarding.people.audit_pages import is_auditor


def _my_cases(page: HomePage) -> Mapping[str, object] | None:
    if not reads_case_data(page.actor) or not page.actor.has_any_role(*CASE_WORKER_ROLES):
        return None
    cases = list(case_list(user=page.actor, status=CaseStatus.OPEN, allocated_to=page.actor)[:10])
    return {"cases": cases, "person_ids": [case.person_id for case in cases]}


MY_CASES_SECTION = HomeSection(
    key="my_cases", template_name="home/my_cases.html", context=_my_cases, order=80
)

MENU_ITEMS = (
    MenuItem("audit", "Audit trail", "people:audit", is_auditor, order=80, current=("people:audit",)),
    MenuItem("people", "People", "people:list", reads_case_data, order=10, current=("people",)),
    MenuItem("cases", "Cases", "cases:list", reads_case_data, order=20, current=("cases",)),
    MenuItem(
        "networks", "Places and groups", "networks:contexts", reads_case_data, order=60, current=("networks",)
    ),
)
