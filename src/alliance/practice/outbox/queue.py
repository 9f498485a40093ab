"""What is due: invitations whose ``send_after`` has come, and reminders of unanswered ones.

Web code only sets ``Invitation.send_after``; a pass of the outbox turns due invitations into
``Delivery`` rows here and then sends them (``sender.py``).  An invitation is emailed again
when its ``send_after`` is moved later than the last email queued for it ("Email this link").
Two workers queueing at once are harmless: the unique constraints on ``Delivery`` keep one row
per request (``ignore_conflicts``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, QuerySet

from alliance.practice.collect.models import Invitation
from alliance.practice.outbox.models import ACTIVE, Delivery


def open_invitations(now: datetime) -> QuerySet[Invitation]:
    return Invitation.objects.filter(completed_at__isnull=True, expires_at__gt=now)


def in_flight() -> Exists:
    """An email of this invitation is waiting to be sent or retried."""
    return Exists(Delivery.objects.filter(invitation=OuterRef("pk"), status__in=ACTIVE))


def awaiting_email(invitations: QuerySet[Invitation]) -> QuerySet[Invitation]:
    """Invitations with a ``send_after`` that no email has been queued for yet."""
    queued = Delivery.objects.filter(
        invitation=OuterRef("pk"),
        kind=Delivery.Kind.INVITATION,
        scheduled_for__gte=OuterRef("send_after"),
    )
    return invitations.filter(send_after__isnull=False).exclude(Exists(queued))


def queue_due_invitations(now: datetime) -> None:
    due = (
        awaiting_email(open_invitations(now))
        .filter(send_after__lte=now)
        .exclude(in_flight())
        .values_list("pk", "send_after")
    )
    Delivery.objects.bulk_create(
        [
            Delivery(invitation_id=pk, scheduled_for=send_after, next_attempt_at=now, created=now)
            for pk, send_after in due
        ],
        ignore_conflicts=True,
    )


def queue_due_reminders(now: datetime, days: int) -> None:
    """One reminder per invitation, ``days`` after its link was last emailed, while it is
    unanswered and not expired.  Links handed over by hand get no reminder: a reminder
    carries a new link, which would silently replace the one the client holds."""
    if days <= 0:
        return
    cutoff = now - timedelta(days=days)
    emailed = Delivery.objects.filter(
        invitation=OuterRef("pk"), kind=Delivery.Kind.INVITATION, status=Delivery.Status.SENT
    )
    due = (
        open_invitations(now)
        .filter(Exists(emailed.filter(sent_at__lte=cutoff)))
        .exclude(Exists(emailed.filter(sent_at__gt=cutoff)))
        .exclude(Exists(Delivery.objects.filter(invitation=OuterRef("pk"), kind="reminder")))
        .exclude(in_flight())
        .values_list("pk", flat=True)
    )
    Delivery.objects.bulk_create(
        [
            Delivery(
                invitation_id=pk,
                kind=Delivery.Kind.REMINDER,
                scheduled_for=now,
                next_attempt_at=now,
                created=now,
            )
            for pk in due
        ],
        ignore_conflicts=True,
    )
