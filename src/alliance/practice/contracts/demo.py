"""Demo contracts, goals, goal ratings and readiness answers for the current demo clients.

* Every current client (D001-D060) has a contract agreed at the first session: two or three
  goals from the pools in ``demo_text`` (therapy, coaching for Jo's clients, or a child's),
  ways of working, frequency, expected sessions and both consents.  The research consent
  written into the contract is the one the client record already holds (the studies and
  process-studies demos set it, so this app's seed runs after theirs), so contract and
  record agree.
* A third of the clients with five sessions or more renegotiated: half of them through the
  client's link (a goal reworded in their words; a few still wait for the practitioner's
  agreement), the other half in session (fortnightly from session 4, a few more sessions).
* 22 clients (all of Jo's coaching clients, D001, D011, ... and the child clients) have
  goal attainment scaling: five levels per goal, GAS ratings at session 1, every fourth
  session and the last one, and 0-10 progress at every session.  Attainment follows the
  client's own outcome course (the change from the first to the last outcome score), so
  responders reach their goals and non-responders do not.
* Every client has readiness answers from intake (a third answered through their link).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
from django.db.models import Prefetch
from django.utils import timezone

from alliance.practice.accounts.models import Organisation
from alliance.practice.care.models import Client, Episode, Session
from alliance.practice.collect.models import ScaleScore
from alliance.practice.contracts import demo_text
from alliance.practice.contracts.models import (
    ContractVersion,
    Goal,
    GoalRating,
    ReadinessCheck,
    SessionFrequency,
)
from alliance.practice.contracts.versions import (
    GoalText,
    Terms,
    record_agreement,
    save_terms,
    terms_of,
    with_goals,
)


def at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def seed(org: Organisation, users: dict[str, Any], rng: np.random.Generator, today: date) -> None:
    clients = list(
        Client.objects.filter(organisation=org, code__startswith="D")
        .order_by("code")
        .prefetch_related(
            Prefetch(
                "episodes",
                queryset=Episode.objects.order_by("-started").prefetch_related(
                    Prefetch("sessions", queryset=Session.objects.order_by("number"))
                ),
            ),
            "assignments__practitioner",
            "caregivers",
        )
    )
    course = outcome_course([c.pk for c in clients])
    checks = []
    for client in clients:
        episode = client.episodes.all()[0]
        sessions = list(episode.sessions.all())
        practitioner = client.assignments.all()[0].practitioner
        n = int(client.code[1:])
        kind = "coaching" if episode.kind == Episode.Kind.COACHING else "therapy"
        if client.caregivers.all():
            kind = "child"
        goals = seed_contract(client, episode, sessions, practitioner, kind, n, rng)
        if kind in ("coaching", "child") or n % 10 == 1:
            seed_gas(client, episode, sessions, goals, kind, course.get(client.pk, 0.0), rng)
        from_client = n % 3 == 0
        checks.append(
            ReadinessCheck(
                episode=episode,
                created=at(episode.started, 9),
                entered_by=None if from_client else practitioner,
                from_client=from_client,
                importance=int(rng.integers(6, 11)),
                confidence=int(rng.integers(3, 9)),
                expected_sessions=int(rng.integers(6, 21)),
                hopes=demo_text.HOPES[n % len(demo_text.HOPES)],
                concerns=demo_text.CONCERNS[n % len(demo_text.CONCERNS)],
            )
        )
    ReadinessCheck.objects.bulk_create(checks)


def pool_of(kind: str) -> dict[str, tuple[str, str, str, str, str]]:
    return {
        "coaching": demo_text.COACHING_GOALS,
        "child": demo_text.CHILD_GOALS,
        "therapy": demo_text.THERAPY_GOALS,
    }[kind]


def seed_contract(
    client: Client,
    episode: Episode,
    sessions: list[Session],
    practitioner: object,
    kind: str,
    n: int,
    rng: np.random.Generator,
) -> list[Goal]:
    """Version 1 at the first session (agreed by both), and for some a version 2."""
    pool = list(pool_of(kind))
    chosen = [str(g) for g in rng.choice(pool, size=int(rng.integers(2, 4)), replace=False)]
    start = episode.started
    terms = Terms(
        goals=tuple(GoalText(None, text) for text in chosen),
        tasks=demo_text.TASKS[kind],
        session_frequency=SessionFrequency.WEEKLY,
        expected_sessions=int(rng.integers(6, 11) if kind == "coaching" else rng.integers(8, 17)),
        measurement_consent=True,
        measurement_consent_date=start,
        research_consent=client.research_consent_scope,
        research_consent_date=client.research_consent_date,
    )
    v1 = save_terms(episode, terms, by=practitioner, at=at(start, 10))
    assert v1 is not None  # a first version always stores
    record_agreement(v1, "client", at=at(start, 11))
    if len(sessions) >= 5 and n % 3 == 1:
        renegotiate(episode, sessions, v1, practitioner, n)
    return list(Goal.objects.filter(contract__episode=episode, removed_in_version__isnull=True))


def renegotiate(
    episode: Episode, sessions: list[Session], v1: ContractVersion, practitioner: object, n: int
) -> None:
    terms = terms_of(v1)
    if n % 2 == 1:  # the client rewords their first goal through the link
        first = terms.goals[0]
        words = demo_text.CLIENT_REWORDINGS.get(first.text, f"{first.text}, most weeks")
        goals = (GoalText(first.goal_id, words), *terms.goals[1:])
        v2 = save_terms(
            episode, with_goals(terms, goals), from_client=True, at=at(sessions[2].date, 20)
        )
        if v2 is not None and n % 9 != 1:
            record_agreement(v2, "practitioner", at=at(sessions[3].date, 10))
        return
    changed = Terms(
        **{
            **terms.__dict__,
            "session_frequency": SessionFrequency.FORTNIGHTLY,
            "expected_sessions": (terms.expected_sessions or 10) + 4,
        }
    )
    v2 = save_terms(
        episode,
        changed,
        by=practitioner,
        reason="Agreed at session 4: fortnightly from now on, and a few more sessions",
        at=at(sessions[3].date, 10),
    )
    if v2 is not None:
        record_agreement(v2, "client", at=at(sessions[3].date, 11))


def outcome_course(client_ids: list[int]) -> dict[int, float]:
    """Each client's outcome course from -1 (much worse) to 1 (much better): the change from
    the first to the last headline score of their outcome measure, relative to the room
    for change (the PHQ-9 falls as clients improve, the ORS rises)."""
    rows = (
        ScaleScore.objects.filter(
            response__client_id__in=client_ids,
            response__respondent="client",
            response__instrument_id__in=["phq9", "ors"],
            scale_id="total",
            value__isnull=False,
        )
        .order_by("response__submitted_at", "response__pk")
        .values_list("response__client_id", "response__instrument_id", "value")
    )
    first: dict[int, float] = {}
    last: dict[int, tuple[str, float]] = {}
    for client_id, instrument, value in rows:
        first.setdefault(client_id, value)
        last[client_id] = (instrument, value)
    out = {}
    for client_id, (instrument, value) in last.items():
        start = first[client_id]
        if instrument == "phq9":
            change = (start - value) / max(start, 1.0)
        else:
            change = (value - start) / max(40.0 - start, 1.0)
        out[client_id] = float(np.clip(1.5 * change, -1.0, 1.0))
    return out


def seed_gas(
    client: Client,
    episode: Episode,
    sessions: list[Session],
    goals: list[Goal],
    kind: str,
    course: float,
    rng: np.random.Generator,
) -> None:
    """Five levels per goal, GAS responses at review points and 0-10 progress per session."""
    from alliance.practice.demo import store_demo_responses

    pool = pool_of(kind)
    for k, goal in enumerate(goals[:10], start=1):
        goal.gas_item = f"gas_{k}"
        levels = pool.get(goal.text) or next(
            (v for t, v in pool.items() if demo_text.CLIENT_REWORDINGS.get(t) == goal.text),
            pool[next(iter(pool))],
        )
        for (_, name, _), text in zip(Goal.LEVEL_FIELDS, levels, strict=True):
            setattr(goal, name, text)
    names = ["gas_item"] + [name for _, name, _ in Goal.LEVEL_FIELDS]
    Goal.objects.bulk_update(goals, names)
    last = sessions[-1].number
    reviews = sorted({1, last, *(s.number for s in sessions if s.number % 4 == 0)})
    ratings, responses = [], []
    for session in sessions:
        share = (session.number - 1) / max(last - 1, 1)
        for goal in goals:
            progress = 2 + 6 * course * share + rng.normal(0, 1)
            ratings.append(
                GoalRating(
                    goal=goal,
                    session=session,
                    progress=int(np.clip(round(progress), 0, 10)),
                    rated_at=at(session.date, 11),
                )
            )
        if session.number in reviews:
            answers = {
                g.gas_item: int(np.clip(round(-1 + 3 * course * share + rng.normal(0, 0.6)), -2, 2))
                for g in goals
            }
            responses.append(
                ("gas", "client", answers, session, at(session.date, 10) + timedelta(minutes=50))
            )
    GoalRating.objects.bulk_create(ratings)
    store_demo_responses(client, episode, None, responses, rng)
