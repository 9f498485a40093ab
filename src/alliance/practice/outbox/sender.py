"""One pass of the outbox: queue what is due, then claim and send each email once.

Claiming: a worker takes a delivery by a conditional UPDATE that sets ``claimed_until`` only
if the row is still due and unclaimed (or its claim ran out); the row count says whether it
won.  That is race-free on SQLite (one writer at a time) and on PostgreSQL (the second UPDATE
waits for the first and re-checks the WHERE clause).  On PostgreSQL the candidates are first
picked with ``SELECT ... FOR UPDATE SKIP LOCKED`` so concurrent workers take different rows
instead of queueing behind each other.  The email is sent outside any transaction (SQLite's
write lock is never held during SMTP); then one transaction stores the new token's hash on
the invitation and marks the delivery sent.  A worker that dies mid-send leaves a claim that
expires after ``config.LEASE``; the email is then tried again (at-least-once delivery).
"""

from __future__ import annotations

import logging
import re
import smtplib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.mail import mailers
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from alliance.practice.collect.models import Invitation, new_token
from alliance.practice.outbox.config import LEASE, SMTP_TIMEOUT_SECONDS, OutboxSettings
from alliance.practice.outbox.config import outbox_settings as current_settings
from alliance.practice.outbox.message import compose, recipient_address
from alliance.practice.outbox.models import ACTIVE, Delivery
from alliance.practice.outbox.queue import queue_due_invitations, queue_due_reminders

log = logging.getLogger("alliance.outbox")
BATCH = 10  # claimed at once: 10 sends at the 30 s timeout stay well inside the lease
NO_ADDRESS = "no email address: add one to the {who}, then retry"


@dataclass
class PassSummary:
    sent: int = 0
    reminders: int = 0  # of the sent, how many were reminders
    failed: int = 0
    gave_up: int = 0
    cancelled: int = 0

    def line(self) -> str:
        return (
            f"outbox: {self.sent} sent ({self.reminders} reminders), {self.failed} failed "
            f"(will retry), {self.gave_up} gave up, {self.cancelled} cancelled"
        )


def claimable(now: datetime) -> Q:
    return Q(status__in=ACTIVE, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    )


def claim(pk: int, now: datetime) -> bool:
    """Take delivery ``pk`` for this worker; False if another worker has it (or it is done)."""
    until = max(now, timezone.now()) + LEASE  # a long pass still holds a full lease
    return Delivery.objects.filter(claimable(now), pk=pk).update(claimed_until=until) == 1


def claim_batch(now: datetime, limit: int = BATCH) -> list[int]:
    due = Delivery.objects.filter(claimable(now)).order_by("next_attempt_at", "pk")
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            candidates = list(
                due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit]
            )
            return [pk for pk in candidates if claim(pk, now)]
    return [pk for pk in list(due.values_list("pk", flat=True)[:limit]) if claim(pk, now)]


def describe_error(exc: BaseException, address: str) -> str:
    """A short, safe description: the error's kind and the server's code, with any address
    removed (a mail server's reply may quote it).  Never message content, never a token."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "SMTPRecipientsRefused: the mail server refused the address"
    parts = [type(exc).__name__]
    if isinstance(exc, smtplib.SMTPResponseException):
        parts.append(str(exc.smtp_code))
        detail = exc.smtp_error
        text = detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)
    elif isinstance(exc, OSError) and exc.strerror:
        text = exc.strerror
    else:
        text = str(exc)
    if address:
        text = text.replace(address, "<address>")
    text = re.sub(r"\S+@\S+", "<address>", text).strip()
    message = " ".join(parts) + (f": {text}" if text else "")
    return message[:200]


def record_failure(
    delivery: Delivery, now: datetime, error: str, config: OutboxSettings, *, final: bool = False
) -> str:
    attempts = delivery.attempts + 1
    give_up = final or attempts >= config.max_attempts
    status = Delivery.Status.GAVE_UP if give_up else Delivery.Status.FAILED
    Delivery.objects.filter(pk=delivery.pk).update(
        status=status,
        attempts=attempts,
        last_error=error,
        next_attempt_at=None if give_up else now + config.retry_delay(attempts),
        claimed_until=None,
    )
    log.warning("outbox: delivery %s %s after attempt %s", delivery.pk, status, attempts)
    return str(status)


def deliver(pk: int, now: datetime, mail: Any, config: OutboxSettings) -> tuple[str, str]:
    """Send one claimed delivery; return (its new status, its kind)."""
    delivery = Delivery.objects.select_related(
        "invitation__client__organisation", "invitation__caregiver"
    ).get(pk=pk)
    invitation, kind = delivery.invitation, str(delivery.kind)
    if invitation.completed_at is not None or invitation.expires_at <= now:
        Delivery.objects.filter(pk=pk).update(
            status=Delivery.Status.CANCELLED, next_attempt_at=None, claimed_until=None
        )
        return str(Delivery.Status.CANCELLED), kind
    address = recipient_address(invitation)
    if not address:
        who = "caregiver" if invitation.caregiver_id else "client"
        error = NO_ADDRESS.format(who=who)
        return record_failure(delivery, now, error, config, final=True), kind
    token, token_hash = new_token()
    try:
        message = compose(invitation, kind=kind, token=token, address=address)
        if mail.send_messages([message]) != 1:
            raise smtplib.SMTPException("the mail backend reported nothing sent")
    except Exception as exc:  # one bad email must not stop the pass; the row shows why
        reset(mail)
        return record_failure(delivery, now, describe_error(exc, address), config), kind
    with transaction.atomic():
        Invitation.objects.filter(pk=invitation.pk).update(token_hash=token_hash)
        Delivery.objects.filter(pk=pk).update(
            status=Delivery.Status.SENT,
            sent_at=now,
            attempts=F("attempts") + 1,
            last_error="",
            next_attempt_at=None,
            claimed_until=None,
        )
    return str(Delivery.Status.SENT), kind


def reset(mail: Any) -> None:
    """Drop a possibly broken mail-server connection; the next send opens a new one."""
    try:
        mail.close()
    except Exception:  # closing a dead connection may fail too; the next send reconnects
        log.info("outbox: closing the mail connection failed")


def mail_connection() -> Any:
    """The default mailer (Django 6.1 ``mailers``; EMAIL_* settings until MAILERS is set), with
    a socket timeout where the backend has none, so no send outlives the claim."""
    mail = mailers.default
    if hasattr(mail, "timeout") and mail.timeout is None:
        mail.timeout = SMTP_TIMEOUT_SECONDS
    return mail


def run_pass(now: datetime | None = None) -> PassSummary:
    """Queue and send everything due at ``now`` (default: the current time)."""
    now = now or timezone.now()
    config = current_settings()
    queue_due_invitations(now)
    queue_due_reminders(now, config.reminder_days)
    summary = PassSummary()
    mail = mail_connection()
    try:
        while batch := claim_batch(now):
            for pk in batch:
                status, kind = deliver(pk, now, mail, config)
                if status == Delivery.Status.SENT:
                    summary.sent += 1
                    summary.reminders += kind == Delivery.Kind.REMINDER
                elif status == Delivery.Status.FAILED:
                    summary.failed += 1
                elif status == Delivery.Status.GAVE_UP:
                    summary.gave_up += 1
                else:
                    summary.cancelled += 1
    finally:
        reset(mail)
    return summary
