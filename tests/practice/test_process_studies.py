"""Process studies: scheduling interviews after recorded sessions (pure rules and in the
database), their states, the totals sentence, idempotent marking and the consent rule.
The helpers at the top are shared with the other ``test_process_studies_*`` files."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.urls import reverse

from alliance.practice.accounts.models import Membership
from alliance.practice.care.models import Client, ResearchConsent, Session
from alliance.practice.process_studies import schedule
from alliance.practice.process_studies.models import Interview, ProcessStudy, RecordedSession
from alliance.practice.process_studies.services import StudyError, enrol, mark_recorded
from tests.practice.conftest import login, make_client, make_user

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


# -- helpers shared with the other process-study test files -------------------------------


def make_study(org, by=None, **fields) -> ProcessStudy:
    fields.setdefault("title", "How the alliance forms")
    fields.setdefault("main_questions", "What stood out for you in this part of the session?")
    return ProcessStudy.objects.create(organisation=org, created_by=by, **fields)


def consenting_client(org, practitioner, code: str, sessions: int = 5) -> Client:
    client = make_client(org, practitioner, code, sessions=sessions)
    client.research_consent_scope = ResearchConsent.PROCESS_STUDIES
    client.research_consent_date = date.today()
    client.save()
    return client


def session_of(client: Client, number: int) -> Session:
    return Session.objects.get(episode__client=client, number=number)


def recorded_interviews(study, client, number: int, by=None, at: datetime = NOW):
    enrol(study, client.code, by)
    recorded, _ = mark_recorded(study, session_of(client, number), at, by)
    return {i.role: i for i in recorded.interviews.all()}


@pytest.fixture
def researcher(org):
    return make_user("researcher", org, role=Membership.Role.RESEARCHER)


# -- scheduling (pure) ----------------------------------------------------------------------


def test_an_interview_is_due_48_hours_after_the_session_by_default():
    assert schedule.due_at(NOW) == NOW + timedelta(hours=48)


def test_the_window_is_configurable():
    assert schedule.due_at(NOW, 24) == datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    with pytest.raises(schedule.ScheduleError, match="window_hours: 0 is not allowed"):
        schedule.due_at(NOW, 0)


def test_a_session_without_an_end_time_ends_at_17_00_on_its_date():
    assert schedule.session_end(date(2026, 11, 19), UTC) == datetime(
        2026, 11, 19, 17, 0, tzinfo=UTC
    )
    assert schedule.session_end(date(2026, 11, 19), UTC, time(10, 50)).hour == 10


def test_an_interview_past_its_due_time_and_not_done_is_overdue():
    due = NOW
    assert schedule.interview_state("due", due, NOW - timedelta(minutes=1)) == "due"
    assert schedule.interview_state("due", due, NOW) == "due"
    assert schedule.interview_state("due", due, NOW + timedelta(seconds=1)) == "overdue"
    assert schedule.interview_state("done", due, NOW + timedelta(days=9)) == "done"
    assert schedule.interview_state("cancelled", due, NOW + timedelta(days=9)) == "cancelled"


def test_time_left_reads_in_days_hours_and_minutes():
    assert schedule.time_left(NOW + timedelta(hours=27), NOW) == "1 day 3 hours left"
    assert schedule.time_left(NOW - timedelta(hours=5, minutes=10), NOW) == "5 hours overdue"
    assert schedule.time_left(NOW + timedelta(minutes=40), NOW) == "40 minutes left"
    assert schedule.time_left(NOW + timedelta(days=2), NOW) == "2 days left"


def test_the_totals_sentence_counts_interviews_and_people_per_role():
    sentence = schedule.totals_sentence(24, 12, 23, 12)
    assert sentence == (
        "24 practitioner interviews with 12 practitioners and "
        "23 client interviews with 12 clients: 47 in all"
    )
    assert schedule.totals_sentence(1, 1, 0, 0) == (
        "1 practitioner interview with 1 practitioner and 0 client interviews with 0 clients: "
        "1 in all"
    )


def test_session_numbers_are_parsed_and_bad_ones_named():
    assert schedule.parse_session_numbers("5, 3 3") == [3, 5]
    with pytest.raises(schedule.ScheduleError, match="sessions: 'x' is not a session number"):
        schedule.parse_session_numbers("3, x")


# -- scheduling in the database -------------------------------------------------------------


def test_marking_a_session_recorded_schedules_both_interviews(org, owner):
    study = make_study(org)
    interviews = recorded_interviews(study, consenting_client(org, owner, "C001"), 3)
    assert set(interviews) == {"practitioner", "client"}
    assert all(i.due_at == NOW + timedelta(hours=48) for i in interviews.values())
    assert all(i.status == "due" for i in interviews.values())


def test_the_study_window_sets_the_due_time(org, owner):
    study = make_study(org, window_hours=24)
    interviews = recorded_interviews(study, consenting_client(org, owner, "C001"), 3)
    assert interviews["client"].due_at == NOW + timedelta(hours=24)


def test_marking_the_same_session_twice_does_not_duplicate(org, owner):
    study = make_study(org)
    client = consenting_client(org, owner, "C001")
    recorded_interviews(study, client, 3)
    again, created = mark_recorded(study, session_of(client, 3), NOW + timedelta(days=1))
    assert not created and again.recorded_at == NOW
    assert RecordedSession.objects.count() == 1 and Interview.objects.count() == 2


def test_only_the_study_sessions_of_attended_sessions_are_recorded(org, owner):
    study = make_study(org)
    client = consenting_client(org, owner, "C001")
    enrol(study, "C001", owner)
    with pytest.raises(StudyError, match="session: the study records sessions 3 and 5"):
        mark_recorded(study, session_of(client, 4), NOW)
    Session.objects.filter(episode__client=client, number=5).update(status="dna")
    with pytest.raises(StudyError, match="session 5 is did not attend"):
        mark_recorded(study, session_of(client, 5), NOW)
    assert not Interview.objects.exists()


def test_only_clients_who_consented_to_process_studies_can_be_enrolled(org, owner):
    study = make_study(org)
    client = make_client(org, owner, "C001")
    for scope in (ResearchConsent.NONE, ResearchConsent.DEIDENTIFIED):
        client.research_consent_scope = scope
        client.save()
        with pytest.raises(StudyError, match=r"client: C001 cannot be enrolled.*process studies"):
            enrol(study, "C001", owner)
    assert not study.participants.exists()


def test_the_enrol_form_says_why_a_client_cannot_take_part(client, org, owner, researcher):
    study = make_study(org)
    make_client(org, owner, "C001")
    login(client, researcher)
    response = client.post(reverse("process_studies:enrol", args=[study.pk]), {"code": "C001"})
    assert response.status_code == 400
    assert "Only clients whose research consent scope is" in response.content.decode()
    consenting_client(org, owner, "C002")
    response = client.post(reverse("process_studies:enrol", args=[study.pk]), {"code": "C002"})
    assert response.status_code == 302
    assert study.participants.get().practitioner == owner


def test_a_withdrawn_consent_stops_new_recordings(org, owner):
    study = make_study(org)
    client = consenting_client(org, owner, "C001")
    enrol(study, "C001", owner)
    client.research_consent_scope = ResearchConsent.DEIDENTIFIED
    client.save()
    with pytest.raises(StudyError, match="cannot have sessions recorded"):
        mark_recorded(study, session_of(client, 3), NOW)
