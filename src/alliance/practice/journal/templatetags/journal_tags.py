"""``{% journal_panel client request.user %}``: the journal panel of the client page.

Shows only what the viewer may read: their own entries for the client (if they are assigned
to it), and entries their supervisees shared with them.  Anyone else (a clinical lead, a
colleague) gets an empty panel, which says nothing about whether entries exist.  The panel
lists dates and sessions only, never entry text: the client page may be on screen in the room.
"""

from __future__ import annotations

from typing import Any

from django import template

from alliance.practice.care.models import Client, Session
from alliance.practice.dashboard.models import Alert
from alliance.practice.journal import access
from alliance.practice.journal.models import JournalEntry
from alliance.practice.journal.prompts import PROMPTS

register = template.Library()

#: The alert kind raised when the practitioner rates the alliance well above the client.
DISCREPANCY = "alliance_discrepancy"


def open_discrepancy(client: Client) -> Alert | None:
    """The latest open 'you rate the alliance well above the client' alert, if any."""
    return (
        Alert.objects.filter(client=client, kind=DISCREPANCY, acknowledged_at__isnull=True)
        .order_by("-session_date", "-session", "-pk")
        .first()
    )


@register.inclusion_tag("journal/_panel.html")
def journal_panel(client: Client, user: Any) -> dict[str, Any]:
    writer = access.can_write_for(user, client)
    own: list[JournalEntry] = []
    discrepancy = None
    if writer:
        own = list(
            JournalEntry.objects.filter(client=client, author=user)
            .select_related("session", "shared_with")
            .order_by("-created", "-pk")
        )
        discrepancy = open_discrepancy(client)
    shared = list(
        access.shared_with_me(user)
        .filter(client=client)
        .select_related("session", "author")
        .order_by("-shared_at", "-pk")
    )
    session_pk = None
    if discrepancy is not None:
        session_pk = (
            Session.objects.filter(episode_id=discrepancy.episode_id, number=discrepancy.session)
            .values_list("pk", flat=True)
            .first()
        )
    return {
        "client": client,
        "show": writer or bool(shared),
        "writer": writer,
        "own": own,
        "shared": shared,
        "discrepancy": discrepancy,
        "discrepancy_session_pk": session_pk,
        "prompts": PROMPTS,
    }
