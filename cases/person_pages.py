"""What cases contributes to the person pages, which belong to core (people) and so cannot import cases:
the person page's Cases section (registered in CasesConfig.ready) and "add a person and open a case", served
at /people/add/ (people:create) by the project's urls."""

from collections.abc import Iterator

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BoundField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from audits.context import AuditContext
from audits.models import AuditAction
from audits.services import audit_read
from cases.forms import CaseOpenForm
from cases.selectors import case_list_for_person
from cases.services import case_open
from safeguarding.common.errors import ApplicationError
from safeguarding.common.forms import form_errors_from
from safeguarding.organisations.access import request_actor
from safeguarding.people.forms import PersonForm
from safeguarding.people.models import Person
from safeguarding.people.sections import PersonPage, PersonSection
from safeguarding.people.selectors import person_search


def _person_cases(page: PersonPage) -> dict[str, object]:
    return {"cases": list(case_list_for_person(user=page.actor, person_id=page.person.pk))}


PERSON_CASES_SECTION = PersonSection(
    key="cases",
    template_name="cases/person_cases_section.html",
    context=_person_cases,
    # Opening a case needs the same permission as changing the person (cases:open is access_person(write=True)).
    edit_actions=(("Open a case", "cases:open"),),
)


@require_http_methods(["GET", "POST"])
def person_create_view(request: HttpRequest) -> HttpResponse:
    """Add a person and open their safeguarding case in one step: both are saved, or neither is. Search before
    create: a person the user may see with the same NHS number, or a similar name and the same date of birth,
    is offered first, and a new record is made only once the user says it is none of them."""
    person_form = PersonForm(request.POST or None, prefix="person")
    case_form = CaseOpenForm(request.POST or None, prefix="case")
    possible: list[Person] = []
    held_elsewhere = False
    valid = request.method == "POST" and person_form.is_valid() and case_form.is_valid()
    if valid and request.POST.get("confirm_new") != "yes":
        data = person_form.cleaned_data
        found = person_search(
            user=request.user,
            name=f"{data.get('given_name', '')} {data.get('family_name', '')}",
            date_of_birth=data.get("date_of_birth"),
            nhs_number=data.get("nhs_number") or None,
            limit=5,
        )
        possible = [m.person for m in found.matches if m.likely_duplicate]
        held_elsewhere = found.held_by_another_agency
        if possible:
            audit_read(
                request,
                action=AuditAction.LIST,
                object_type="person",
                object_id=None,
                person_ids=[person.pk for person in possible],
            )
    if valid and not possible:
        try:
            case = case_open(
                actor=request_actor(request),
                context=AuditContext.from_request(request),
                new_person_data=person_form.person_data(),
                data=case_form.case_data(),
            )
        except (ApplicationError, ValidationError) as error:
            form_errors_from(person_form, error, also=(case_form,))
        else:
            messages.success(request, f"{case.person.full_name} has been added and a case opened.")
            return redirect("people:detail", person_id=case.person_id)
    return render(
        request,
        "cases/person_create.html",
        {
            "person_form": person_form,
            "case_form": case_form,
            "form": _MergedErrors(person_form, case_form),
            "possible": possible,
            "held_elsewhere": held_elsewhere,
        },
    )


class _MergedErrors:
    """Lets the one error summary list errors from both forms on the page, in page order."""

    def __init__(self, *forms: PersonForm | CaseOpenForm) -> None:
        self.forms = forms

    @property
    def errors(self) -> bool:
        return any(form.errors for form in self.forms)

    def non_field_errors(self) -> list[str]:
        return [str(error) for form in self.forms for error in form.non_field_errors()]

    def __iter__(self) -> Iterator[BoundField]:
        for form in self.forms:
            yield from form
