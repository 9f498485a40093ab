"""Study pages: the list, creating and editing a study, the study page, enrolling a client,
marking a session recorded, and a practitioner's own interviews."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from alliance.practice.accounts.models import Membership
from alliance.practice.care.models import Session
from alliance.practice.process_studies import access, queries, schedule
from alliance.practice.process_studies.forms import EnrolForm, RecordForm, StudyForm, error_text
from alliance.practice.process_studies.services import StudyError, enrol, mark_recorded


def render_study(
    request: HttpRequest, study_pk: int, error: str = "", status: int = 200
) -> HttpResponse:
    study, manager = access.get_study(request.user, study_pk)
    context = queries.study_context(study, request.user, manager, timezone.now())
    context["error"] = error
    return render(request, "process_studies/study.html", context, status=status)


@login_required
def study_list(request: HttpRequest) -> HttpResponse:
    manages = access.managed_organisations(request.user).exists()
    studies = list(access.visible_studies(request.user).select_related("organisation"))
    if not manages and not studies:
        raise Http404("No process studies")
    involved = access.own_participants(request.user).exists()
    context = {"studies": studies, "manager": manages, "involved": involved}
    return render(request, "process_studies/list.html", context)


@login_required
def new_study(request: HttpRequest) -> HttpResponse:
    membership = (
        Membership.objects.filter(user=request.user, role__in=access.MANAGER_ROLES)
        .select_related("organisation")
        .first()
    )
    if membership is None:
        raise Http404("No organisation to run studies in")
    form = StudyForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            study = form.save(commit=False)
            study.organisation = membership.organisation
            study.created_by = request.user
            study.save()
            return redirect("process_studies:study", pk=study.pk)
        context = {"form": form, "error": error_text(form)}
        return render(request, "process_studies/edit.html", context, status=400)
    return render(request, "process_studies/edit.html", {"form": form})


@login_required
def edit_study(request: HttpRequest, pk: int) -> HttpResponse:
    study = access.get_managed_study(request.user, pk)
    form = StudyForm(request.POST or None, instance=study)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            return redirect("process_studies:study", pk=study.pk)
        context = {"form": form, "study": study, "error": error_text(form)}
        return render(request, "process_studies/edit.html", context, status=400)
    return render(request, "process_studies/edit.html", {"form": form, "study": study})


@login_required
def study_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_study(request, pk)


@login_required
@require_POST
def enrol_client(request: HttpRequest, pk: int) -> HttpResponse:
    study = access.get_managed_study(request.user, pk)
    form = EnrolForm(request.POST)
    if not form.is_valid():
        return render_study(request, pk, error_text(form), status=400)
    try:
        enrol(study, form.cleaned_data["code"], request.user)
    except StudyError as error:
        return render_study(request, pk, str(error), status=400)
    return redirect("process_studies:study", pk=study.pk)


@login_required
@require_POST
def record_session(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    """Mark a session of an enrolled episode recorded and schedule its two interviews."""
    study = access.get_managed_study(request.user, pk)
    session = Session.objects.filter(
        pk=session_pk, episode__process_study_participations__study=study
    ).first()
    if session is None:
        raise Http404("No such session in this study")
    form = RecordForm(request.POST)
    if not form.is_valid():
        return render_study(request, pk, error_text(form), status=400)
    ended_at = form.cleaned_data["ended_at"]
    if ended_at is None:
        ended_at = schedule.session_end(session.date, timezone.get_current_timezone())
    elif timezone.localtime(ended_at).date() != session.date:
        message = f"ended_at: expected a time on the session's date ({session.date.isoformat()})"
        return render_study(request, pk, message, status=400)
    try:
        mark_recorded(study, session, ended_at, by=request.user)
    except StudyError as error:
        return render_study(request, pk, str(error), status=400)
    return redirect("process_studies:study", pk=study.pk)


@login_required
def my_interviews(request: HttpRequest) -> HttpResponse:
    """The interviews with the signed-in practitioner, in every study their clients are in."""
    participants = access.own_participants(request.user)
    studies = list(access.visible_studies(request.user).filter(pk__in=participants.values("study")))
    if not studies:
        raise Http404("No interviews")
    interviews = list(
        access.own_interviews(request.user).select_related(
            "recorded_session__study", *queries.INTERVIEW_RELATED
        )
    )
    groups = queries.group_by_state(interviews, timezone.now())
    return render(
        request,
        "process_studies/my_interviews.html",
        {"studies": studies, "groups": groups, "sections": queries.SECTIONS},
    )
