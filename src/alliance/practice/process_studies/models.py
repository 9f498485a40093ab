"""Process studies: recorded sessions and the interviews held after them.

A ``ProcessStudy`` (e.g. Interpersonal Process Recall, Elliott 1986) has a protocol (main
questions and optional follow-up prompts), the session numbers it records and the window
within which the interviews after a recorded session are due.  Episodes of care take part
through ``Participant`` rows; only clients whose research consent scope is
``process_studies`` can be enrolled.  Marking a session recorded creates one
``RecordedSession`` and two ``Interview`` rows (practitioner and client); see
``services.mark_recorded`` and ``schedule`` for the timing rules.

Privacy.  Interview notes and transcripts are research material about identifiable people.
They are shown only to the study's managers (researchers and clinical leads of the
organisation) and are never part of an export: the research export (``studies`` app) does
not read these tables, and a test checks that it does not refer to them.  Transcript files
are stored under ``MEDIA_ROOT/process_studies/transcripts/`` with a random 256-bit name (the
uploaded file name is dropped), and are served only through the access-checked download view,
never as public media.  Deleting an interview (also through deleting its client, episode,
session or study) deletes its transcript file once the deletion is committed.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from pathlib import PurePath

from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from alliance.practice.accounts.models import Organisation
from alliance.practice.care.models import Episode, Session
from alliance.practice.process_studies import schedule

TRANSCRIPT_FOLDER = "process_studies/transcripts"


def default_sessions() -> list[int]:
    return list(schedule.DEFAULT_SESSIONS)


class ProcessStudy(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="process_studies"
    )
    title = models.CharField(max_length=200)
    main_questions = models.TextField(
        help_text="The protocol's main questions, as the interviewer asks them."
    )
    follow_up_prompts = models.TextField(blank=True, help_text="Optional follow-up prompts.")
    sessions_to_record = models.JSONField(default=default_sessions)
    window_hours = models.PositiveIntegerField(
        default=schedule.DEFAULT_WINDOW_HOURS,
        help_text="Hours after the end of a recorded session within which both interviews are due.",
    )
    is_active = models.BooleanField(
        default=True, help_text="Closed studies take no new clients or recordings."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_active", "title"]
        verbose_name_plural = "process studies"

    def __str__(self) -> str:
        return self.title

    @property
    def sessions_text(self) -> str:
        return schedule.format_numbers(self.sessions_to_record)


class Participant(models.Model):
    """An episode of care taking part in a study; ``practitioner`` is the episode's assigned
    practitioner at enrolment (the one interviewed as the practitioner)."""

    study = models.ForeignKey(ProcessStudy, on_delete=models.CASCADE, related_name="participants")
    episode = models.ForeignKey(
        Episode, on_delete=models.CASCADE, related_name="process_study_participations"
    )
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="process_study_participations",
    )
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enrolled = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["study", "episode"], name="one_participation")
        ]

    def __str__(self) -> str:
        return f"{self.episode.client} in {self.study}"


class RecordedSession(models.Model):
    """A session of a participant that was recorded; ``recorded_at`` is when it ended."""

    study = models.ForeignKey(
        ProcessStudy, on_delete=models.CASCADE, related_name="recorded_sessions"
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="recorded_sessions"
    )
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="process_study_recordings"
    )
    recorded_at = models.DateTimeField()
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["study", "session"], name="record_session_once")
        ]

    def __str__(self) -> str:
        return f"{self.session} recorded for {self.study}"


def transcript_path(instance: Interview, filename: str) -> str:
    """A non-guessable path; only the (lower-case) extension of the uploaded name is kept."""
    suffix = PurePath(filename).suffix.lower()
    return f"{TRANSCRIPT_FOLDER}/{secrets.token_urlsafe(32)}{suffix}"


class Interview(models.Model):
    class Role(models.TextChoices):
        PRACTITIONER = "practitioner", "Practitioner"
        CLIENT = "client", "Client"

    class Status(models.TextChoices):
        DUE = schedule.DUE, "Due"
        DONE = schedule.DONE, "Done"
        CANCELLED = schedule.CANCELLED, "Cancelled"

    recorded_session = models.ForeignKey(
        RecordedSession, on_delete=models.CASCADE, related_name="interviews"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DUE)
    held_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    transcript = models.FileField(upload_to=transcript_path, blank=True, max_length=200)
    cancel_reason = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_at", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["recorded_session", "role"], name="one_interview_per_role"
            )
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="interview_status_due")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} interview after {self.recorded_session.session}"

    def state(self, now: datetime) -> str:
        """due, overdue, done or cancelled at ``now`` (``schedule.interview_state``)."""
        return schedule.interview_state(self.status, self.due_at, now)

    def time_left(self, now: datetime) -> str:
        return schedule.time_left(self.due_at, now)


@receiver(post_delete, sender=Interview)
def delete_transcript_file(sender: type[Interview], instance: Interview, **kwargs: object) -> None:
    if instance.transcript:
        storage, name = instance.transcript.storage, instance.transcript.name
        transaction.on_commit(lambda: storage.delete(name))
