"""Process studies on the web: recording from the study page, the page's states, time left
and totals, closing interviews (notes, transcripts, cancelling), creating a study, and the
page's query count."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alliance.practice.accounts.models import Membership
from alliance.practice.process_studies.models import Interview, ProcessStudy, RecordedSession
from alliance.practice.process_studies.queries import totals_sentence
from alliance.practice.process_studies.services import enrol
from tests.practice.conftest import login, make_user
from tests.practice.test_process_studies import (
    NOW,
    consenting_client,
    make_study,
    recorded_interviews,
    session_of,
)


@pytest.fixture
def researcher(org):
    return make_user("researcher", org, role=Membership.Role.RESEARCHER)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# -- the study page -------------------------------------------------------------------------


def test_recording_from_the_study_page_uses_the_entered_end_time(client, org, owner, researcher):
    study = make_study(org)
    c = consenting_client(org, owner, "C001")
    enrol(study, "C001", researcher)
    session = session_of(c, 3)
    url = reverse("process_studies:record", args=[study.pk, session.pk])
    login(client, researcher)
    wrong_day = f"{(session.date + timedelta(days=1)).isoformat()}T10:50"
    response = client.post(url, {"ended_at": wrong_day})
    assert response.status_code == 400 and "ended_at: expected a time on" in response.text
    assert client.post(url, {"ended_at": f"{session.date.isoformat()}T10:50"}).status_code == 302
    assert client.post(url, {"ended_at": ""}).status_code == 302  # a second click: no change
    recorded = RecordedSession.objects.get()
    assert timezone.localtime(recorded.recorded_at).time() == time(10, 50)
    assert recorded.interviews.count() == 2


def test_the_study_page_shows_states_time_left_and_totals(client, org, owner, researcher):
    study = make_study(org)
    now = timezone.now()
    c1, c2 = consenting_client(org, owner, "C001"), consenting_client(org, owner, "C002")
    done = recorded_interviews(study, c1, 3, at=now - timedelta(days=7))
    done["practitioner"].status = "done"
    done["practitioner"].held_at = now - timedelta(days=6)
    done["practitioner"].save()
    done["client"].status = "cancelled"
    done["client"].cancel_reason = "client unwell"
    done["client"].save()
    recorded_interviews(study, c2, 3, at=now - timedelta(hours=9, minutes=30))
    login(client, researcher)
    page = client.get(reverse("process_studies:study", args=[study.pk])).content.decode()
    assert "1 practitioner interview with 1 practitioner and 0 client interviews" in page
    assert "Overdue (0)" in page and "Due (2)" in page and "Done (1)" in page
    assert "Cancelled (1)" in page and "client unwell" in page
    assert "1 day 14 hours left" in page


def test_totals_count_done_interviews_and_distinct_people(org):
    """The issue's example: 12 practitioners with one client each, sessions 3 and 5 recorded,
    every interview held except one client interview (cancelled): 24 + 23 = 47."""
    study = make_study(org)
    for n in range(12):
        c = consenting_client(org, make_user(f"p{n:02d}", org), f"C{n:03d}")
        for number in (3, 5):
            interviews = recorded_interviews(study, c, number)
            Interview.objects.filter(pk__in=[i.pk for i in interviews.values()]).update(
                status="done", held_at=NOW
            )
    first = Interview.objects.filter(role="client").order_by("pk").first()
    Interview.objects.filter(pk=first.pk).update(status="cancelled")
    assert totals_sentence(study) == (
        "24 practitioner interviews with 12 practitioners and "
        "23 client interviews with 12 clients: 47 in all"
    )
    same_client = first.recorded_session.participant.recorded_sessions.exclude(
        pk=first.recorded_session_id
    )
    Interview.objects.filter(recorded_session__in=same_client, role="client").update(
        status="cancelled"
    )
    assert "22 client interviews with 11 clients: 46 in all" in totals_sentence(study)


def test_marking_done_stores_notes_and_a_transcript_under_a_random_name(
    client, org, owner, researcher, media
):
    study = make_study(org)
    interview = recorded_interviews(study, consenting_client(org, owner, "C001"), 3)["client"]
    url = reverse("process_studies:interview_done", args=[interview.pk])
    login(client, researcher)
    assert client.get(url).status_code == 200
    upload = SimpleUploadedFile("C001 Jane Doe.txt", b"I: What stood out?\nC: ...")
    held = (timezone.localtime(NOW) + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    data = {"held_at": held, "interviewer": researcher.pk, "notes": "Recalled the goal talk."}
    response = client.post(url, {**data, "transcript": upload})
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.status == "done" and interview.interviewer == researcher
    stored = Path(interview.transcript.path)
    assert stored.is_relative_to(media) and "Jane" not in stored.name and stored.suffix == ".txt"
    assert len(stored.stem) >= 40  # secrets.token_urlsafe(32): 43 characters
    download = client.get(reverse("process_studies:interview_transcript", args=[interview.pk]))
    assert b"".join(download.streaming_content).startswith(b"I: What stood out?")


def test_marking_done_rejects_bad_files_and_times(client, org, owner, researcher, media):
    study = make_study(org)
    interview = recorded_interviews(study, consenting_client(org, owner, "C001"), 3)["client"]
    url = reverse("process_studies:interview_done", args=[interview.pk])
    login(client, researcher)
    held = (timezone.localtime(NOW) + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    bad_file = client.post(url, {"held_at": held, "transcript": SimpleUploadedFile("x.exe", b"MZ")})
    assert bad_file.status_code == 400 and "transcript: .exe is not allowed" in bad_file.text
    before = (timezone.localtime(NOW) - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    too_early = client.post(url, {"held_at": before})
    assert too_early.status_code == 400 and "held_at: expected a time after" in too_early.text
    interview.refresh_from_db()
    assert interview.status == "due" and not interview.transcript


def test_cancelling_needs_a_reason_and_a_held_interview_stays_held(client, org, owner, researcher):
    study = make_study(org)
    interviews = recorded_interviews(study, consenting_client(org, owner, "C001"), 3)
    login(client, researcher)
    cancel = reverse("process_studies:interview_cancel", args=[interviews["client"].pk])
    assert client.post(cancel, {"reason": ""}).status_code == 400
    assert client.post(cancel, {"reason": "client declined"}).status_code == 302
    Interview.objects.filter(pk=interviews["practitioner"].pk).update(status="done")
    held = reverse("process_studies:interview_cancel", args=[interviews["practitioner"].pk])
    response = client.post(held, {"reason": "oops"})
    assert response.status_code == 400 and "status: this interview was held" in response.text
    assert Interview.objects.get(pk=interviews["practitioner"].pk).status == "done"


def test_a_manager_creates_and_edits_a_study(client, org, researcher):
    login(client, researcher)
    data = {"title": "IPR", "main_questions": "What happened?", "sessions": "2, 4",
            "window_hours": "24", "is_active": "on"}  # fmt: skip
    assert client.post(reverse("process_studies:new"), data).status_code == 302
    study = ProcessStudy.objects.get()
    assert study.sessions_to_record == [2, 4] and study.window_hours == 24
    assert study.created_by == researcher and study.organisation == org
    bad = client.post(reverse("process_studies:edit", args=[study.pk]), {**data, "sessions": "0"})
    assert bad.status_code == 400 and "sessions: &#x27;0&#x27; is not a session number" in bad.text


def count_page_queries(django_client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = django_client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


def populate(study, org, practitioners, first: int, count: int) -> None:
    for n in range(first, first + count):
        c = consenting_client(org, practitioners[n % len(practitioners)], f"Q{n:03d}")
        for number in (3, 5):
            interviews = recorded_interviews(study, c, number)
            if n % 3 == 0:
                Interview.objects.filter(pk=interviews["client"].pk).update(status="done")


def test_the_study_page_query_count_does_not_grow_with_the_interviews(
    client, org, owner, colleague, researcher
):
    study = make_study(org)
    login(client, researcher)
    populate(study, org, [owner, colleague], 0, 2)
    url = reverse("process_studies:study", args=[study.pk])
    small = count_page_queries(client, url)
    populate(study, org, [owner, colleague], 2, 20)
    assert count_page_queries(client, url) == small
    login(client, owner)
    mine = count_page_queries(client, url)
    populate(study, org, [owner, colleague], 22, 6)
    assert count_page_queries(client, url) == mine
    assert count_page_queries(client, reverse("process_studies:my_interviews")) <= mine


@pytest.mark.django_db(transaction=True)
def test_deleting_a_client_deletes_their_interview_transcripts(org, owner, media):
    study = make_study(org)
    c = consenting_client(org, owner, "C001")
    interview = recorded_interviews(study, c, 3)["client"]
    interview.transcript.save("t.txt", SimpleUploadedFile("t.txt", b"words"))
    stored = Path(interview.transcript.path)
    assert stored.exists()
    c.delete()
    assert not Interview.objects.exists() and not stored.exists()
