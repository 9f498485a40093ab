"""Closing an interview: mark it done (notes, transcript), cancel it (reason), and download
its transcript.  Only the study's managers reach these pages (404 for everyone else)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import PurePath

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from alliance.practice.process_studies import access
from alliance.practice.process_studies.forms import CancelForm, DoneForm, error_text
from alliance.practice.process_studies.services import StudyError, cancel, mark_done
from alliance.practice.process_studies.views import render_study


@login_required
def interview_done(request: HttpRequest, pk: int) -> HttpResponse:
    interview = access.get_managed_interview(request.user, pk)
    recorded = interview.recorded_session
    org_id = recorded.study.organisation_id
    initial = {
        "held_at": timezone.localtime(interview.held_at or timezone.now()),
        "interviewer": interview.interviewer_id or request.user.pk,
        "notes": interview.notes,
    }
    if request.method != "POST":
        form = DoneForm(initial=initial, organisation_id=org_id)
        return render(request, "process_studies/done.html", {"form": form, "i": interview})
    form = DoneForm(request.POST, request.FILES, initial=initial, organisation_id=org_id)
    error = "" if form.is_valid() else error_text(form)
    if not error:
        held_at = form.cleaned_data["held_at"]
        if held_at < recorded.recorded_at:
            error = "held_at: expected a time after the session ended"
        elif held_at > timezone.now() + timedelta(minutes=5):
            error = "held_at: expected a time that has passed, not one in the future"
    if error:
        context = {"form": form, "i": interview, "error": error}
        return render(request, "process_studies/done.html", context, status=400)
    mark_done(
        interview,
        held_at=form.cleaned_data["held_at"],
        interviewer=form.cleaned_data["interviewer"],
        notes=form.cleaned_data["notes"],
        transcript=form.cleaned_data["transcript"],
    )
    return redirect("process_studies:study", pk=recorded.study_id)


@login_required
@require_POST
def interview_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    interview = access.get_managed_interview(request.user, pk)
    study_pk = interview.recorded_session.study_id
    form = CancelForm(request.POST)
    if not form.is_valid():
        return render_study(request, study_pk, error_text(form), status=400)
    try:
        cancel(interview, form.cleaned_data["reason"])
    except StudyError as error:
        return render_study(request, study_pk, str(error), status=400)
    return redirect("process_studies:study", pk=study_pk)


@login_required
def interview_transcript(request: HttpRequest, pk: int) -> FileResponse:
    """The transcript as a download (never served as public media)."""
    interview = access.get_managed_interview(request.user, pk)
    if not interview.transcript:
        raise Http404("No transcript")
    try:
        handle = interview.transcript.open("rb")
    except FileNotFoundError:
        raise Http404("The transcript file is missing") from None
    suffix = PurePath(interview.transcript.name).suffix
    name = f"interview-{interview.pk}-{interview.role}-transcript{suffix}"
    return FileResponse(handle, as_attachment=True, filename=name)
