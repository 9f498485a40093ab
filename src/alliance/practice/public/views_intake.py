"""Intake requests for the practice's staff: the list, one request, its status, and turning it
into a client (a new client record with the request's contact details, assigned to the
staff member, with an open episode and the default measure plan)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from alliance.practice.accounts.models import Membership
from alliance.practice.care.models import Assignment, Client, Episode
from alliance.practice.care.plans import apply_default_plan
from alliance.practice.care.scoping import visible_clients
from alliance.practice.public.access import get_visible_request, org_staff, visible_requests
from alliance.practice.public.forms import ClientFromRequestForm, StatusForm, suggested_code
from alliance.practice.public.models import IntakeRequest

PAGE_SIZE = 50


@org_staff
def intake_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    status = request.GET.get("status", "")
    if status and status not in IntakeRequest.Status.values:
        allowed = ", ".join(IntakeRequest.Status.values)
        return HttpResponse(
            f"status: expected one of {allowed}", status=400, content_type="text/plain"
        )
    requests = visible_requests(membership).select_related("addressed_to")
    if status:
        requests = requests.filter(status=status)
    page = Paginator(requests.order_by("-created", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "membership": membership,
        "organisation": membership.organisation,
        "is_lead": membership.role == Membership.Role.LEAD,
        "page": page,
        "status": status,
        "statuses": IntakeRequest.Status.choices,
    }
    return render(request, "public/intake_list.html", context)


@org_staff
def intake_detail(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    intake = get_visible_request(membership, pk)
    client = None
    if intake.client_id is not None:
        client = visible_clients(request.user).filter(pk=intake.client_id).first()
    context = {
        "membership": membership,
        "organisation": membership.organisation,
        "intake": intake,
        "client": client,
        "statuses": IntakeRequest.Status.choices,
    }
    return render(request, "public/intake_detail.html", context)


@org_staff
@require_POST
def intake_status(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    intake = get_visible_request(membership, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        allowed = ", ".join(IntakeRequest.Status.values)
        return HttpResponse(
            f"status: expected one of {allowed}", status=400, content_type="text/plain"
        )
    intake.status = form.cleaned_data["status"]
    intake.status_changed = timezone.now()
    intake.status_changed_by = request.user
    intake.save(update_fields=["status", "status_changed", "status_changed_by"])
    return redirect("public:intake_detail", slug=membership.organisation.slug, pk=intake.pk)


@org_staff
@require_POST
def intake_delete(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """Erase a request (the person asked for it, or it is no longer needed): gone from the
    database, not archived.  Needs the confirmation box ticked; a client record made from the
    request stays (it is part of the client's care record)."""
    intake = get_visible_request(membership, pk)
    if request.POST.get("confirm") != "yes":
        return HttpResponse(
            "confirm: tick the box to confirm the request is to be erased (confirm=yes)",
            status=400,
            content_type="text/plain",
        )
    intake.delete()
    messages.success(request, "The request was erased.")
    return redirect("public:intake_list", slug=membership.organisation.slug)


def default_kind(intake: IntakeRequest, membership: Membership) -> str:
    if intake.service is not None:
        return str(intake.service.kind)
    if membership.organisation.kind == membership.organisation.Kind.COACHING:
        return Episode.Kind.COACHING
    return Episode.Kind.THERAPY


@org_staff
def create_client(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    intake = get_visible_request(membership, pk)
    slug = membership.organisation.slug
    if intake.client_id is not None:
        messages.info(request, "A client was already created from this request.")
        return redirect("public:intake_detail", slug=slug, pk=intake.pk)
    org_id = membership.organisation_id
    initial = {
        "code": suggested_code(org_id, intake.pk),
        "kind": default_kind(intake, membership),
        "started": timezone.localdate(),
    }
    form = ClientFromRequestForm(request.POST or None, initial=initial, organisation_id=org_id)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            locked = IntakeRequest.objects.select_for_update().get(pk=intake.pk)
            if locked.client_id is not None:  # a double click or a colleague was quicker
                return redirect("public:intake_detail", slug=slug, pk=intake.pk)
            client = Client.objects.create(
                organisation_id=org_id,
                code=form.cleaned_data["code"],
                name=intake.name,
                contact_email=intake.email,
                contact_phone=intake.phone,
            )
            Assignment.objects.create(client=client, practitioner=request.user)
            episode = Episode.objects.create(
                client=client, kind=form.cleaned_data["kind"], started=form.cleaned_data["started"]
            )
            apply_default_plan(episode)
            locked.client = client
            locked.status = IntakeRequest.Status.ACCEPTED
            locked.status_changed = timezone.now()
            locked.status_changed_by = request.user
            locked.save(update_fields=["client", "status", "status_changed", "status_changed_by"])
        return redirect("dashboard:client", pk=client.pk)
    context = {
        "membership": membership,
        "organisation": membership.organisation,
        "intake": intake,
        "form": form,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "public/create_client.html", context, status=status)
