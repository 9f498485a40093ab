"""Alerts in the web app: raised in the request that stores an answer, stored once, shown in
the inbox and on the client's timeline, acknowledged with a note; ETR models and the band."""

import logging
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alliance.cli import main
from alliance.measures import score
from alliance.practice.accounts.models import Membership
from alliance.practice.care.models import Episode
from alliance.practice.collect.models import Invitation, Response
from alliance.practice.collect.submit import store_response
from alliance.practice.dashboard import feedback
from alliance.practice.dashboard.feedback import refresh_client_alerts
from alliance.practice.dashboard.models import Alert, ExpectedResponseModel
from tests.practice.conftest import login, make_client, make_user


def phq9(values):
    return {f"phq9_{n}": v for n, v in enumerate(values, start=1)}


def srs(value):
    return {f"srs_{n}": value for n in range(1, 5)}


def answer(client, instrument_id, answers, session_number=None, respondent="client"):
    """Store a scored response at a session (default: the latest) without the web layer."""
    episode = client.episodes.get()
    sessions = episode.sessions.order_by("number")
    session = sessions.get(number=session_number) if session_number else sessions.last()
    return store_response(
        score(instrument_id, answers),
        client=client,
        episode=episode,
        session=session,
        respondent=respondent,
        submission_id=uuid.uuid4(),
    )


def post_link(django_client, client, instrument_id, answers):
    episode = client.episodes.get()
    _, token = Invitation.issue(
        client=client,
        episode=episode,
        session=episode.sessions.order_by("number").last(),
        instrument_id=instrument_id,
        respondent="client",
    )
    data = {**{k: str(v) for k, v in answers.items()}, "submission_id": str(uuid.uuid4())}
    return django_client.post(reverse("collect:form", args=[token]), data)


def add_alert(client, kind="low_alliance", session=1, severity="warning", **fields):
    return Alert.objects.create(
        client=client,
        episode=client.episodes.get(),
        kind=kind,
        instrument_id=fields.pop("instrument_id", "srs"),
        scale=fields.pop("scale", "total"),
        session=session,
        severity=severity,
        explanation=fields.pop("explanation", f"{kind} at session {session}"),
        **fields,
    )


# -- raised in the request that stores the answer ---------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_phq9_with_a_risk_answer_raises_a_risk_alert_in_the_same_request(client, org, owner):
    """Real commits (transactional test): the alert exists as soon as the POST returns,
    with no worker in between, so it was raised within the request."""
    c = make_client(org, owner, "C001")
    response = post_link(client, c, "phq9", phq9([1, 1, 1, 1, 1, 1, 1, 1, 2]))
    assert response.status_code == 200 and b"Thank you" in response.content
    alert = Alert.objects.get(client=c, kind="risk_item")
    assert alert.severity == "urgent"
    assert (alert.instrument_id, alert.session) == ("phq9", 3)
    assert alert.session_date == c.episodes.get().sessions.get(number=3).date
    assert alert.explanation and alert.suggestions
    assert alert.acknowledged_at is None


@pytest.mark.django_db(transaction=True)
def test_an_srs_below_36_entered_in_session_raises_low_alliance(client, org, owner):
    c = make_client(org, owner, "C001")
    login(client, owner)
    url = reverse("dashboard:enter_response", args=[c.pk, "srs"])
    data = {**{k: str(v) for k, v in srs(8).items()}, "submission_id": str(uuid.uuid4())}
    assert client.post(url, data).status_code == 302  # SRS total 32 < 36
    alert = Alert.objects.get(client=c, kind="low_alliance")
    assert (alert.instrument_id, alert.scale, alert.severity) == ("srs", "total", "warning")
    assert "36" in alert.explanation


def test_a_good_srs_raises_no_alliance_alert(org, owner, django_capture_on_commit_callbacks):
    c = make_client(org, owner, "C001")
    with django_capture_on_commit_callbacks(execute=True):
        answer(c, "srs", srs(9.5))  # 38
    assert not Alert.objects.filter(kind="low_alliance").exists()


@pytest.mark.django_db(transaction=True)
def test_a_failure_in_feedback_never_loses_the_answer(client, org, owner, monkeypatch, caplog):
    c = make_client(org, owner, "C001")
    secret = "PHQ-9 total 27 for C001"

    def broken(client_id):
        raise RuntimeError(secret)

    monkeypatch.setattr(feedback, "refresh_client_alerts", broken)
    with caplog.at_level(logging.WARNING, logger="alliance.practice.dashboard.feedback"):
        response = post_link(client, c, "phq9", phq9([3] * 9))
    assert response.status_code == 200 and b"Thank you" in response.content
    assert Response.objects.filter(client=c, instrument_id="phq9").count() == 1
    assert "alerts not refreshed" in caplog.text and "RuntimeError" in caplog.text
    assert secret not in caplog.text  # nothing clinical in the log


# -- stored once, acknowledgements kept --------------------------------------------------


def test_recomputation_neither_duplicates_nor_forgets_an_acknowledgement(org, owner):
    c = make_client(org, owner, "C001", sessions=4)
    answer(c, "srs", srs(8), session_number=1)
    answer(c, "phq9", phq9([1] * 8 + [1]), session_number=2)
    refresh_client_alerts(c)
    first = set(Alert.objects.values_list("kind", "instrument_id", "scale", "session"))
    assert ("low_alliance", "srs", "total", 1) in first
    assert ("risk_item", "phq9", "phq9_9", 2) in first
    refresh_client_alerts(c)
    assert Alert.objects.count() == len(first)

    risk = Alert.objects.get(kind="risk_item")
    when = timezone.now() - timedelta(hours=1)
    Alert.objects.filter(pk=risk.pk).update(
        acknowledged_at=when, acknowledged_by=owner, action_note="safety plan reviewed"
    )
    Alert.objects.filter(kind="low_alliance").update(explanation="an outdated text")
    answer(c, "srs", srs(7), session_number=3)
    result = refresh_client_alerts(c)
    assert result.new >= 1 and result.updated == 1  # session 3's alerts; the outdated text
    risk.refresh_from_db()
    assert (risk.acknowledged_at, risk.acknowledged_by, risk.action_note) == (
        when,
        owner,
        "safety plan reviewed",
    )
    assert Alert.objects.get(kind="low_alliance", session=1).explanation != "an outdated text"
    keys = list(Alert.objects.values_list("kind", "instrument_id", "scale", "session"))
    assert len(keys) == len(set(keys)) and set(keys) >= first


def test_each_episode_is_its_own_course(org, owner):
    """Session numbers start again in a new episode: its alerts do not overwrite the first
    episode's, and its intake is its own first score."""
    c = make_client(org, owner, "C001", sessions=2)
    answer(c, "srs", srs(8), session_number=1)
    refresh_client_alerts(c)
    old = c.episodes.get()
    old.ended = old.started + timedelta(weeks=2)
    old.save()
    Alert.objects.filter(episode=old).update(acknowledged_at=timezone.now(), action_note="ok")
    new = Episode.objects.create(client=c, started=timezone.localdate())
    session = new.sessions.create(number=1, date=timezone.localdate())
    store_response(
        score("srs", srs(7)),
        client=c,
        episode=new,
        session=session,
        respondent="client",
        submission_id=uuid.uuid4(),
    )
    refresh_client_alerts(c)
    lows = Alert.objects.filter(kind="low_alliance", session=1).order_by("episode__started")
    assert [(a.episode_id, a.acknowledged_at is None) for a in lows] == [
        (old.pk, False),
        (new.pk, True),
    ]


def test_refreshing_one_client_takes_a_constant_number_of_queries(org, owner):
    short = make_client(org, owner, "C001", sessions=2)
    long = make_client(org, owner, "C002", sessions=20)
    for c, n in ((short, 2), (long, 20)):
        for k in range(1, n + 1):
            answer(c, "phq9", phq9([k % 3] * 8 + [0]), session_number=k)
            answer(c, "srs", srs(9 if k % 4 else 7), session_number=k)
    counts = []
    for c in (short, long):
        refresh_client_alerts(c)  # the first run writes the alerts
        with CaptureQueriesContext(connection) as queries:
            refresh_client_alerts(c)
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1] <= 5  # responses, scores, sessions, ETR models, stored alerts


# -- acknowledging -----------------------------------------------------------------------


def test_acknowledging_records_who_when_and_what_and_shows_on_the_client_page(client, org, owner):
    c = make_client(org, owner, "C001")
    alert = add_alert(c)
    login(client, owner)
    before = timezone.now()
    response = client.post(
        reverse("dashboard:acknowledge_alert", args=[alert.pk]),
        {"note": "discussed goals, agreed new focus", "next": f"/clients/{c.pk}/"},
    )
    assert response.status_code == 302 and response["Location"] == f"/clients/{c.pk}/"
    alert.refresh_from_db()
    assert alert.acknowledged_by == owner
    assert before <= alert.acknowledged_at <= timezone.now()
    assert alert.action_note == "discussed goals, agreed new focus"
    page = client.get(reverse("dashboard:client", args=[c.pk])).content.decode()
    assert "Low alliance rating" in page
    assert "Acknowledged by owner" in page and "discussed goals, agreed new focus" in page
    again = client.post(
        reverse("dashboard:acknowledge_alert", args=[alert.pk]), {"note": "something else"}
    )
    assert again.status_code == 302 and again["Location"] == reverse("dashboard:alerts")
    alert.refresh_from_db()
    assert alert.action_note == "discussed goals, agreed new focus"  # the first one stays


def test_acknowledging_refuses_unsafe_redirects_and_long_notes(client, org, owner):
    c = make_client(org, owner, "C001")
    alert = add_alert(c)
    login(client, owner)
    url = reverse("dashboard:acknowledge_alert", args=[alert.pk])
    assert client.post(url, {"note": "x" * 2001}).status_code == 400
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
    response = client.post(url, {"next": "https://evil.example/"})
    assert response["Location"] == reverse("dashboard:alerts")
    assert client.get(url).status_code == 405


def test_an_htmx_acknowledgement_returns_the_updated_alert(client, org, owner):
    c = make_client(org, owner, "C001")
    alert = add_alert(c)
    login(client, owner)
    response = client.post(
        reverse("dashboard:acknowledge_alert", args=[alert.pk]),
        {"note": "talked it through"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li class="alert warning acknowledged" id="alert-{alert.pk}"')
    assert "talked it through" in html and "<html" not in html


@pytest.mark.parametrize("who", ["colleague", "outsider"])
def test_colleagues_and_outsiders_get_404_when_acknowledging(client, request, org, owner, who):
    c = make_client(org, owner, "C001")
    alert = add_alert(c)
    login(client, request.getfixturevalue(who))
    response = client.post(
        reverse("dashboard:acknowledge_alert", args=[alert.pk]), {"note": "not mine"}
    )
    assert response.status_code == 404
    alert.refresh_from_db()
    assert alert.acknowledged_at is None and alert.action_note == ""


# -- the inbox -----------------------------------------------------------------------------


def test_the_inbox_lists_only_the_open_alerts_of_visible_clients(
    client, org, owner, colleague, outsider
):
    mine = make_client(org, owner, "C001")
    theirs = make_client(org, colleague, "C002")
    add_alert(mine, "low_alliance", session=1)
    add_alert(mine, "risk_item", session=2, severity="urgent", instrument_id="phq9")
    add_alert(mine, "alliance_rupture", session=3)
    add_alert(mine, "sudden_gain", session=2, acknowledged_at=timezone.now(), severity="info")
    add_alert(theirs, "dropout_risk", session=1, instrument_id="", scale="")
    login(client, owner)
    page = client.get(reverse("dashboard:alerts")).content.decode()
    assert "C002" not in page and "Early signs of dropping out" not in page
    assert "Sudden gain" not in page  # acknowledged: on the timeline, not in the inbox
    urgent, newest, oldest = (
        page.index("Risk answer"),
        page.index("Possible alliance rupture"),
        page.index("Low alliance rating"),
    )
    assert urgent < newest < oldest  # urgent first, then the newest
    assert "Alerts (3)" in page  # the header count
    client.logout()
    login(client, outsider)
    page = client.get(reverse("dashboard:alerts")).content.decode()
    assert "No open alerts." in page and "Alerts (0)" in page


def test_a_supervisor_sees_the_open_alerts_of_their_team(client, org, owner, colleague):
    supervisor = make_user("supervisor", org, role=Membership.Role.SUPERVISOR)
    membership = owner.memberships.get()
    membership.supervisor = supervisor.memberships.get()
    membership.save()
    add_alert(make_client(org, owner, "C001"), "low_alliance")
    add_alert(make_client(org, colleague, "C002"), "alliance_rupture")
    login(client, supervisor)
    page = client.get(reverse("dashboard:alerts")).content.decode()
    assert "C001" in page and "Low alliance rating" in page
    assert "C002" not in page


def populate_alerts(org, owner, first, count):
    for i in range(first, first + count):
        c = make_client(org, owner, f"Q{i:04d}", sessions=1)
        add_alert(c, "low_alliance")
        add_alert(c, "risk_item", severity="urgent", instrument_id="phq9", scale="phq9_9")


def count_queries(django_client, url):
    with CaptureQueriesContext(connection) as queries:
        response = django_client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_the_inbox_query_count_is_the_same_for_10_and_100_clients(client, org, owner):
    login(client, owner)
    populate_alerts(org, owner, 0, 10)
    small = count_queries(client, reverse("dashboard:alerts"))
    populate_alerts(org, owner, 10, 90)
    large = count_queries(client, reverse("dashboard:alerts"))
    assert small == large <= 6  # session, user, alert count, header links, page count, page


def test_the_caseload_counts_open_alerts_in_one_query(client, org, owner):
    login(client, owner)
    populate_alerts(org, owner, 0, 10)
    Alert.objects.filter(kind="low_alliance", client__code="Q0000").update(
        acknowledged_at=timezone.now()
    )
    small = count_queries(client, reverse("dashboard:caseload"))
    populate_alerts(org, owner, 10, 90)
    large = count_queries(client, reverse("dashboard:caseload"))
    assert small == large
    page = client.get(reverse("dashboard:caseload"), {"sort": "alerts"}).content.decode()
    assert 'class="alert-count">2</a>' in page and 'class="alert-count">1</a>' in page
    assert page.index("Q0001") < page.index("Q0000")  # most open alerts first


def test_the_in_session_view_does_not_show_the_alert_count(client, org, owner):
    c = make_client(org, owner, "C001")
    add_alert(c)
    login(client, owner)
    page = client.get(reverse("dashboard:in_session", args=[c.pk])).content.decode()
    assert "Alerts (" not in page  # the screen is shared with the client
    entry = client.get(reverse("dashboard:enter_response", args=[c.pk, "phq9"])).content.decode()
    assert "Alerts (" not in entry


# -- expected trajectories: models and the chart band --------------------------------------


def fit_phq9_model(org):
    from alliance.feedback.etr import fit
    from alliance.feedback.simulator import simulate

    reference = simulate(300, "phq9", seed=7)
    reference = reference[(reference["instrument"] == "phq9") & (reference["scale"] == "total")]
    model = fit(reference[["client_id", "session", "score"]], "phq9")
    return ExpectedResponseModel.objects.create(
        organisation=org,
        instrument_id="phq9",
        model=model.to_json_dict(),
        n_episodes=model.fitted_on.n_episodes,
    )


def test_the_chart_shows_the_expected_course_when_a_model_exists(client, org, owner):
    c = make_client(org, owner, "C001", sessions=4)
    for k, level in enumerate([2, 2, 2, 2], start=1):
        answer(c, "phq9", phq9([level] * 8 + [0]), session_number=k)
    login(client, owner)
    url = reverse("dashboard:client", args=[c.pk])
    assert 'class="etr-band"' not in client.get(url).content.decode()
    fit_phq9_model(org)
    page = client.get(url).content.decode()
    assert page.count('class="etr-band"') == 1
    assert "Expected course for an intake score of 16" in page
    assert "expected course</span>" in page  # in the legend


def test_a_client_getting_worse_is_not_on_track_once_a_model_exists(org, owner):
    c = make_client(org, owner, "C001", sessions=4)
    answer(c, "phq9", phq9([1] * 8 + [0]), session_number=1)  # intake 8
    for k in range(2, 5):
        answer(c, "phq9", phq9([2] * 8 + [0]), session_number=k)  # then 16
    refresh_client_alerts(c)
    assert not Alert.objects.filter(kind="not_on_track").exists()  # no model yet
    fit_phq9_model(org)
    refresh_client_alerts(c)
    alert = Alert.objects.get(client=c, kind="not_on_track")  # raised once, when it began
    assert (alert.instrument_id, alert.session) == ("phq9", 2)
    assert "16" in alert.explanation


# -- the practice-wide command ----------------------------------------------------------


@pytest.fixture
def in_process_commands(monkeypatch):
    """The commands call django.setup(); under pytest Django is already set up on the test DB."""
    monkeypatch.setattr("alliance.practice.commands.setup_django", lambda data_dir: None)


def test_feedback_refresh_fits_models_and_creates_alerts(capsys, db, in_process_commands, settings):
    from alliance.feedback.etr import EtrModel
    from alliance.practice.demo import seed_demo

    settings.ETR_PERCENTILE = 80.0  # ALLIANCE_ETR_PERCENTILE: the practice's warning boundary
    org = seed_demo()
    assert main(["feedback", "refresh"]) == 0
    out = capsys.readouterr().out
    assert "phq9: fitted on" in out and "ors: fitted on" in out
    models = {m.instrument_id: m for m in ExpectedResponseModel.objects.filter(organisation=org)}
    assert set(models) == {"phq9", "ors"}
    phq9_model = EtrModel.from_json_dict(models["phq9"].model)
    assert phq9_model.fitted_on.n_episodes == models["phq9"].n_episodes >= 40
    assert phq9_model.percentile == 80.0
    kinds = set(Alert.objects.values_list("kind", flat=True))
    assert {"not_on_track", "risk_item", "low_alliance"} <= kinds
    assert not Alert.objects.filter(client__is_active=False).exists()  # finished episodes
    count = Alert.objects.count()
    Alert.objects.update(acknowledged_at=timezone.now(), action_note="seen")
    assert main(["feedback", "refresh"]) == 0
    assert "0 new, of which 0 about earlier sessions closed automatically; 0 updated" in (
        capsys.readouterr().out
    )
    assert Alert.objects.count() == count
    assert not Alert.objects.filter(acknowledged_at__isnull=True).exists()


def test_feedback_refresh_needs_enough_finished_episodes(capsys, org, owner, in_process_commands):
    c = make_client(org, owner, "C001", sessions=3)
    for k in range(1, 4):
        answer(c, "phq9", phq9([k] * 8 + [0]), session_number=k)
    Episode.objects.filter(client=c).update(ended=timezone.localdate())
    assert main(["feedback", "refresh"]) == 0
    out = capsys.readouterr().out
    assert "phq9: 1 finished episodes with two or more scores; 40 needed" in out
    assert not ExpectedResponseModel.objects.exists()


def test_a_practice_wide_refresh_closes_new_alerts_about_earlier_sessions(client, org, owner):
    """A first refresh over past answers (nobody saw their alerts at the time) stores the
    alerts about earlier sessions closed, keeps the latest session's open, and shows both on
    the timeline; answers arriving one by one never have their alerts closed this way."""
    c = make_client(org, owner, "C001", sessions=3)
    for k in (1, 2, 3):
        answer(c, "srs", srs(7), session_number=k)  # stored without the after-commit refresh
    assert not Alert.objects.exists()
    result = feedback.refresh_organisation_alerts(org)
    low = Alert.objects.filter(client=c, kind="low_alliance").order_by("session")
    assert [a.session for a in low] == [1, 2, 3]
    assert [a.is_open for a in low] == [False, False, True]
    assert all(a.closed_automatically for a in low[:2]) and not low[2].closed_automatically
    assert (
        result.closed_automatically
        == Alert.objects.filter(acknowledged_by=None).exclude(acknowledged_at=None).count()
        >= 2
    )
    login(client, owner)
    page = client.get(reverse("dashboard:client", args=[c.pk])).content.decode()
    assert page.count("Closed automatically on") == result.closed_automatically
    again = feedback.refresh_organisation_alerts(org)
    assert (again.new, again.closed_automatically) == (0, 0)

    other = make_client(org, owner, "C002", sessions=3)
    for k in (1, 2, 3):
        answer(other, "srs", srs(7), session_number=k)
        refresh_client_alerts(other)  # what the submitting request does
    assert not Alert.objects.filter(client=other, acknowledged_at__isnull=False).exists()


def tasc(value):
    return {f"tasc_p_{n}": value for n in range(1, 13)}


def test_each_caregiver_of_a_child_is_evaluated_on_their_own(client, org, owner):
    """Two parents rate the alliance after the same session: the later answer must not hide
    the earlier one; a low rating by either raises its own alert, named on the client page."""
    from alliance.practice.care.models import Caregiver

    c = make_client(org, owner, "C001", sessions=1)
    mum = Caregiver.objects.create(client=c, name="Mum", relationship="mother")
    dad = Caregiver.objects.create(client=c, name="Dad", relationship="father")
    episode = c.episodes.get()
    for who, value in ((dad, 1), (mum, 4)):  # dad low (total 27), mum later and fine (33)
        store_response(
            score("tasc-p", tasc(value)),
            client=c,
            episode=episode,
            session=episode.sessions.get(),
            respondent="caregiver",
            caregiver=who,
            submission_id=uuid.uuid4(),
        )
    refresh_client_alerts(c)
    low = Alert.objects.filter(client=c, kind="low_caregiver_alliance")
    assert [a.caregiver_ref for a in low] == [dad.pk]
    frame = feedback.client_history(c)
    assert sorted(frame.loc[frame["scale"] == "total", "caregiver"]) == sorted([mum.pk, dad.pk])
    login(client, owner)
    page = client.get(reverse("dashboard:client", args=[c.pk])).content.decode()
    assert "rated by Dad" in page and "rated by Mum" not in page
