"""Reporting a child missing, the episode's page, and the forms that follow it: the return, the return home
interview's outcome, a new risk grade and Philomena Part 2. A reader who may not record (a partner agency
the case is shared with) is told who can instead of being shown a form."""

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from audits.context import AuditContext
from audits.services import audit_read
from cases.missing.access import access_episode, may_change_case, writable_open_case
from cases.missing.forms import Part2Form, ReportForm, ReturnForm, RhiOutcomeForm, RiskGradeForm
from cases.missing.models import MissingEpisode
from cases.missing.selectors import risk_history
from cases.missing.services import (
    missing_episode_report,
    missing_part2_update,
    missing_return_record,
    missing_rhi_outcome_record,
    missing_risk_grade_record,
)
from cases.missing.views._common import cannot_record, episode_duration, episode_status, rhi_state
from safeguarding.common.errors import ApplicationError
from safeguarding.common.forms import form_errors_from
from safeguarding.organisations.access import request_actor
from safeguarding.organisations.models import User
from safeguarding.people.access import access_person


def _audit_episode(request: HttpRequest, episode: MissingEpisode, shown: str) -> None:
    audit_read(
        request,
        object_type="missing_episode",
        object_id=episode.pk,
        person_ids=[episode.person_id],
        changes={"shown": shown},
    )


def _episode_url(episode: MissingEpisode) -> str:
    return reverse("missing:episode", kwargs={"episode_id": episode.pk})


@require_http_methods(["GET", "POST"])
def report_view(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = access_person(request.user, person_id)
    actor = request_actor(request)
    if request.method == "GET":
        audit_read(
            request,
            object_type="person",
            object_id=person.pk,
            person_ids=[person.pk],
            changes={"shown": "report missing"},
        )
    back = reverse("missing:person", kwargs={"person_id": person.pk})
    if writable_open_case(actor, person) is None:
        return cannot_record(request, person, "Report missing", back)
    form = ReportForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            episode = missing_episode_report(
                actor=actor, context=AuditContext.from_request(request), person=person, data=form.report()
            )
        except (ApplicationError, ValidationError) as error:
            form_errors_from(form, error)
        else:
            messages.success(request, f"{person.full_name} has been reported missing.")
            return redirect(_episode_url(episode))
    return render(
        request,
        "missing/report.html",
        {"person": person, "form": form, "back_url": back, "title": "Report missing"},
    )


@require_GET
def episode_view(request: HttpRequest, episode_id: uuid.UUID) -> HttpResponse:
    episode = access_episode(request.user, episode_id)
    actor = request_actor(request)
    _audit_episode(request, episode, "episode")
    return render(
        request,
        "missing/episode.html",
        {
            "episode": episode,
            "person": episode.person,
            "status": episode_status(episode),
            "duration": episode_duration(episode),
            "rhi": rhi_state(episode),
            "risk": risk_history(episode=episode),
            "may_record": may_change_case(actor, episode.case_id),
        },
    )


def _episode_form(
    request: HttpRequest,
    episode_id: uuid.UUID,
    *,
    title: str,
    shown: str,
    template: str,
    make_form: Callable[[dict[str, Any] | None, MissingEpisode], forms.Form],
    save: Callable[[User, AuditContext, MissingEpisode, forms.Form], object],
    done: str,
    closed: Callable[[MissingEpisode], str] = lambda episode: "",
) -> HttpResponse:
    """One form about an episode: authorised for reading (outsiders get 404), audited on GET, refused to a
    reader who may not record, shown read-only once the step is `closed` (the message why), else saved
    through its service, whose refusals come back as field errors."""
    episode = access_episode(request.user, episode_id)
    actor = request_actor(request)
    if request.method == "GET":
        _audit_episode(request, episode, shown)
    if not may_change_case(actor, episode.case_id):
        return cannot_record(request, episode.person, title, _episode_url(episode))
    context: dict[str, Any] = {
        "episode": episode,
        "person": episode.person,
        "title": title,
        "back_url": _episode_url(episode),
    }
    already = closed(episode)
    if already:
        if request.method == "POST":
            raise ApplicationError(already)
        return render(request, template, {**context, "closed": already})
    form = make_form(request.POST or None, episode)
    if request.method == "POST" and form.is_valid():
        try:
            save(actor, AuditContext.from_request(request), episode, form)
        except (ApplicationError, ValidationError) as error:
            form_errors_from(form, error)
        else:
            messages.success(request, done)
            return redirect(_episode_url(episode))
    return render(request, template, {**context, "form": form})


@require_http_methods(["GET", "POST"])
def return_view(request: HttpRequest, episode_id: uuid.UUID) -> HttpResponse:
    def save(actor: User, audit: AuditContext, episode: MissingEpisode, form: forms.Form) -> object:
        assert isinstance(form, ReturnForm)
        return missing_return_record(
            actor=actor,
            context=audit,
            episode=episode,
            expected_version=form.cleaned_data["version"],
            data=form.details(),
        )

    return _episode_form(
        request,
        episode_id,
        title="Record their return",
        shown="record return",
        template="missing/return.html",
        make_form=lambda data, episode: ReturnForm(data, initial={"version": episode.version}),
        save=save,
        done="The return has been recorded. The return home interview is due within 72 hours of when they were found.",
        closed=lambda episode: "The return has already been recorded." if episode.found_at else "",
    )


def _rhi_closed(episode: MissingEpisode) -> str:
    if episode.found_at is None:
        return "Record the child's return first: the return home interview follows the return."
    if episode.rhi_outcome:
        return f"The outcome is recorded: {episode.get_rhi_outcome_display().lower()}."
    return ""


@require_http_methods(["GET", "POST"])
def rhi_view(request: HttpRequest, episode_id: uuid.UUID) -> HttpResponse:
    def save(actor: User, audit: AuditContext, episode: MissingEpisode, form: forms.Form) -> object:
        assert isinstance(form, RhiOutcomeForm)
        return missing_rhi_outcome_record(
            actor=actor,
            context=audit,
            episode=episode,
            expected_version=form.cleaned_data["version"],
            data=form.details(),
        )

    return _episode_form(
        request,
        episode_id,
        title="Return home interview",
        shown="return home interview",
        template="missing/rhi.html",
        make_form=lambda data, episode: RhiOutcomeForm(data, initial={"version": episode.version}),
        save=save,
        done="The return home interview's outcome has been recorded.",
        closed=_rhi_closed,
    )


@require_http_methods(["GET", "POST"])
def risk_view(request: HttpRequest, episode_id: uuid.UUID) -> HttpResponse:
    def save(actor: User, audit: AuditContext, episode: MissingEpisode, form: forms.Form) -> object:
        data = form.cleaned_data
        return missing_risk_grade_record(
            actor=actor,
            context=audit,
            episode=episode,
            grade=data["grade"],
            assessed_at=data["assessed_at"],
            basis=data["basis"],
        )

    return _episode_form(
        request,
        episode_id,
        title="Grade the risk again",
        shown="risk grade",
        template="missing/risk.html",
        make_form=lambda data, episode: RiskGradeForm(data),
        save=save,
        done="The risk grade has been recorded.",
    )


@require_http_methods(["GET", "POST"])
def part2_view(request: HttpRequest, episode_id: uuid.UUID) -> HttpResponse:
    def save(actor: User, audit: AuditContext, episode: MissingEpisode, form: forms.Form) -> object:
        assert isinstance(form, Part2Form)
        return missing_part2_update(
            actor=actor,
            context=audit,
            episode=episode,
            expected_version=form.cleaned_data["version"],
            data=form.details(),
        )

    def make(data: dict[str, Any] | None, episode: MissingEpisode) -> forms.Form:
        fields = ("clothing", "appearance_now", "belongings", "circumstances", "anything_new")
        initial = {"version": episode.version, **{name: getattr(episode, name) for name in fields}}
        return Part2Form(data, initial=initial)

    return _episode_form(
        request,
        episode_id,
        title="Philomena Part 2",
        shown="philomena part 2",
        template="missing/part2.html",
        make_form=make,
        save=save,
        done="Part 2 has been saved.",
    )
