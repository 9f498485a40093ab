"""Practitioner views that add things: a new client, a session."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from alliance.practice.accounts.models import Membership
from alliance.practice.care.forms import NewClientForm, SessionForm
from alliance.practice.care.models import Assignment, Episode
from alliance.practice.care.plans import apply_default_plan
from alliance.practice.care.scoping import CLINICAL_ROLES, get_visible_client


@login_required
def new_client(request: HttpRequest) -> HttpResponse:
    membership = (
        Membership.objects.filter(user=request.user, role__in=CLINICAL_ROLES)
        .select_related("organisation")
        .first()
    )
    if membership is None:
        return render(request, "dashboard/no_caseload.html", status=403)
    form = NewClientForm(request.POST or None, organisation=membership.organisation)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            client = form.save(commit=False)
            client.organisation = membership.organisation
            client.save()
            Assignment.objects.create(client=client, practitioner=request.user)
            episode = Episode.objects.create(
                client=client, kind=form.cleaned_data["kind"], started=form.cleaned_data["started"]
            )
            apply_default_plan(episode)
        return redirect("dashboard:client", pk=client.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "dashboard/new_client.html", {"form": form}, status=status)


@login_required
@require_POST
def add_session(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_visible_client(request.user, pk)
    episode = client.episodes.order_by("-started").first()
    form = SessionForm(request.POST)
    if episode is None or not form.is_valid():
        errors = form.errors.as_text() if episode else "this client has no episode of care"
        return HttpResponse(f"Session not added: {errors}", status=400, content_type="text/plain")
    with transaction.atomic():
        last = episode.sessions.aggregate(n=Max("number"))["n"] or 0
        session = form.save(commit=False)
        session.episode = episode
        session.number = last + 1
        session.save()
    return redirect("dashboard:client", pk=client.pk)


@login_required
@require_POST
def client_view_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """Whether the client sees their own progress chart (and alliance scores) after answering."""
    client = get_visible_client(request.user, pk)
    episode = client.episodes.order_by("-started").first()
    if episode is None:
        return HttpResponse(
            "this client has no episode of care", status=400, content_type="text/plain"
        )
    episode.show_progress_to_client = request.POST.get("show_progress") == "on"
    episode.show_alliance_to_client = request.POST.get("show_alliance") == "on"
    episode.save(update_fields=["show_progress_to_client", "show_alliance_to_client"])
    return redirect("dashboard:client", pk=client.pk)
