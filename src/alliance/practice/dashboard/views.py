"""Practitioner views: caseload, client page, in-session view, invitations, in-session entry,
the alert inbox and acknowledging an alert."""

from __future__ import annotations

import uuid
from functools import cache

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from alliance.measures import MeasureError, get_instrument, instrument_ids
from alliance.practice.care.models import Client, Episode, Modality, Session
from alliance.practice.care.scoping import get_visible_client, visible_clients
from alliance.practice.collect.models import Invitation, Response
from alliance.practice.collect.submit import SubmissionError, parse_form, store_response
from alliance.practice.dashboard import queries
from alliance.practice.dashboard.caregivers import caregiver_alliance_rows
from alliance.practice.dashboard.feedback import etr_models
from alliance.practice.dashboard.modality import summary_rows
from alliance.practice.dashboard.models import Alert
from alliance.practice.dashboard.trajectories import client_charts, response_rows

PAGE_SIZE = 100
INBOX_PAGE_SIZE = 50
MAX_ACTION_NOTE = 2000


@cache
def directions() -> dict[str, str]:
    """Instrument id -> 'lower-is-better' / 'higher-is-better' of its headline scale (fixed
    by the definitions, so worked out once per process, not per caseload request)."""
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
            ("alerts", "most open alerts"),
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
    caregivers = list(client.caregivers.all())
    alerts = list(
        Alert.objects.filter(client=client)
        .select_related("acknowledged_by")
        .order_by("-episode__started", "-session", "-pk")
    )
    context = {
        "client": client,
        "episodes": episodes,
        "charts": client_charts(
            responses,
            etr_models(organisation_id=client.organisation_id),
            {c.pk: str(c) for c in caregivers},
        ),
        "alerts": alerts,
        "open_alerts": sum(a.is_open for a in alerts),
        "rows": response_rows(responses),
        "invitations": invitations,
        "caregivers": caregivers,
        "caregiver_names": {c.pk: str(c) for c in caregivers},
        "instruments": [get_instrument(i) for i in instrument_ids()],
        "new_link": request.session.pop(f"new-link-{client.pk}", None),
        "session_statuses": Session.Status.choices,
        "modalities": Modality.choices,
        "modality_rows": summary_rows(Client.objects.filter(pk=client.pk))
        if len({s.modality for e in episodes for s in e.sessions.all()}) > 1
        else [],
        "caregiver_alliance": caregiver_alliance_rows(responses, caregivers),
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
    caregiver = None
    if respondent == "caregiver":
        caregiver = client.caregivers.filter(pk=request.POST.get("caregiver") or 0).first()
        if caregiver is None:
            return HttpResponseBadRequest("caregiver: choose one of this client's caregivers")
    try:
        _, token = Invitation.issue_for(
            client,
            instrument_id=inst.id,
            respondent=respondent,
            caregiver=caregiver,
            created_by=request.user,
        )
    except ValueError as exc:
        return HttpResponseBadRequest(str(exc))
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


@login_required
def alert_inbox(request: HttpRequest) -> HttpResponse:
    """Open alerts of every client the user may see: urgent first, then the newest."""
    alerts = queries.open_alerts(request.user).select_related("client")
    page = Paginator(queries.sort_alerts(alerts), INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "dashboard/alerts.html", {"page": page})


@login_required
@require_POST
def acknowledge_alert(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark an alert acknowledged, with what was done about it (404 unless the user may see
    the client).  An alert acknowledged already keeps its first acknowledgement."""
    alert = (
        Alert.objects.filter(pk=pk, client__in=visible_clients(request.user))
        .select_related("client", "acknowledged_by")
        .first()
    )
    if alert is None:
        raise Http404("No such alert")
    note = request.POST.get("note", "").strip()
    if len(note) > MAX_ACTION_NOTE:
        return HttpResponseBadRequest(f"note: at most {MAX_ACTION_NOTE} characters")
    if alert.acknowledged_at is None:
        now = timezone.now()
        updated = Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now, acknowledged_by=request.user, action_note=note
        )
        if updated:
            alert.acknowledged_at, alert.acknowledged_by, alert.action_note = (
                now,
                request.user,
                note,
            )
        else:  # acknowledged by someone else meanwhile
            alert.refresh_from_db()
    if getattr(request, "htmx", False):
        return render(request, "dashboard/_alert.html", {"alert": alert, "show_client": True})
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("dashboard:alerts")
