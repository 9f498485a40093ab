"""Enrolling clients, marking sessions recorded and closing interviews (transactional)."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction

from alliance.practice.care.models import Client, ResearchConsent, Session
from alliance.practice.process_studies import schedule
from alliance.practice.process_studies.models import (
    Interview,
    Participant,
    ProcessStudy,
    RecordedSession,
)


class StudyError(ValueError):
    """An action the study cannot take; the message names the field and what is allowed."""


def check_consent(client: Client, action: str = "be enrolled") -> None:
    if client.research_consent_scope != ResearchConsent.PROCESS_STUDIES:
        current = ResearchConsent(client.research_consent_scope).label
        raise StudyError(
            f"client: {client.code} cannot {action}: their research consent is "
            f"'{current}'. Only clients whose research consent scope is 'process studies' "
            "(recorded sessions with interviews) may take part."
        )


def enrol(study: ProcessStudy, code: str, by: AbstractBaseUser) -> tuple[Participant, bool]:
    """Enrol the open episode of the client with this code; (participant, created)."""
    if not study.is_active:
        raise StudyError("study: this study is closed and takes no new clients")
    client = (
        Client.objects.filter(organisation_id=study.organisation_id, code=code.strip())
        .prefetch_related("assignments")
        .first()
    )
    if client is None:
        raise StudyError(f"client: no client with the code {code.strip()!r} in this practice")
    check_consent(client)
    episode = client.episodes.filter(ended__isnull=True).order_by("-started").first()
    if episode is None:
        raise StudyError(f"client: {client.code} has no open episode of care")
    assignments = sorted(client.assignments.all(), key=lambda a: a.pk)
    practitioner = assignments[0].practitioner if assignments else None
    try:
        with transaction.atomic():
            return Participant.objects.get_or_create(
                study=study,
                episode=episode,
                defaults={"practitioner": practitioner, "enrolled_by": by},
            )
    except IntegrityError:  # enrolled by a concurrent request meanwhile
        return Participant.objects.get(study=study, episode=episode), False


def mark_recorded(
    study: ProcessStudy,
    session: Session,
    recorded_at: datetime,
    by: AbstractBaseUser | None = None,
) -> tuple[RecordedSession, bool]:
    """Mark ``session`` recorded and schedule its two interviews, due ``study.window_hours``
    after ``recorded_at``.  Marking the same session again changes nothing and returns
    ``(recorded, False)``."""
    participant = (
        Participant.objects.filter(study=study, episode_id=session.episode_id)
        .select_related("episode__client")
        .first()
    )
    if participant is None:
        raise StudyError("session: this session's client is not enrolled in the study")
    existing = RecordedSession.objects.filter(study=study, session=session).first()
    if existing is not None:
        return existing, False
    if not study.is_active:
        raise StudyError("study: this study is closed and records no new sessions")
    check_consent(participant.episode.client, "have sessions recorded")
    if session.number not in study.sessions_to_record:
        raise StudyError(
            f"session: the study records sessions {study.sessions_text}; "
            f"this is session {session.number}"
        )
    if session.status != Session.Status.ATTENDED:
        raise StudyError(
            f"session: session {session.number} is {session.get_status_display().lower()}; "
            "only attended sessions can be recorded"
        )
    due = schedule.due_at(recorded_at, study.window_hours)
    try:
        with transaction.atomic():
            recorded = RecordedSession.objects.create(
                study=study,
                participant=participant,
                session=session,
                recorded_at=recorded_at,
                marked_by=by,
            )
            Interview.objects.bulk_create(
                Interview(recorded_session=recorded, role=role, due_at=due)
                for role in (Interview.Role.PRACTITIONER, Interview.Role.CLIENT)
            )
    except IntegrityError:  # marked by a concurrent request meanwhile
        return RecordedSession.objects.get(study=study, session=session), False
    return recorded, True


def mark_done(
    interview: Interview,
    held_at: datetime,
    interviewer: AbstractBaseUser | None,
    notes: str,
    transcript: object | None = None,
) -> None:
    """Record that the interview was held (again: updates notes, time and transcript)."""
    old_file = interview.transcript.name if interview.transcript else ""
    interview.status = Interview.Status.DONE
    interview.held_at = held_at
    interview.interviewer = interviewer
    interview.notes = notes
    if transcript is not None:
        interview.transcript = transcript
    interview.save()
    if transcript is not None and old_file:
        interview.transcript.storage.delete(old_file)


def cancel(interview: Interview, reason: str) -> None:
    if interview.status == Interview.Status.DONE:
        raise StudyError("status: this interview was held; a held interview cannot be cancelled")
    if not reason.strip():
        raise StudyError("reason: say why the interview is cancelled")
    interview.status = Interview.Status.CANCELLED
    interview.cancel_reason = reason.strip()
    interview.save(update_fields=["status", "cancel_reason", "updated"])
