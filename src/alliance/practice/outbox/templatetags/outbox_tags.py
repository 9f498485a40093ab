"""``{% outbox_panel client %}``: the client page's panel of emailed links."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from alliance.measures import get_instrument, instrument_ids
from alliance.practice.care.models import Client
from alliance.practice.outbox.access import STATUS_ORDER
from alliance.practice.outbox.models import Delivery
from alliance.practice.outbox.queue import awaiting_email, open_invitations

register = template.Library()
SHOWN = 10


@register.inclusion_tag("outbox/_panel.html", takes_context=True)
def outbox_panel(context: template.Context, client: Client) -> dict[str, Any]:
    """The client's recent emails (failures first, with "retry now"), emails scheduled for
    later, and the "Email this link" form.  The client page has checked access already."""
    now = timezone.now()
    open_links = open_invitations(now).filter(client=client).select_related("caregiver")
    deliveries = (
        Delivery.objects.filter(invitation__client=client)
        .select_related("invitation__caregiver")
        .annotate(rank=STATUS_ORDER)
        .order_by("rank", "-created", "-pk")
    )
    request = context.get("request")
    return {
        "client": client,
        "deliveries": list(deliveries[:SHOWN]),
        "scheduled": list(awaiting_email(open_links).order_by("send_after")[:SHOWN]),
        "open_links": list(open_links.order_by("-created")[:20]),
        "caregivers": list(client.caregivers.all()),
        "instruments": [
            inst
            for inst in (get_instrument(i) for i in instrument_ids())
            if inst.respondent != "practitioner"
        ],
        "csrf_token": context.get("csrf_token"),
        "here": request.get_full_path() if request is not None else "",
        "now": now,
    }
