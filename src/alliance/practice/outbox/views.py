"""The Outbox page, "retry now", and "Email this link" from the client page.

None of these send anything: they set ``Invitation.send_after`` or move a delivery's next
attempt to now, and the next ``alliance outbox send`` pass (cron, every minute) emails it.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from alliance.practice.care.scoping import get_visible_client, visible_clients
from alliance.practice.outbox.access import visible_deliveries
from alliance.practice.outbox.config import outbox_settings
from alliance.practice.outbox.models import ACTIVE, Delivery
from alliance.practice.outbox.queue import awaiting_email, open_invitations
from alliance.practice.outbox.requests import LinkRequestError, parse_link_request

PAGE_SIZE = 50
SCHEDULED_SHOWN = 50
RETRYABLE = (Delivery.Status.FAILED, Delivery.Status.GAVE_UP)


@login_required
def outbox(request: HttpRequest) -> HttpResponse:
    """Emails of the clients the user sees: failures first (with "retry now"), then what is
    still to go, then the history; and the invitations scheduled to be emailed later."""
    now = timezone.now()
    deliveries = visible_deliveries(request.user)
    page = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
    scheduled = (
        awaiting_email(open_invitations(now).filter(client__in=visible_clients(request.user)))
        .select_related("client", "caregiver")
        .order_by("send_after", "pk")
    )
    context = {
        "page": page,
        "attention": deliveries.filter(status__in=RETRYABLE).count(),
        "scheduled": list(scheduled[:SCHEDULED_SHOWN]),
        "now": now,
        "config": outbox_settings(),
    }
    return render(request, "outbox/outbox.html", context)


@login_required
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Try a failed or given-up email again in the next pass."""
    delivery = visible_deliveries(request.user).filter(pk=pk).first()
    if delivery is None:
        raise Http404("No such delivery")
    if delivery.status not in RETRYABLE:
        return HttpResponseBadRequest(
            f"delivery: only failed or given-up emails can be retried; this one is "
            f"{delivery.get_status_display().lower()}"
        )
    Delivery.objects.filter(pk=pk, status__in=RETRYABLE).update(
        status=Delivery.Status.PENDING, next_attempt_at=timezone.now()
    )
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("outbox:outbox")


@login_required
@require_POST
def email_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue an email of a link: an open invitation of the client, or a new one."""
    client = get_visible_client(request.user, pk)
    now = timezone.now()
    try:
        link_request = parse_link_request(client, request.POST, now)
    except LinkRequestError as exc:
        return HttpResponseBadRequest(str(exc))
    with transaction.atomic():
        invitation = link_request.invitation
        if invitation is None:
            invitation, _ = link_request.issue(created_by=request.user)  # the email gets its own
        waiting = Delivery.objects.filter(invitation=invitation, status__in=ACTIVE)
        if waiting.exists():  # already queued: send it in the next pass (unless being sent)
            waiting.filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)).update(
                next_attempt_at=now
            )
        else:
            invitation.send_after = now
            invitation.save(update_fields=["send_after"])
    return redirect(reverse("dashboard:client", args=[client.pk]) + "#outbox")
