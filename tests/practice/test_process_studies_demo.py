"""The demo practice's process study: twelve consenting clients, sessions 3 and 5 recorded,
interviews in every state."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from alliance.practice.care.models import ResearchConsent
from alliance.practice.demo import APPS_WITH_DEMO_DATA, seed_demo
from alliance.practice.process_studies.models import ProcessStudy
from alliance.practice.process_studies.queries import group_by_state


def test_the_demo_study_has_consenting_clients_and_interviews_in_every_state(client, db):
    assert APPS_WITH_DEMO_DATA.index("process_studies") > APPS_WITH_DEMO_DATA.index("studies")
    org = seed_demo()
    study = ProcessStudy.objects.get(organisation=org)
    assert study.sessions_to_record == [3, 5] and study.window_hours == 48
    participants = list(study.participants.select_related("episode__client", "practitioner"))
    assert len(participants) == 12
    assert all(p.episode.client.code.startswith("D") for p in participants)
    assert all(
        p.episode.client.research_consent_scope == ResearchConsent.PROCESS_STUDIES
        and p.episode.client.research_consent_date is not None
        for p in participants
    )
    assert {p.practitioner.username for p in participants} == {"alex", "sam", "jo"}
    interviews = [i for rs in study.recorded_sessions.all() for i in rs.interviews.all()]
    assert len(interviews) == 2 * study.recorded_sessions.count()
    groups = group_by_state(interviews, timezone.now())
    assert all(groups[state] for state in ("due", "overdue", "done", "cancelled")), {
        k: len(v) for k, v in groups.items()
    }
    assert all(r.interview.held_at < timezone.now() for r in groups["done"])
    client.login(username="demo", password="demo")
    page = client.get(reverse("process_studies:study", args=[study.pk]))
    assert page.status_code == 200 and "in all" in page.text
