"""``{% ending_panel client %}``: the ending checklist of the client's current episode on the
client page (``templates/ending/panel.html``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from alliance.practice.care.models import Client, Episode
from alliance.practice.ending.checklist import ending_state
from alliance.practice.ending.checklist_views import links_key
from alliance.practice.ending.followups import DEFAULT_MONTHS, OFFERED_MONTHS
from alliance.practice.ending.models import RelapsePlan
from alliance.practice.ending.sections import SECTION_IDS, SHORT_TITLES

register = template.Library()


@register.inclusion_tag("ending/panel.html", takes_context=True)
def ending_panel(context: template.Context, client: Client) -> dict[str, Any]:
    episode = client.episodes.order_by("-started").first()
    request = context.get("request")
    shown_links = None
    if request is not None and hasattr(request, "session"):
        shown_links = request.session.pop(links_key(client.pk), None)
    if episode is None:
        return {"client": client, "episode": None}
    episode.client = client
    state = ending_state(episode)
    return {
        "client": client,
        "episode": episode,
        "state": state,
        "open": episode.phase == Episode.Phase.ENDING
        or episode.ended is not None
        or bool(shown_links),
        "unseen_titles": [SHORT_TITLES[s] for s in state.unseen_sections],
        "missing_titles": [SHORT_TITLES[s] for s in state.plan.missing_required]
        if state.plan
        else [],
        "section_count": len(SECTION_IDS),
        "shown_links": shown_links,
        "csrf_token": context.get("csrf_token"),
        "reasons": Episode.EndingReason.choices,
        "ended_default": episode.ended or state.last_session or timezone.localdate(),
        "today": timezone.localdate(),
        "offered_months": OFFERED_MONTHS,
        "default_months": DEFAULT_MONTHS,
        "scheduled_months": {row.follow_up.months for row in state.follow_ups},
        "needs_email": not client.contact_email
        and (
            not state.follow_ups
            or any(row.status in ("scheduled", "due") for row in state.follow_ups)
        ),
        "earlier_plans": list(
            RelapsePlan.objects.filter(episode__client=client)
            .exclude(episode=episode)
            .select_related("episode")
            .order_by("-episode__started")
        ),
    }
