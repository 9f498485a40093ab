"""The ending checklist on the client page: final measures, the plan, the ending reason and the
follow-ups with their results."""

import html
import uuid
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from alliance.measures import score
from alliance.practice.collect.models import Invitation, Response, ScaleScore
from alliance.practice.ending.checklist import ending_state
from alliance.practice.ending.followups import last_session_date, schedule_follow_ups
from alliance.practice.ending.worksheet import plan_for, save_plan
from tests.practice.conftest import login


@pytest.fixture
def episode(client_record):
    """The client's current episode (three weekly sessions, the last one a week ago)."""
    return client_record.episodes.get()


def ending_panel(response) -> str:
    """The ending panel's part of the client page."""
    page = response.content.decode()
    return page.split('<section id="ending" class="ending-panel">')[1].split("</section>")[0]


def answer(invitation: Invitation, answers: dict, at: datetime) -> Response:
    """A response to the invitation, as the client form stores it."""
    result = score(invitation.instrument_id, answers)
    response = Response.objects.create(
        client_id=invitation.client_id,
        episode_id=invitation.episode_id,
        invitation=invitation,
        instrument_id=invitation.instrument_id,
        respondent="client",
        submission_id=uuid.uuid4(),
        answers=answers,
        submitted_at=at,
    )
    ScaleScore.objects.bulk_create(
        ScaleScore(response=response, scale_id=s, value=v, band=result.bands.get(s) or "")
        for s, v in result.scores.items()
    )
    invitation.completed_at = at
    invitation.save()
    return response


def test_follow_up_results_show_in_the_panel_with_their_label_and_score(
    client, owner, client_record, episode
):
    one, _three = schedule_follow_ups(episode)
    at = one.invitation.send_after + timedelta(hours=3)
    answer(one.invitation, {f"phq9_{n}": 1 if n <= 4 else 0 for n in range(1, 10)}, at)
    state = ending_state(episode)
    rows = {row.follow_up.months: row for row in state.follow_ups}
    assert (rows[1].status, rows[1].score, rows[1].band) == ("answered", 4, "minimal")
    assert rows[3].status == "scheduled" and rows[3].can_cancel
    login(client, owner)
    page = html.unescape(
        client.get(reverse("dashboard:client", args=[client_record.pk])).content.decode()
    )
    assert "Follow-up at 1 month" in page and "score 4 (minimal)" in page
    assert "Follow-up at 3 months" in page and "scheduled; emailed on that day" in page


def test_the_checklist_follows_what_is_recorded(client, owner, client_record, episode):
    login(client, owner)
    args = [client_record.pk, episode.pk]
    state = ending_state(episode)
    assert [i.done for i in state.items] == [False, False, False, False]

    client.post(reverse("ending:final_measures", args=args))
    assert [i.key for i in ending_state(episode).items if i.done] == ["final_measures"]
    final = Invitation.objects.get()
    assert (final.instrument_id, final.send_after) == ("phq9", None)
    assert final.session == episode.sessions.order_by("-number").first()

    plan = plan_for(episode)
    entries = {"warning_signs": ["a"], "coping": ["b"], "contacts": ["c"], "if_signs_return": ["d"]}
    save_plan(plan, entries, by_client=False, user=owner)
    assert ending_state(episode).plan_done

    last = last_session_date(episode)
    client.post(
        reverse("ending:record_ending", args=args), {"ending_reason": "planned", "ended": last}
    )
    episode.refresh_from_db()
    assert (episode.ended, episode.ending_reason, episode.phase) == (last, "planned", "ending")

    client.post(reverse("ending:schedule_follow_ups", args=args), {"months": ["1", "3"]})
    state = ending_state(episode)
    assert state.done_count == 4 and all(i.done for i in state.items)
    panel = ending_panel(client.get(reverse("dashboard:client", args=[client_record.pk])))
    assert "(4 of 4 done)" in panel and panel.lstrip().startswith("<details open>")


def test_final_measures_count_from_the_day_of_the_last_session(owner, episode):
    last = last_session_date(episode)
    before = Invitation.issue(
        client=episode.client, episode=episode, instrument_id="phq9", respondent="client"
    )[0]
    before.created = timezone.make_aware(datetime.combine(last - timedelta(days=1), time(12)))
    before.save()
    assert not ending_state(episode).final_done
    schedule_follow_ups(episode, [1])  # a follow-up is not a final measure
    assert not ending_state(episode).final_done
    entered_at = timezone.make_aware(datetime.combine(last, time(9, 30)))
    Response.objects.create(
        client=episode.client,
        episode=episode,
        instrument_id="phq9",
        respondent="client",
        submission_id=uuid.uuid4(),
        answers={},
        source=Response.Source.IN_SESSION,
        submitted_at=entered_at,
    )
    state = ending_state(episode)
    assert state.final_done and state.final_measures[0].answered == entered_at


def test_final_measure_links_are_shown_once_or_left_to_the_outbox(
    client, owner, client_record, episode
):
    login(client, owner)
    url = reverse("ending:final_measures", args=[client_record.pk, episode.pk])
    page_url = reverse("dashboard:client", args=[client_record.pk])
    response = client.post(url, {"email": "on"})
    assert response.status_code == 400 and response.content.decode().startswith("email:")
    client.post(url)
    first = client.get(page_url).content.decode()
    assert 'id="final-links"' in first and "/f/" in first
    assert 'id="final-links"' not in client.get(page_url).content.decode()
    client_record.contact_email = "client@example.org"
    client_record.save()
    client.post(url, {"email": "on"})
    emailed = Invitation.objects.filter(send_after__isnull=False).get()
    assert emailed.send_after <= timezone.now()
    assert "will be emailed" in client.get(page_url).content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"ending_reason": "bored", "ended": "2026-11-20"}, "ending_reason:"),
        ({"ending_reason": "planned", "ended": "20/11/2026"}, "ended: expected a date"),
        ({"ending_reason": "planned", "ended": "2001-01-01"}, "ended: expected a date from"),
        ({"ending_reason": "planned", "ended": "2099-01-01"}, "ended: expected a date from"),
    ],
)
def test_a_bad_ending_is_refused_with_400_naming_the_field(
    client, owner, client_record, episode, data, field
):
    login(client, owner)
    response = client.post(
        reverse("ending:record_ending", args=[client_record.pk, episode.pk]), data
    )
    assert response.status_code == 400 and response.content.decode().startswith(field)
    episode.refresh_from_db()
    assert episode.ended is None and episode.ending_reason == ""


def test_the_panel_is_folded_away_while_the_episode_is_still_in_its_working_phase(
    client, owner, client_record
):
    login(client, owner)
    panel = ending_panel(client.get(reverse("dashboard:client", args=[client_record.pk])))
    assert panel.lstrip().startswith("<details>") and "(0 of 4 done)" in panel
