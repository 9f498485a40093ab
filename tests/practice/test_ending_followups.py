"""Follow-ups 1 and 3 calendar months after the last session, the final measures, the ending
reason and the ending checklist on the client page."""

import calendar
import zoneinfo
from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from alliance.practice.care.models import Episode, MeasurePlanEntry, Session
from alliance.practice.collect.models import Invitation
from alliance.practice.ending.followups import (
    FOLLOW_UP_VALID_DAYS,
    EndingError,
    add_months,
    cancel_follow_up,
    last_session_date,
    outcome_measures,
    schedule_follow_ups,
)
from alliance.practice.ending.models import FollowUp
from tests.practice.conftest import login

LONDON = zoneinfo.ZoneInfo("Europe/London")  # the settings' default TIME_ZONE


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 12, 15), 1, date(2027, 1, 15)),  # across the year end
        (date(2027, 1, 31), 1, date(2027, 2, 28)),  # clamped to a short February
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # 2028 is a leap year
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2027, 3, 31), 3, date(2027, 6, 30)),  # June has 30 days
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 10, 31), 12, date(2027, 10, 31)),
    ],
)
def test_months_are_calendar_months_clamped_to_the_end_of_a_shorter_month(day, months, expected):
    assert add_months(day, months) == expected


def test_adding_months_lands_in_the_right_month_on_the_same_or_last_day():
    """Checked for every day of 2026-2028 and 1-24 months against the definition: the
    month is the m-th after, the day is the same or, when the month is shorter, its last."""
    day = date(2026, 1, 1)
    while day.year < 2029:
        for m in range(1, 25):
            result = add_months(day, m)
            assert (result.year - day.year) * 12 + result.month - day.month == m
            last = calendar.monthrange(result.year, result.month)[1]
            assert result.day == min(day.day, last)
        day += timedelta(days=1)


@pytest.fixture
def episode(client_record):
    """The client's current episode (three weekly sessions, the last one a week ago)."""
    return client_record.episodes.order_by("pk").first()


@pytest.fixture
def ended_episode(client_record):
    """An episode whose last attended session was on 31 March 2026 (a later appointment was
    missed), with CORE-10 and the WAI-SR in its measure plan."""
    episode = Episode.objects.create(
        client=client_record, started=date(2026, 1, 6), ended=date(2026, 4, 10)
    )
    for n, (day, status) in enumerate(
        [
            (date(2026, 1, 6), "attended"),
            (date(2026, 3, 31), "attended"),
            (date(2026, 4, 7), "dna"),
        ],
        start=1,
    ):
        Session.objects.create(episode=episode, number=n, date=day, status=status)
    for instrument_id in ("core10", "wai-sr"):
        MeasurePlanEntry.objects.create(
            episode=episode, instrument_id=instrument_id, respondent="client"
        )
    return episode


def test_follow_ups_count_from_the_last_attended_session(ended_episode):
    assert last_session_date(ended_episode) == date(2026, 3, 31)


def test_the_outcome_measure_comes_from_the_plan_or_else_the_default_for_the_kind(
    ended_episode, episode
):
    assert outcome_measures(ended_episode) == ["core10"]  # the WAI-SR is an alliance measure
    assert outcome_measures(episode) == ["phq9"]  # no plan: the therapy default


def test_follow_ups_are_scheduled_1_and_3_months_after_the_last_session(ended_episode):
    created = schedule_follow_ups(ended_episode)
    assert [(f.months, f.instrument_id, f.due) for f in created] == [
        (1, "core10", date(2026, 4, 30)),  # 31 March + 1 month: April has 30 days
        (3, "core10", date(2026, 6, 30)),
    ]
    for follow_up in created:
        inv = Invitation.objects.get(pk=follow_up.invitation_id)
        assert inv.send_after == datetime.combine(follow_up.due, time(9, 0), tzinfo=LONDON)
        assert (inv.instrument_id, inv.respondent, inv.session_id) == ("core10", "client", None)
        assert inv.episode_id == ended_episode.pk and inv.completed_at is None
        # both days have passed (today is later): the links are valid for 28 days from now
        assert inv.expires_at - timezone.now() > timedelta(days=FOLLOW_UP_VALID_DAYS - 1)


def test_a_future_follow_up_is_valid_for_four_weeks_after_its_day(episode):
    last = last_session_date(episode)
    (one_month,) = schedule_follow_ups(episode, [1])
    assert one_month.due == add_months(last, 1)
    inv = one_month.invitation
    assert inv.send_after > timezone.now()
    assert inv.expires_at == inv.send_after + timedelta(days=FOLLOW_UP_VALID_DAYS)
    assert inv.status == "open"


def test_scheduling_twice_creates_each_follow_up_once(ended_episode):
    schedule_follow_ups(ended_episode)
    again = schedule_follow_ups(ended_episode, [1, 3, 6])
    assert [f.months for f in again] == [6]
    assert FollowUp.objects.count() == Invitation.objects.count() == 3


def test_an_episode_without_sessions_or_end_date_cannot_schedule_follow_ups(client_record):
    bare = Episode.objects.create(client=client_record, started=date(2026, 11, 1))
    with pytest.raises(EndingError, match="no attended session"):
        schedule_follow_ups(bare)


def test_the_schedule_form_creates_the_chosen_follow_ups(client, owner, client_record, episode):
    login(client, owner)
    url = reverse("ending:schedule_follow_ups", args=[client_record.pk, episode.pk])
    response = client.post(url, {"months": ["1", "3"]})
    assert response.status_code == 302 and response["Location"].endswith("#ending")
    assert sorted(FollowUp.objects.values_list("months", flat=True)) == [1, 3]


@pytest.mark.parametrize("months", [[], ["0"], ["25"], ["abc"], ["1", "-3"]])
def test_bad_follow_up_months_are_refused_with_400_naming_the_field(
    client, owner, client_record, episode, months
):
    login(client, owner)
    url = reverse("ending:schedule_follow_ups", args=[client_record.pk, episode.pk])
    response = client.post(url, {"months": months})
    assert response.status_code == 400
    assert response.content.decode().startswith("months:")
    assert "from 1 to 24" in response.content.decode()
    assert not FollowUp.objects.exists()


def test_only_a_follow_up_whose_day_has_not_come_can_be_cancelled(
    client, owner, client_record, episode, ended_episode
):
    (future,) = schedule_follow_ups(episode, [3])
    past = schedule_follow_ups(ended_episode, [1])[0]
    with pytest.raises(EndingError, match="may already have been sent"):
        cancel_follow_up(past)
    login(client, owner)
    url = reverse("ending:cancel_follow_up", args=[client_record.pk, episode.pk, future.pk])
    assert client.post(url).status_code == 302
    assert not FollowUp.objects.filter(pk=future.pk).exists()
    assert not Invitation.objects.filter(pk=future.invitation_id).exists()
    other = reverse("ending:cancel_follow_up", args=[client_record.pk, episode.pk, past.pk])
    assert client.post(other).status_code == 404  # a follow-up of another episode
