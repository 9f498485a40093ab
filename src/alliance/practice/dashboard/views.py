"""Practitioner views: caseload, client page, in-session view, invitations, in-session entry."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from alliance.measures import MeasureError, get_instrument, instrument_ids
from alliance.practice.care.models import Episode, Modality, Session
from alliance.practice.care.scoping import get_visible_client, visible_clients
from alliance.practice.collect.models import Invitation, Response
from alliance.practice.collect.submit import SubmissionError, parse_form, store_response
from alliance.practice.dashboard import queries
from alliance.practice.dashboard.trajectories import client_charts, response_rows

PAGE_SIZE = 100


def directions() -> dict[str, str]:
    """Instrument id -> 'lower-is-better' / 'higher-is-better' of its headline scale."""
    out = {}
    for iid in instrument_ids():
        scale = get_instrument(iid).scale_index.get(queries.HEADLINE_SCALE)
        if scale is not None and scale.change is not None:
            out[iid] = scale.change.direction
    return out


@login_required
def caseload(request: HttpRequest) -> HttpResponse:
    params = {k: request.GET.get(k, "") for k in ("q", "flagged", "active", "sort")}
    params["active"] = params["active"] or "1"
    clients = queries.caseload(visible_clients(request.user))
    clients = queries.apply_caseload_filters(clients, params)
    clients = queries.sort_caseload(clients, params["sort"] or "flags")
    page = Paginator(clients, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = queries.add_changes(list(page.object_list))
    context = {
        "page": page,
        "params": params,
        "directions": directions(),
        "sorts": [
            ("flags", "flags first"),
            ("code", "client code"),
            ("last_session", "last session"),
            ("outcome", "latest outcome"),
            ("alliance", "lowest alliance"),
        ],
    }
    template = "dashboard/caseload.html"
    if getattr(request, "htmx", False):
        template += "#caseload-table"
    return render(request, template, context)


@login_required
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_visible_client(request.user, pk)
    responses = list(
        Response.objects.filter(client=client)
        .select_related("session")
        .prefetch_related("scale_scores")
        .order_by("submitted_at", "pk")
    )
    episodes = list(
        Episode.objects.filter(client=client).prefetch_related(
            Prefetch("sessions", queryset=Session.objects.order_by("number")), "plan"
        )
    )
    invitations = list(Invitation.objects.filter(client=client).order_by("-created")[:50])
    context = {
        "client": client,
        "episodes": episodes,
        "charts": client_charts(responses),
        "rows": response_rows(responses),
        "invitations": invitations,
        "caregivers": list(client.caregivers.all()),
        "instruments": [get_instrument(i) for i in instrument_ids()],
        "new_link": request.session.pop(f"new-link-{client.pk}", None),
        "session_statuses": Session.Status.choices,
        "modalities": Modality.choices,
    }
    return render(request, "dashboard/client.html", context)


@login_required
def in_session(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_visible_client(request.user, pk)
    responses = list(
        Response.objects.filter(client=client, respondent="client")
        .select_related("episode")
        .prefetch_related("scale_scores")
        .order_by("submitted_at", "pk")
    )
    charts = client_charts(responses)
    latest_alliance = next(
        (r for r in reversed(responses) if get_instrument(r.instrument_id).kind == "alliance"),
        None,
    )
    return render(
        request,
        "dashboard/in_session.html",
        {"client": client, "charts": charts, "latest_alliance": latest_alliance},
    )


@login_required
@require_POST
def create_invitation(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_visible_client(request.user, pk)
    instrument_id = request.POST.get("instrument", "")
    respondent = request.POST.get("respondent", "client")
    try:
        inst = get_instrument(instrument_id)
    except MeasureError as exc:
        return HttpResponseBadRequest(str(exc))
    if respondent not in {"client", "caregiver"}:
        return HttpResponseBadRequest("respondent: expected client or caregiver")
    episode = client.episodes.order_by("-started").first()
    if episode is None:
        return HttpResponseBadRequest("this client has no episode of care yet")
    caregiver = None
    if respondent == "caregiver":
        caregiver = client.caregivers.filter(pk=request.POST.get("caregiver") or 0).first()
        if caregiver is None:
            return HttpResponseBadRequest("caregiver: choose one of this client's caregivers")
    _, token = Invitation.issue(
        client=client,
        episode=episode,
        session=episode.sessions.order_by("-number").first(),
        caregiver=caregiver,
        instrument_id=inst.id,
        respondent=respondent,
        created_by=request.user,
    )
    link = request.build_absolute_uri(reverse("collect:form", args=[token]))
    request.session[f"new-link-{client.pk}"] = link  # shown once on the client page
    return redirect("dashboard:client", pk=client.pk)


@login_required
def enter_response(request: HttpRequest, pk: int, instrument_id: str) -> HttpResponse:
    """A practitioner enters a response in session (shared tablet or a paper form)."""
    client = get_visible_client(request.user, pk)
    try:
        inst = get_instrument(instrument_id)
    except MeasureError as exc:
        return HttpResponseBadRequest(str(exc))
    episode = client.episodes.order_by("-started").first()
    from alliance.practice.collect.views import form_context

    context = form_context(inst, client.preferred_language)
    context.update({"client": client, "submission_id": uuid.uuid4(), "entered": True})
    if request.method == "POST":
        if episode is None:
            return HttpResponseBadRequest("this client has no episode of care yet")
        try:
            form = parse_form(inst.id, request.POST.dict())
        except (SubmissionError, MeasureError) as exc:
            context["error"] = str(exc)
            return render(request, "collect/form.html", context, status=400)
        if not Response.objects.filter(submission_id=form.submission_id).exists():
            respondent = "practitioner" if inst.respondent == "practitioner" else "client"
            store_response(
                form.result,
                client=client,
                episode=episode,
                session=episode.sessions.order_by("-number").first(),
                respondent=respondent,
                submission_id=form.submission_id,
                comment=form.comment,
                source=Response.Source.IN_SESSION,
                entered_by=request.user,
            )
        return redirect("dashboard:client", pk=client.pk)
    return render(request, "collect/form.html", context)
