"""Invitations (secure links), responses (raw answers) and their scale scores."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from alliance.practice.care.models import Caregiver, Client, Episode, Respondent, Session

TOKEN_BYTES = 32  # 256 bits of randomness; only the SHA-256 hash is stored


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh random link token and the SHA-256 hash that is stored in its place."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


class SecretLink(models.Model):
    """A link for a client (their contract, their relapse-prevention plan): a random token
    shown once, of which only the SHA-256 hash is stored, valid until ``expires_at``."""

    token_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        abstract = True

    @classmethod
    def create_with_token(cls, *, days: int, **fields: Any) -> tuple[Any, str]:
        """A new link and its token (returned once, never stored)."""
        token, token_hash = new_token()
        link = cls.objects.create(  # type: ignore[attr-defined]
            token_hash=token_hash,
            expires_at=timezone.now() + timedelta(days=days),
            **fields,
        )
        return link, token

    @classmethod
    def find(cls, token: str, *related: str) -> Any:
        """The link with this token (``related``: relations to select with it), or None."""
        return (
            cls.objects.select_related(*related)  # type: ignore[attr-defined]
            .filter(token_hash=hash_token(token))
            .first()
        )

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class Invitation(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="invitations")
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="invitations")
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations"
    )
    caregiver = models.ForeignKey(Caregiver, null=True, blank=True, on_delete=models.CASCADE)
    instrument_id = models.CharField(max_length=40)
    respondent = models.CharField(max_length=20, choices=Respondent.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    send_after = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="When the outbox should email the link (e.g. a follow-up months ahead); "
        "empty for links the practitioner hands over themselves.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["-created"]

    @classmethod
    def issue(cls, *, days: int | None = None, **fields: object) -> tuple[Invitation, str]:
        """Create an invitation; return it with its token (shown once, never stored)."""
        token, token_hash = new_token()
        lifetime = timedelta(days=days if days is not None else settings.INVITATION_DAYS)
        invitation = cls.objects.create(
            token_hash=token_hash, expires_at=timezone.now() + lifetime, **fields
        )
        return invitation, token

    @classmethod
    def issue_for(
        cls,
        client: Client,
        *,
        instrument_id: str,
        respondent: str,
        caregiver: Caregiver | None = None,
        created_by: object = None,
    ) -> tuple[Invitation, str]:
        """An invitation for the client's current episode and latest session."""
        episode = client.episodes.order_by("-started").first()
        if episode is None:
            raise ValueError(f"client {client.code}: no episode of care yet")
        return cls.issue(
            client=client,
            episode=episode,
            session=episode.sessions.order_by("-number").first(),
            caregiver=caregiver,
            instrument_id=instrument_id,
            respondent=respondent,
            created_by=created_by,
        )

    @property
    def status(self) -> str:
        if self.completed_at is not None:
            return "completed"
        if self.expires_at <= timezone.now():
            return "expired"
        return "open"


class Response(models.Model):
    class Source(models.TextChoices):
        LINK = "link", "Secure link"
        IN_SESSION = "in_session", "Entered in session"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="responses")
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="responses")
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses"
    )
    invitation = models.OneToOneField(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="response"
    )
    caregiver = models.ForeignKey(Caregiver, null=True, blank=True, on_delete=models.SET_NULL)
    instrument_id = models.CharField(max_length=40)
    respondent = models.CharField(max_length=20, choices=Respondent.choices)
    submission_id = models.UUIDField(unique=True)
    answers = models.JSONField()
    comment = models.TextField(blank=True)
    flags = models.JSONField(default=list)
    missing = models.JSONField(default=list)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.LINK)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["submitted_at"]
        indexes = [
            models.Index(fields=["client", "instrument_id", "submitted_at"]),
            models.Index(fields=["client", "respondent", "-submitted_at"], name="response_recent"),
        ]


class ScaleScore(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="scale_scores")
    scale_id = models.CharField(max_length=40)
    value = models.FloatField(null=True)
    band = models.CharField(max_length=60, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "scale_id"], name="one_score_per_scale")
        ]
