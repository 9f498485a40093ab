"""Emails of invitation links: one row per email the outbox sends (or tries to send).

The outbox never stores a usable link.  Tokens are shown once and only their SHA-256 hash
is kept, so each email carries a fresh token and replaces the invitation's ``token_hash``
in the same transaction that records the email as sent: a link emailed replaces any
earlier link of that invitation (a link handed over by hand, or an earlier email).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from alliance.practice.collect.models import Invitation


class Delivery(models.Model):
    class Kind(models.TextChoices):
        INVITATION = "invitation", "Invitation"
        REMINDER = "reminder", "Reminder"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed, will retry"
        GAVE_UP = "gave_up", "Gave up"
        CANCELLED = "cancelled", "Not sent: answered or expired first"

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="deliveries")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.INVITATION)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    scheduled_for = models.DateTimeField(
        help_text="The invitation's send_after this email answers (a reminder: when it fell due)."
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(
        max_length=200, blank=True, help_text="What went wrong; never clinical data or a token."
    )
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="When to try (again); empty once finished."
    )
    claimed_until = models.DateTimeField(
        null=True, blank=True, help_text="A worker is sending this email until then."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["invitation", "kind", "scheduled_for"], name="one_delivery_per_request"
            ),
            models.UniqueConstraint(
                fields=["invitation"],
                condition=Q(kind="reminder"),
                name="one_reminder_per_invitation",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} email of invitation {self.invitation_id}: {self.status}"

    @property
    def needs_attention(self) -> bool:
        return self.status in (self.Status.FAILED, self.Status.GAVE_UP) or (
            self.status == self.Status.PENDING and bool(self.last_error)
        )

    @property
    def recipient_label(self) -> str:
        """'client' or 'caregiver (mother)': never the address itself."""
        caregiver = self.invitation.caregiver
        if caregiver is None:
            return "client"
        return f"caregiver ({caregiver.relationship or caregiver.name or 'unnamed'})"


ACTIVE = (Delivery.Status.PENDING, Delivery.Status.FAILED)  # still to be (re)tried
