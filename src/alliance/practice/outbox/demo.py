"""Demo emails: links emailed to a few current clients, one reminder, and one failure.

Demo addresses are at example.org (reserved, never delivered).  D005 has no address, so
its email shows as given up with "no email address" on the Outbox page and its client page.
The state is steady: an ``alliance outbox send`` right after seeding sends nothing.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np
from django.conf import settings
from django.utils import timezone

from alliance.practice.accounts.models import Organisation
from alliance.practice.care.models import Client
from alliance.practice.collect.models import Invitation
from alliance.practice.outbox.models import Delivery
from alliance.practice.outbox.sender import NO_ADDRESS

# client code -> days ago the link was emailed (a reminder follows three days later)
EMAILED = {"D001": 2, "D002": 5, "D004": 0, "D011": 1}
NO_EMAIL = "D005"


def at(today: date, days_ago: int, hour: int = 9) -> datetime:
    moment = timezone.make_aware(datetime.combine(today - timedelta(days=days_ago), time(hour)))
    return min(moment, timezone.now())  # "emailed today" never lies in the future


def emailed_invitation(client: Client, sent: datetime) -> Invitation:
    episode = client.episodes.order_by("-started").first()
    if episode is None:
        raise ValueError(f"demo client {client.code}: no episode")
    plan = episode.plan.filter(respondent="client").first()
    assignment = client.assignments.select_related("practitioner").first()
    invitation, _ = Invitation.issue(  # the token is never shown: the email carried its own
        client=client,
        episode=episode,
        instrument_id=plan.instrument_id if plan else "who5",
        respondent="client",
        send_after=sent,
        created_by=assignment.practitioner if assignment else None,
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        created=sent, expires_at=sent + timedelta(days=settings.INVITATION_DAYS)
    )
    return invitation


def seed(org: Organisation, users: dict, rng: np.random.Generator, today: date) -> None:
    clients = {
        c.code: c for c in Client.objects.filter(organisation=org, code__in=[*EMAILED, NO_EMAIL])
    }
    for code, days_ago in EMAILED.items():
        client = clients[code]
        client.contact_email = f"{code.lower()}@example.org"
        client.save(update_fields=["contact_email"])
        sent = at(today, days_ago)
        invitation = emailed_invitation(client, sent)
        Delivery.objects.create(
            invitation=invitation,
            status=Delivery.Status.SENT,
            scheduled_for=sent,
            attempts=1,
            sent_at=sent,
            created=sent,
        )
        if days_ago >= 3:
            reminded = sent + timedelta(days=3)
            Delivery.objects.create(
                invitation=invitation,
                kind=Delivery.Kind.REMINDER,
                status=Delivery.Status.SENT,
                scheduled_for=reminded,
                attempts=1,
                sent_at=reminded,
                created=reminded,
            )
    failed_at = at(today, 1, hour=11)
    invitation = emailed_invitation(clients[NO_EMAIL], failed_at)
    Delivery.objects.create(
        invitation=invitation,
        status=Delivery.Status.GAVE_UP,
        scheduled_for=failed_at,
        attempts=1,
        last_error=NO_ADDRESS.format(who="client"),
        created=failed_at,
    )
