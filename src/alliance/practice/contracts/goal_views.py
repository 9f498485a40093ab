"""Practitioner views of the goals: progress over sessions, describing the five GAS levels of
a goal, rating the goals at a session, and the readiness check at intake."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from alliance.practice.care.models import Session
from alliance.practice.care.scoping import get_visible_client
from alliance.practice.contracts import readiness
from alliance.practice.contracts.gas import parse_review, save_levels, store_review
from alliance.practice.contracts.models import Goal, ReadinessCheck
from alliance.practice.contracts.parsing import FormError
from alliance.practice.contracts.progress import goal_progress, progress_chart, t_score_chart
from alliance.practice.contracts.versions import current_episode
from alliance.practice.contracts.views import bad_request


@login_required
def goal_list(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_visible_client(request.user, pk)
    episode = current_episode(client)
    progress = goal_progress(episode)
    context: dict[str, Any] = {
        "client": client,
        "episode": episode,
        "progress": progress,
        "progress_svg": progress_chart(progress),
        "t_svg": t_score_chart(progress),
    }
    return render(request, "contracts/goals.html", context)


@login_required
def gas_levels(request: HttpRequest, pk: int, goal: int) -> HttpResponse:
    client = get_visible_client(request.user, pk)
    episode = current_episode(client)
    found = Goal.objects.filter(pk=goal, contract__episode=episode).first() if episode else None
    if found is None:
        raise Http404("No such goal")
    context: dict[str, Any] = {"client": client, "goal": found, "values": {}}
    if request.method != "POST":
        context["values"] = {name: getattr(found, name) for _, name, _ in Goal.LEVEL_FIELDS}
        return render(request, "contracts/levels.html", context)
    try:
        save_levels(found, request.POST)
    except FormError as exc:
        context.update(error=str(exc), values=request.POST.dict())
        return render(request, "contracts/levels.html", context, status=400)
    return redirect("contracts:goals", pk=client.pk)


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """Rate the current goals at one session, with the client: 0-10 progress and, for goals
    with described levels, the GAS level (stored as one scored gas response)."""
    client = get_visible_client(request.user, pk)
    episode = current_episode(client)
    if episode is None:
        return bad_request("episode: this client has no episode of care yet")
    goals = list(
        Goal.objects.filter(contract__episode=episode, removed_in_version__isnull=True).order_by(
            "position", "pk"
        )
    )
    sessions = list(Session.objects.filter(episode=episode).order_by("number"))
    context: dict[str, Any] = {
        "client": client,
        "goals": goals,
        "sessions": sessions,
        "selected": sessions[-1].number if sessions else None,
        "submission_id": uuid.uuid4(),
        "values": {},
    }
    if request.method != "POST":
        return render(request, "contracts/review.html", context)
    try:
        parsed = parse_review(request.POST, goals, sessions)
        store_review(client, episode, goals, parsed, request.user)
    except FormError as exc:
        context.update(
            error=str(exc),
            values=request.POST.dict(),
            submission_id=request.POST.get("submission_id") or uuid.uuid4(),
        )
        return render(request, "contracts/review.html", context, status=400)
    return redirect("contracts:goals", pk=client.pk)


@login_required
def readiness_check(request: HttpRequest, pk: int) -> HttpResponse:
    """The practitioner enters the client's readiness answers (e.g. at the first session)."""
    client = get_visible_client(request.user, pk)
    episode = current_episode(client)
    if episode is None:
        return bad_request("episode: this client has no episode of care yet")
    context: dict[str, Any] = {
        "client": client,
        "questions": readiness.QUESTIONS,
        "label": readiness.LABEL,
        "values": {},
        "action_name": "contracts:readiness",
    }
    if request.method != "POST":
        return render(request, "contracts/readiness.html", context)
    try:
        answers = readiness.parse_answers(request.POST)
    except FormError as exc:
        context.update(error=str(exc), values=request.POST.dict())
        return render(request, "contracts/readiness.html", context, status=400)
    ReadinessCheck.objects.create(episode=episode, entered_by=request.user, **asdict(answers))
    return redirect("dashboard:client", pk=client.pk)
