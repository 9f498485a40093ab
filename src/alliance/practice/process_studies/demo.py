"""Demo data of the process-studies app: one interpersonal-process-recall study.

* The study records sessions 3 and 5 with the default 48-hour window; its creator and
  interviewer is the researcher ``riley`` (from the studies app's demo) or else ``demo``.
* Twelve current clients take part (``D*`` with an open episode): first those whose session 3
  or 5 is the next one (at most two), then, taking each practitioner in turn, clients who
  already consented to process studies (studies demo), then those who consented to
  de-identified data, then others drawn at random.  Their research consent is raised to
  ``process_studies`` (dated at the later of the episode's start and the earlier consent)
  where it was lower; it is never lowered.  This seed therefore runs after the studies seed,
  which draws consent for every client.
* A client whose next session is session 3 or 5 gets that session, dated yesterday and
  attended (its questionnaires not in yet), so the study shows interviews still due.
* Every existing session 3 and 5 of a participant is marked recorded, ending at 10:50 (demo
  sessions start at 10:00).  Interviews of sessions recorded more than 48 hours ago are mostly
  done (in working hours, the same afternoon or the next day, one in ten two or three days
  late), some cancelled with a reason; of the six newest such recordings (of the last three
  weeks) about a third of the interviews are left open, so they show as overdue.  The client
  interview of the newest of them is always left open and that of the oldest recording
  cancelled, so every state shows.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np
from django.utils import timezone

from alliance.practice.accounts.models import Organisation
from alliance.practice.care.models import Client, Episode, ResearchConsent, Session
from alliance.practice.process_studies import schedule
from alliance.practice.process_studies.models import Interview, ProcessStudy
from alliance.practice.process_studies.services import enrol, mark_recorded

N_PARTICIPANTS = 12
SESSION_END = time(10, 50)
RECENT = 6  # the newest recordings past their window, of which some interviews stay open
TITLE = "How the alliance forms: recall interviews after sessions 3 and 5"
MAIN_QUESTIONS = """Play back chosen passages of the recording; stop where the interviewee asks.
1. What stands out for you in this part of the session?
2. What were you thinking or feeling then that you did not say?
3. How did you experience the other person at that moment?
4. Did this part of the session move you closer together or further apart? How?"""
FOLLOW_UPS = """Can you say more about that?
What did you want from the other person just then?
How is it to look back at this moment now?"""
NOTES = {
    "practitioner": [
        "Recalled uncertainty about the pace when agreeing the homework; felt relieved when "
        "the client took it up.",
        "Noticed holding back a challenge in the middle section; wanted to protect the bond.",
        "Felt the goals became shared when the client rephrased them in their own words.",
    ],
    "client": [
        "Said the moment the practitioner summarised the week made them feel understood.",
        "Recalled doubting the exercise at first; the explanation of why made it acceptable.",
        "Described feeling rushed near the end, but did not want to say so in the session.",
    ],
}
CANCEL_REASONS = {
    "practitioner": ["Practitioner on leave during the window."],
    "client": [
        "Client declined this interview.",
        "Client could not be reached within the window.",
    ],
}


def seed(org: Organisation, users: dict, rng: np.random.Generator, today: date) -> None:
    lead = users.get("riley") or users["demo"]
    study = ProcessStudy.objects.create(
        organisation=org,
        title=TITLE,
        main_questions=MAIN_QUESTIONS,
        follow_up_prompts=FOLLOW_UPS,
        created_by=lead,
    )
    episodes = choose_episodes(org, rng)
    for episode in episodes:
        raise_consent(episode.client, episode.started)
        enrol(study, episode.client.code, lead)
        add_next_study_session(episode, today)
    tz = timezone.get_current_timezone()
    now = datetime.combine(today, time(12, 0), tzinfo=tz)
    recorded = []
    for session in Session.objects.filter(
        episode__in=episodes, number__in=study.sessions_to_record, status=Session.Status.ATTENDED
    ).order_by("-date", "episode_id"):
        at = schedule.session_end(session.date, tz, SESSION_END)
        recorded.append(mark_recorded(study, session, at, lead)[0])
    past = [r for r in recorded if r.recorded_at + timedelta(hours=study.window_hours) < now]
    for index, rs in enumerate(past):  # the newest first
        for interview in rs.interviews.all():
            force = ""  # the newest stays open (overdue), the oldest was cancelled
            if interview.role == "client" and index in (0, len(past) - 1):
                force = "open" if index == 0 else "cancel"
            settle(interview, rng, now, lead, recent=index < RECENT, force=force)


def choose_episodes(org: Organisation, rng: np.random.Generator) -> list[Episode]:
    episodes = list(
        Episode.objects.filter(
            client__organisation=org, client__code__startswith="D", ended__isnull=True
        )
        .select_related("client")
        .prefetch_related("sessions", "client__assignments__practitioner")
        .order_by("client__code")
    )
    last = {e.pk: max((s.number for s in e.sessions.all()), default=0) for e in episodes}
    upcoming = [e for e in episodes if last[e.pk] in (2, 4)][:2]
    held = [e for e in episodes if last[e.pk] >= 3 and e not in upcoming]
    pool = []  # those who consented to process studies, then to de-identified data, then none
    for scope in (ResearchConsent.PROCESS_STUDIES, ResearchConsent.DEIDENTIFIED):
        pool += [e for e in held if e.client.research_consent_scope == scope]
    others = [e for e in held if e not in pool]
    pool += [others[i] for i in rng.permutation(len(others)).tolist()]
    by_practitioner: dict[str, list[Episode]] = {}
    for episode in pool:  # round robin, so every practitioner has clients in the study
        assignment = min(episode.client.assignments.all(), key=lambda a: a.pk)
        by_practitioner.setdefault(assignment.practitioner.username, []).append(episode)
    chosen = list(upcoming)
    queues = [by_practitioner[name] for name in sorted(by_practitioner)]
    while len(chosen) < N_PARTICIPANTS and any(queues):
        for queue in queues:
            if queue and len(chosen) < N_PARTICIPANTS:
                chosen.append(queue.pop(0))
    return chosen


def raise_consent(client: Client, since: date) -> None:
    """Process-studies consent, dated at the episode's start or the earlier consent's date,
    whichever is later; never lowers a consent."""
    if client.research_consent_scope != ResearchConsent.PROCESS_STUDIES:
        client.research_consent_scope = ResearchConsent.PROCESS_STUDIES
        client.research_consent_date = max(client.research_consent_date or since, since)
        client.save(update_fields=["research_consent_scope", "research_consent_date"])


def add_next_study_session(episode: Episode, today: date) -> None:
    sessions = sorted(episode.sessions.all(), key=lambda s: s.number)
    if not sessions or sessions[-1].number not in (2, 4):
        return
    if sessions[-1].date >= today - timedelta(days=2):
        return
    Session.objects.create(
        episode=episode,
        number=sessions[-1].number + 1,
        date=today - timedelta(days=1),
        modality=sessions[-1].modality,
    )


def settle(
    interview: Interview,
    rng: np.random.Generator,
    now: datetime,
    by: object,
    recent: bool,
    force: str = "",
) -> None:
    """Done, cancelled or (recent sessions only) left open, i.e. overdue."""
    recorded_at = interview.recorded_session.recorded_at
    u = float(rng.random())
    cancel_share = 0.06 if interview.role == "practitioner" else 0.1
    if force == "open" or (recent and u > 0.7 and now - recorded_at < timedelta(days=22)):
        return
    if force == "cancel" or u < cancel_share:
        reasons = CANCEL_REASONS[interview.role]
        interview.status = Interview.Status.CANCELLED
        interview.cancel_reason = reasons[int(rng.integers(len(reasons)))]
    else:
        notes = NOTES[interview.role]
        interview.status = Interview.Status.DONE
        interview.held_at = min(held_time(recorded_at, rng), now - timedelta(hours=1))
        interview.interviewer = by  # type: ignore[assignment]
        interview.notes = notes[int(rng.integers(len(notes)))]
    interview.save()


def held_time(recorded_at: datetime, rng: np.random.Generator) -> datetime:
    """In working hours (9:00-18:00): the same afternoon or the next day, one in ten late
    (two or three days after the session)."""
    late = rng.random() < 0.1
    days = int(rng.integers(2, 4)) if late else int(rng.integers(0, 2))
    start = 12 if days == 0 else 9
    local = timezone.localtime(recorded_at)
    minutes = int(rng.integers(start * 60, 18 * 60))
    day = local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=days)
    return day + timedelta(minutes=minutes)
