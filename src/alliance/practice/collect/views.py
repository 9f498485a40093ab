"""Client-facing forms reached by a secure link: no login, the token is the key."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from alliance.measures import (
    Instrument,
    MeasureError,
    WordingError,
    get_instrument,
    get_wording,
    instrument_ids,
)
from alliance.practice.collect.models import Invitation, Response, hash_token
from alliance.practice.collect.submit import (
    AlreadyAnswered,
    SubmissionError,
    parse_form,
    submit_invitation,
)
from alliance.practice.dashboard.trajectories import charts_from_points, client_points


def form_context(inst: Instrument, language: str) -> dict[str, Any]:
    """Items with their wording and inputs, ready for the template."""
    try:
        pack = get_wording(inst, language)
    except WordingError:
        pack = get_wording(inst, "en")
    items = []
    for item in inst.items:
        rs = inst.response_sets[item.response_set]
        entry: dict[str, Any] = {"id": item.id, "text": pack.items[item.id]}
        if rs.vas is not None:
            anchors = pack.anchors[item.id]
            entry.update(vas=rs.vas, low=anchors.low, high=anchors.high)
        else:
            labels = pack.options.get(item.response_set, {})
            entry["options"] = [(v, labels.get(v, str(v))) for v in rs.options or ()]
        items.append(entry)
    return {"instrument": inst, "pack": pack, "items": items, "language": pack.language}


def find_invitation(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("client", "episode")
        .filter(token_hash=hash_token(token))
        .first()
    )


def unavailable(request: HttpRequest, reason: str, status: int) -> HttpResponse:
    return render(request, "collect/unavailable.html", {"reason": reason}, status=status)


@never_cache
@csrf_exempt  # the unguessable token in the URL is the credential; there is no session to ride
def answer(request: HttpRequest, token: str) -> HttpResponse:
    invitation = find_invitation(token)
    if invitation is None:
        return unavailable(request, "unknown", 404)
    inst = get_instrument(invitation.instrument_id)
    language = (
        invitation.caregiver.preferred_language
        if invitation.caregiver_id and invitation.caregiver
        else invitation.client.preferred_language
    )
    context = form_context(inst, language)
    context.update({"token": token, "invitation": invitation})
    if request.method == "POST":
        return submit(request, invitation, context)
    if invitation.completed_at is not None:
        return unavailable(request, "used", 410)
    if invitation.status == "expired":
        return unavailable(request, "expired", 410)
    context["submission_id"] = uuid.uuid4()
    return render(request, "collect/form.html", context)


def submit(request: HttpRequest, invitation: Invitation, context: dict[str, Any]) -> HttpResponse:
    post = request.POST.dict()
    submission = post.get("submission_id", "")
    replay = Response.objects.filter(submission_id=_uuid_or_none(submission)).first()
    if replay is not None and replay.invitation_id == invitation.pk:
        return thanks(request, invitation)
    if invitation.completed_at is not None:
        return unavailable(request, "used", 410)
    if invitation.status == "expired":
        return unavailable(request, "expired", 410)
    try:
        form = parse_form(invitation.instrument_id, post)
        submit_invitation(invitation, form)
    except (SubmissionError, MeasureError) as exc:
        context.update({"error": str(exc), "submission_id": submission or uuid.uuid4()})
        return render(request, "collect/form.html", context, status=400)
    except AlreadyAnswered:
        return unavailable(request, "used", 409)
    return thanks(request, invitation)


def _uuid_or_none(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def thanks(request: HttpRequest, invitation: Invitation, saved: bool = False) -> HttpResponse:
    charts = []
    episode = invitation.episode
    if episode.show_progress_to_client and invitation.respondent == "client":
        kinds = ["outcome", "wellbeing", "goals"] + (
            ["alliance"] if episode.show_alliance_to_client else []
        )
        shown = [i for i in instrument_ids() if get_instrument(i).kind in kinds]
        charts = charts_from_points(client_points(invitation.client_id, shown))
    context = {
        "charts": charts,
        "invitation": invitation,
        "token": request.resolver_match.kwargs.get("token") if request.resolver_match else None,
        "saved": saved,
    }
    return render(request, "collect/thanks.html", context)


MAX_PREFERENCES = 2000


@never_cache
@csrf_exempt
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    """The client edits their own preferences (free text) with the link they answered with."""
    invitation = find_invitation(token)
    if invitation is None:
        return unavailable(request, "unknown", 404)
    if invitation.status == "expired" or invitation.respondent != "client":
        return unavailable(request, "expired", 410)
    if request.method != "POST":
        return thanks(request, invitation)
    text = request.POST.get("preferences", "").strip()
    if len(text) > MAX_PREFERENCES:
        return HttpResponse(
            f"preferences: at most {MAX_PREFERENCES} characters",
            status=400,
            content_type="text/plain",
        )
    invitation.client.preferences = text
    invitation.client.save(update_fields=["preferences"])
    return thanks(request, invitation, saved=True)
