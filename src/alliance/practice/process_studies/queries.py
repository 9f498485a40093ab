"""What the study pages show, in a fixed number of queries however large the study grows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from alliance.practice.care.models import Client, ResearchConsent, Session
from alliance.practice.process_studies import schedule
from alliance.practice.process_studies.access import User, own_interviews, own_participants
from alliance.practice.process_studies.models import (
    Interview,
    Participant,
    ProcessStudy,
    RecordedSession,
)

INTERVIEW_RELATED = (
    "recorded_session__session",
    "recorded_session__participant__episode__client",
    "recorded_session__participant__practitioner",
    "interviewer",
)
SECTIONS = [
    (schedule.OVERDUE, "Overdue"),
    (schedule.DUE, "Due"),
    (schedule.DONE, "Done"),
    (schedule.CANCELLED, "Cancelled"),
]


@dataclass(frozen=True)
class InterviewRow:
    interview: Interview
    state: str
    time_left: str


@dataclass(frozen=True)
class SessionSlot:
    number: int
    session: Session | None
    recorded: RecordedSession | None


@dataclass(frozen=True)
class ParticipantRow:
    participant: Participant
    consented: bool
    slots: list[SessionSlot]


def interviews_of(study: ProcessStudy, user: User, manager: bool) -> QuerySet[Interview]:
    base = Interview.objects.all() if manager else own_interviews(user)
    return base.filter(recorded_session__study=study).select_related(*INTERVIEW_RELATED)


def group_by_state(interviews: list[Interview], now: datetime) -> dict[str, list[InterviewRow]]:
    """Overdue and due (soonest first), done (latest first) and cancelled interviews."""
    groups: dict[str, list[InterviewRow]] = {state: [] for state in schedule.STATES}
    for interview in interviews:
        state = interview.state(now)
        groups[state].append(InterviewRow(interview, state, interview.time_left(now)))
    for state in (schedule.OVERDUE, schedule.DUE, schedule.CANCELLED):
        groups[state].sort(key=lambda row: row.interview.due_at)
    groups[schedule.DONE].sort(
        key=lambda row: row.interview.held_at or row.interview.due_at, reverse=True
    )
    return groups


def done_totals(study: ProcessStudy) -> dict[str, int]:
    """Done interviews per role, with the distinct practitioners and clients interviewed."""
    practitioner = Q(role=Interview.Role.PRACTITIONER)
    client = Q(role=Interview.Role.CLIENT)
    return Interview.objects.filter(
        recorded_session__study=study, status=Interview.Status.DONE
    ).aggregate(
        practitioner_interviews=Count("pk", filter=practitioner),
        practitioners=Count(
            "recorded_session__participant__practitioner", filter=practitioner, distinct=True
        ),
        client_interviews=Count("pk", filter=client),
        clients=Count(
            "recorded_session__participant__episode__client", filter=client, distinct=True
        ),
    )


def totals_sentence(study: ProcessStudy) -> str:
    return schedule.totals_sentence(**done_totals(study))


def participant_rows(study: ProcessStudy, user: User, manager: bool) -> list[ParticipantRow]:
    base = Participant.objects.all() if manager else own_participants(user)
    participants = (
        base.filter(study=study)
        .select_related("episode__client", "practitioner")
        .prefetch_related(
            Prefetch(
                "episode__sessions",
                queryset=Session.objects.filter(number__in=study.sessions_to_record),
                to_attr="study_sessions",
            ),
            Prefetch(
                "recorded_sessions",
                queryset=RecordedSession.objects.filter(study=study),
                to_attr="recordings",
            ),
        )
        .order_by("episode__client__code")
    )
    rows = []
    for p in participants:
        sessions = {s.number: s for s in p.episode.study_sessions}  # type: ignore[attr-defined]
        recorded = {r.session_id: r for r in p.recordings}  # type: ignore[attr-defined]
        slots = []
        for number in study.sessions_to_record:
            session = sessions.get(number)
            slots.append(
                SessionSlot(number, session, recorded.get(session.pk) if session else None)
            )
        consented = p.episode.client.research_consent_scope == ResearchConsent.PROCESS_STUDIES
        rows.append(ParticipantRow(p, consented, slots))
    return rows


def eligible_codes(study: ProcessStudy, limit: int = 500) -> list[str]:
    """Codes of clients who may still be enrolled (consent, an open episode, not enrolled)."""
    enrolled = Participant.objects.filter(study=study).values("episode__client")
    return list(
        Client.objects.filter(
            organisation_id=study.organisation_id,
            research_consent_scope=ResearchConsent.PROCESS_STUDIES,
            episodes__ended__isnull=True,
        )
        .exclude(pk__in=enrolled)
        .distinct()
        .order_by("code")
        .values_list("code", flat=True)[:limit]
    )


def study_context(study: ProcessStudy, user: User, manager: bool, now: datetime) -> dict[str, Any]:
    interviews = list(interviews_of(study, user, manager))
    context: dict[str, Any] = {
        "study": study,
        "manager": manager,
        "groups": group_by_state(interviews, now),
        "sections": SECTIONS,
        "totals": totals_sentence(study),
        "participants": participant_rows(study, user, manager),
        "default_end": schedule.DEFAULT_SESSION_END,
    }
    if manager and study.is_active:
        context["eligible_codes"] = eligible_codes(study)
    return context
