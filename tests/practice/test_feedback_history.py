"""A client's history read from the database for the feedback engine: shape, session numbers,
attendance, flags, repeated answers, two queries."""

import uuid
from datetime import datetime, time, timedelta

import pandas as pd
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliance.feedback.alerts import validate_history
from alliance.measures import score
from alliance.practice.care.models import Episode, Session
from alliance.practice.collect.models import Response
from alliance.practice.collect.submit import store_response
from alliance.practice.dashboard.feedback import client_history
from tests.practice.conftest import make_client


def phq9(values):
    return {f"phq9_{n}": v for n, v in enumerate(values, start=1)}


def wai(value):
    return {f"wai_sr_{n}": value for n in range(1, 13)}


def store(client, instrument_id, answers, session=None, episode=None, at=None):
    response = store_response(
        score(instrument_id, answers),
        client=client,
        episode=episode or client.episodes.get(),
        session=session,
        respondent="client",
        submission_id=uuid.uuid4(),
    )
    if at is not None:
        Response.objects.filter(pk=response.pk).update(submitted_at=at)
    return response


def session(client, number):
    return Session.objects.get(episode__client=client, number=number)


def test_the_history_has_the_shape_the_engine_expects(org, owner):
    c = make_client(org, owner, "C001", sessions=2)
    store(c, "phq9", phq9([2] * 8 + [1]), session(c, 1))
    store(c, "wai-sr", wai(4), session(c, 2))
    frame = client_history(c)
    assert list(frame.columns[:6]) == [
        "client_id",
        "session",
        "instrument",
        "respondent",
        "scale",
        "score",
    ]
    checked = validate_history(frame)  # raises on anything the engine would refuse
    assert len(checked) == len(frame) == 1 + 4  # PHQ-9 total; WAI-SR goal, task, bond, total
    episode = c.episodes.get()
    assert set(frame["client_id"]) == {episode.pk}  # the episode is the unit of a course
    assert set(frame["client"]) == {c.pk}
    rows = frame.set_index(["instrument", "scale"])
    assert rows.loc[("phq9", "total"), "score"] == 17
    assert rows.loc[("phq9", "total"), "flags"] == "risk_self_harm"
    assert rows.loc[("wai-sr", "bond"), "flags"] == ""
    assert rows.loc[("wai-sr", "total"), "session"] == 2
    assert frame["attended"].tolist() == [True] * 5


def test_it_is_read_with_one_query_each_for_responses_scores_and_sessions(org, owner):
    c = make_client(org, owner, "C001", sessions=10)
    for k in range(1, 11):
        store(c, "phq9", phq9([k % 3] * 9), session(c, k))
        store(c, "wai-sr", wai(3), session(c, k))
    with CaptureQueriesContext(connection) as queries:
        frame = client_history(c)
    assert len(queries.captured_queries) == 3
    assert len(frame) == 10 * 5


def test_missed_sessions_count_as_not_attended(org, owner):
    c = make_client(org, owner, "C001", sessions=4)
    store(c, "phq9", phq9([2] * 9), session(c, 1))
    store(c, "phq9", phq9([2] * 9), session(c, 2))
    Session.objects.filter(episode__client=c, number=2).update(status="cancelled")
    Session.objects.filter(episode__client=c, number=3).update(status="dna")
    Session.objects.filter(episode__client=c, number=4).update(status="planned")
    frame = client_history(c).sort_values("session")
    # 2 answered but cancelled; 3 missed without an answer: one unscored row; 4 planned and
    # unanswered: nothing to say yet
    assert frame["session"].tolist() == [1, 2, 3]
    assert frame["attended"].tolist() == [True, False, False]
    assert frame["score"].isna().tolist() == [False, False, True]
    validate_history(frame)


def test_a_response_without_a_session_counts_at_the_latest_session_before_it(org, owner):
    c = make_client(org, owner, "C001", sessions=3)
    s2 = session(c, 2)
    after_two = timezone.make_aware(datetime.combine(s2.date + timedelta(days=2), time(12)))
    before_all = timezone.make_aware(datetime.combine(s2.date - timedelta(weeks=3), time(12)))
    store(c, "phq9", phq9([1] * 9), at=after_two)
    store(c, "wai-sr", wai(4), at=before_all)
    frame = client_history(c)
    assert frame.loc[frame["instrument"] == "phq9", "session"].tolist() == [2]
    assert set(frame.loc[frame["instrument"] == "wai-sr", "session"]) == {0}
    validate_history(frame)


def test_the_latest_answer_at_a_session_counts_and_keeps_an_earlier_risk_flag(org, owner):
    c = make_client(org, owner, "C001", sessions=1)
    store(c, "phq9", phq9([1] * 8 + [2]), session(c, 1))  # risk answer, 10
    store(c, "phq9", phq9([2] * 8 + [0]), session(c, 1))  # entered again later: 16
    frame = client_history(c)
    assert frame["score"].tolist() == [16]
    assert frame["flags"].tolist() == ["risk_self_harm"]
    validate_history(frame)


def test_only_open_episodes_are_evaluated(org, owner):
    c = make_client(org, owner, "C001", sessions=1)
    store(c, "phq9", phq9([1] * 9), session(c, 1))
    Episode.objects.filter(client=c).update(ended=timezone.localdate())
    assert client_history(c).empty
    assert len(client_history(c, episodes="finished")) == 1


def test_a_follow_up_answer_after_the_ending_is_not_part_of_the_course(org, owner):
    """A follow-up (no session, answered a month after the episode ended) must not replace the
    last session's score in the finished episode's course (the ETR reference data)."""
    c = make_client(org, owner, "C001", sessions=3)
    for k in (1, 2, 3):
        store(c, "phq9", phq9([3 - k] * 9), session(c, k))  # 18, 9, 0
    last = session(c, 3).date
    Episode.objects.filter(client=c).update(ended=last)
    follow_up = timezone.make_aware(datetime.combine(last + timedelta(days=30), time(12)))
    store(c, "phq9", phq9([2] * 9), at=follow_up)  # 18 a month later
    on_the_day = timezone.make_aware(datetime.combine(last, time(18)))
    store(c, "wai-sr", wai(4), at=on_the_day)  # a sessionless answer on the last day counts
    frame = client_history(c, episodes="finished")
    phq = frame[(frame["instrument"] == "phq9") & (frame["scale"] == "total")]
    assert phq.sort_values("session")["score"].tolist() == [18, 9, 0]
    assert set(frame.loc[frame["instrument"] == "wai-sr", "session"]) == {3}


def test_the_precompiled_one_client_path_reads_what_the_general_query_reads(org, owner):
    """After a submission the client's history comes from SQL compiled once per process with
    the client's id put in; it must equal the general query's, for every client in turn."""
    from alliance.practice.dashboard.history import load_history

    clients = [make_client(org, owner, f"C00{n}", sessions=3) for n in (1, 2)]
    for n, c in enumerate(clients, start=1):
        for k in (1, 2, 3):
            store(c, "phq9", phq9([(k + n) % 4] * 9), session(c, k))
            store(c, "wai-sr", wai(n + 2), session(c, k))
    for c in clients:
        fast = client_history(c)
        general = load_history(client_id=c.pk, organisation_id=org.pk).frame
        assert len(fast) == 3 * (1 + 4) and set(fast["client"]) == {c.pk}  # PHQ-9, WAI-SR x4
        pd.testing.assert_frame_equal(fast, general)
