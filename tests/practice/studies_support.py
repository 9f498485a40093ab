"""Shared by the studies tests: a small practice with consented and unconsented clients,
stored answers and a research project.  ``from tests.practice.studies_support import *``
brings the fixtures (``__all__``); import the helpers by name."""

import uuid
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from alliance.practice.accounts.models import Membership, Organisation
from alliance.practice.care.models import Episode, ResearchConsent, Session
from alliance.practice.collect.models import Response, ScaleScore
from alliance.practice.studies.models import ResearchProject, organisation_key
from alliance.research.deidentify import pseudonym
from tests.practice.conftest import make_client, make_user

__all__ = ["practice", "project", "researcher"]

START = date(2025, 3, 3)  # a Monday; sessions weekly from here


def consent(client, scope=ResearchConsent.DEIDENTIFIED, day=date(2025, 3, 1)):
    client.research_consent_scope = scope
    client.research_consent_date = day
    client.save()


def answer(episode, session, instrument, scores, *, respondent="client", day=None, comment=""):
    """A stored response with its scale scores (the answers themselves do not matter here)."""
    day = day or session.date
    response = Response.objects.create(
        client=episode.client,
        episode=episode,
        session=session,
        instrument_id=instrument,
        respondent=respondent,
        submission_id=uuid.uuid4(),
        answers={},
        comment=comment,
        submitted_at=timezone.make_aware(datetime.combine(day, time(9, 30))),
    )
    ScaleScore.objects.bulk_create(
        ScaleScore(response=response, scale_id=s, value=v) for s, v in scores.items()
    )
    return response


def course(org, practitioner, code, n_sessions=3, start=START, **episode_fields):
    """A client with one episode of weekly sessions, PHQ-9 before and WAI-SR after each."""
    client = make_client(org, practitioner, code, sessions=0)
    episode = client.episodes.get()
    episode.started = start
    for name, value in episode_fields.items():
        setattr(episode, name, value)
    episode.save()
    add_sessions(episode, n_sessions)
    return client


def add_sessions(episode, n_sessions, note="talked about her sister Maria"):
    for n in range(1, n_sessions + 1):
        session = Session.objects.create(
            episode=episode, number=n, date=episode.started + timedelta(weeks=n - 1), note=note
        )
        answer(episode, session, "phq9", {"total": 20 - 2 * n}, comment="I felt low on Monday")
        answer(episode, session, "wai-sr", {"goal": 14, "task": 15, "bond": 16, "total": 45})


@pytest.fixture
def project(org):
    return ResearchProject.objects.create(
        organisation=org, name="alliance-outcome", title="Alliance", instruments=["phq9", "wai-sr"]
    )


@pytest.fixture
def practice(org, owner, colleague):
    """C001 and C002 consented (C002 with two episodes); C003 did not; X001 elsewhere did."""
    c1 = course(org, owner, "C001", ended=START + timedelta(weeks=3), ending_reason="planned")
    c2 = course(org, colleague, "C002", n_sessions=2, start=START + timedelta(days=2))
    second = Episode.objects.create(client=c2, started=date(2025, 9, 1), kind="coaching")
    add_sessions(second, 2)
    c3 = course(org, owner, "C003")
    consent(c1)
    consent(c2, ResearchConsent.PROCESS_STUDIES)
    other = Organisation.objects.create(name="Far", slug="far")
    far = course(other, make_user("far", other), "X001")
    consent(far)
    return {"C001": c1, "C002": c2, "C003": c3, "X001": far}


def pid(org, project, client) -> str:
    return pseudonym(organisation_key(org), project.name, client.pk)


@pytest.fixture
def researcher(org):
    return make_user("researcher", org, role=Membership.Role.RESEARCHER)
