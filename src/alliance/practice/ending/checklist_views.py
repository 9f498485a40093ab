"""The ending checklist's actions on the client page: send the final measures, record the
ending, schedule and cancel follow-ups.  Each answers 400 naming the field when the input is
not allowed, and goes back to the client page's ending panel otherwise."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from alliance.practice.care.models import Episode, Respondent
from alliance.practice.collect.models import Invitation
from alliance.practice.ending.followups import (
    EndingError,
    cancel_follow_up,
    outcome_measures,
    parse_months,
    schedule_follow_ups,
)
from alliance.practice.ending.models import FollowUp
from alliance.practice.ending.plan_views import visible_episode


def bad_request(message: str) -> HttpResponse:
    return HttpResponse(message, status=400, content_type="text/plain")


def back(episode: Episode) -> HttpResponse:
    return redirect(reverse("dashboard:client", args=[episode.client_id]) + "#ending")


def links_key(client_id: int) -> str:
    """Session key of the final-measure links to show once in the ending panel."""
    return f"ending-links-{client_id}"


@login_required
@require_POST
def final_measures(request: HttpRequest, pk: int, episode_id: int) -> HttpResponse:
    """Invite the client to the episode's outcome measure(s) once more at the ending: the
    links are shown once, or with ``email=on`` left to the outbox to email now."""
    episode = visible_episode(request, pk, episode_id)
    email = request.POST.get("email") == "on"
    if email and not episode.client.contact_email:
        return bad_request(
            "email: this client has no email address on record; create links to hand over instead"
        )
    session = episode.sessions.order_by("-number").first()
    links = []
    with transaction.atomic():
        for instrument_id in outcome_measures(episode):
            _, token = Invitation.issue(
                client=episode.client,
                episode=episode,
                session=session,
                instrument_id=instrument_id,
                respondent=Respondent.CLIENT,
                created_by=request.user,
                send_after=timezone.now() if email else None,
            )
            if not email:
                url = request.build_absolute_uri(reverse("collect:form", args=[token]))
                links.append((instrument_id, url))
    request.session[links_key(episode.client_id)] = {"links": links, "emailed": email}
    return back(episode)


@login_required
@require_POST
def record_ending(request: HttpRequest, pk: int, episode_id: int) -> HttpResponse:
    """Record why and when the episode ended (and move it to the ending phase)."""
    episode = visible_episode(request, pk, episode_id)
    reason = request.POST.get("ending_reason", "")
    if reason not in Episode.EndingReason.values:
        allowed = ", ".join(Episode.EndingReason.values)
        return bad_request(f"ending_reason: {reason[:40]!r} is not allowed; expected {allowed}")
    try:
        ended = date.fromisoformat(request.POST.get("ended", ""))
    except ValueError:
        return bad_request("ended: expected a date as YYYY-MM-DD")
    today = timezone.localdate()
    if not episode.started <= ended <= today:
        return bad_request(
            f"ended: expected a date from the episode's start ({episode.started}) "
            f"to today ({today})"
        )
    episode.ended = ended
    episode.ending_reason = reason
    episode.phase = Episode.Phase.ENDING
    episode.save(update_fields=["ended", "ending_reason", "phase"])
    return back(episode)


@login_required
@require_POST
def schedule(request: HttpRequest, pk: int, episode_id: int) -> HttpResponse:
    episode = visible_episode(request, pk, episode_id)
    try:
        months = parse_months(request.POST.getlist("months"))
        schedule_follow_ups(episode, months, created_by=request.user)
    except EndingError as exc:
        return bad_request(str(exc))
    return back(episode)


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int, episode_id: int, follow_up_id: int) -> HttpResponse:
    episode = visible_episode(request, pk, episode_id)
    follow_up = get_object_or_404(
        FollowUp.objects.select_related("invitation"), episode=episode, pk=follow_up_id
    )
    try:
        cancel_follow_up(follow_up)
    except EndingError as exc:
        return bad_request(str(exc))
    return back(episode)
