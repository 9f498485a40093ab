"""Client-facing forms: secure links, validation, idempotent and transactional submissions."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from alliance.practice.collect.models import Invitation, Response, ScaleScore, hash_token

PHQ9_ANSWERS = {f"phq9_{n}": v for n, v in enumerate([1, 2, 3, 0, 1, 2, 1, 0, 1], start=1)}


def post(client, token, answers=PHQ9_ANSWERS, submission_id=None, **extra):
    data = {**{k: str(v) for k, v in answers.items()}, **extra}
    data["submission_id"] = str(submission_id or uuid.uuid4())
    return client.post(reverse("collect:form", args=[token]), data)


def test_the_token_is_long_random_and_stored_only_as_a_hash(invitation):
    inv, token = invitation
    assert len(token) >= 43  # 32 random bytes, base64url: 256 bits (>= 128 required)
    assert inv.token_hash == hash_token(token) != token
    assert not Invitation.objects.filter(token_hash=token).exists()


def test_the_form_names_inputs_by_item_id(client, invitation):
    _, token = invitation
    page = client.get(reverse("collect:form", args=[token])).content.decode()
    for n in range(1, 10):
        assert f'name="phq9_{n}"' in page
    assert 'type="radio"' in page
    assert "Little interest or pleasure in doing things" in page
    assert 'name="submission_id"' in page


def test_a_submission_is_scored_and_stored_in_one_go(client, invitation):
    inv, token = invitation
    response = post(client, token, comment="Thank you")
    assert response.status_code == 200
    stored = Response.objects.get()
    assert stored.answers == PHQ9_ANSWERS
    assert stored.comment == "Thank you"
    assert stored.flags == ["risk_self_harm"]
    total = ScaleScore.objects.get(response=stored, scale_id="total")
    assert (total.value, total.band) == (11, "moderate")  # 1+2+3+0+1+2+1+0+1 (Kroenke 2001)
    inv.refresh_from_db()
    assert inv.completed_at is not None


def test_a_retried_submission_stores_exactly_one_response(client, invitation):
    _, token = invitation
    submission_id = uuid.uuid4()
    first = post(client, token, submission_id=submission_id)
    second = post(client, token, submission_id=submission_id)
    assert first.status_code == second.status_code == 200
    assert b"Thank you" in second.content
    assert Response.objects.count() == 1


def test_a_second_different_submission_is_refused_kindly(client, invitation):
    _, token = invitation
    post(client, token)
    again = post(client, token)
    assert again.status_code == 410
    assert b"Already answered" in again.content
    assert Response.objects.count() == 1


def test_a_used_link_shows_a_friendly_page(client, invitation):
    _, token = invitation
    post(client, token)
    page = client.get(reverse("collect:form", args=[token]))
    assert page.status_code == 410
    assert b"Already answered" in page.content


def test_an_expired_link_shows_a_friendly_page_and_stores_nothing(client, invitation):
    inv, token = invitation
    inv.expires_at = timezone.now() - timedelta(minutes=1)
    inv.save()
    assert client.get(reverse("collect:form", args=[token])).status_code == 410
    response = post(client, token)
    assert response.status_code == 410
    assert b"expired" in response.content
    assert Response.objects.count() == 0


@pytest.mark.parametrize("token", ["forged", "A" * 43, "%2e%2e"])
def test_a_forged_token_gets_404_and_a_friendly_page(client, invitation, token):
    response = client.get(reverse("collect:form", args=[token]))
    assert response.status_code == 404
    assert b"Link not found" in response.content
    assert post(client, token).status_code == 404
    assert Response.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"phq9_3": "7"}, "item phq9_3: 7 is not allowed; expected one of 0, 1, 2, 3"),
        ({"phq9_3": "two"}, "item phq9_3: &#x27;two&#x27; is not a number"),
        ({"phq9_3": "1.5"}, "item phq9_3: 1.5 is not allowed"),
        ({"phq9_99": "1"}, "unknown fields [&#x27;phq9_99&#x27;]"),
        ({"phq9_3": "nan"}, "is not a finite number"),
    ],
)
def test_bad_answers_get_400_naming_the_item_and_store_nothing(client, invitation, change, message):
    inv, token = invitation
    response = post(client, token, {**PHQ9_ANSWERS, **change})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Response.objects.count() == 0
    inv.refresh_from_db()
    assert inv.completed_at is None


def test_a_malformed_submission_id_gets_400(client, invitation):
    _, token = invitation
    data = {**{k: str(v) for k, v in PHQ9_ANSWERS.items()}, "submission_id": "not-a-uuid"}
    response = client.post(reverse("collect:form", args=[token]), data)
    assert response.status_code == 400
    assert b"submission_id: expected a UUID" in response.content
    assert Response.objects.count() == 0


def test_an_empty_form_gets_400(client, invitation):
    _, token = invitation
    response = post(client, token, {})
    assert response.status_code == 400
    assert b"no answers given" in response.content


def test_skipped_items_are_stored_as_missing_and_scored_by_the_manual(client, invitation):
    _, token = invitation
    answers = {**PHQ9_ANSWERS, "phq9_8": ""}
    assert post(client, token, answers).status_code == 200
    stored = Response.objects.get()
    assert stored.missing == ["phq9_8"]
    # 11 over 8 answered items, pro-rated: 11 * 9 / 8 = 12.375 -> 12
    assert ScaleScore.objects.get(response=stored, scale_id="total").value == 12


def test_visual_analogue_items_take_decimals(client, client_record):
    inv, token = Invitation.issue(
        client=client_record,
        episode=client_record.episodes.get(),
        instrument_id="srs",
        respondent="client",
    )
    page = client.get(reverse("collect:form", args=[token])).content.decode()
    assert 'name="srs_1"' in page and 'step="0.1"' in page
    answers = {"srs_1": "9.5", "srs_2": "8.7", "srs_3": "9", "srs_4": "10"}
    assert post(client, token, answers).status_code == 200
    total = ScaleScore.objects.get(scale_id="total")
    assert total.value == pytest.approx(37.2)  # 9.5 + 8.7 + 9 + 10
    bad = Invitation.issue(
        client=client_record, episode=inv.episode, instrument_id="srs", respondent="client"
    )[1]
    response = post(client, bad, {**answers, "srs_2": "8.75"})
    assert response.status_code == 400
    assert "in steps of 0.1" in response.content.decode()


def test_the_client_sees_their_outcome_chart_but_not_alliance_scores(client, invitation):
    _, token = invitation
    page = post(client, token).content.decode()
    assert "<svg" in page
    assert "Patient Health Questionnaire-9" in page
    assert "Working Alliance" not in page


def test_the_client_sees_no_chart_when_the_practitioner_turned_it_off(client, invitation):
    inv, token = invitation
    inv.episode.show_progress_to_client = False
    inv.episode.save()
    assert "<svg" not in post(client, token).content.decode()


def test_the_form_uses_the_preferred_language_falling_back_to_english(client, invitation):
    inv, token = invitation
    inv.client.preferred_language = "en-GB"
    inv.client.save()
    page = client.get(reverse("collect:form", args=[token])).content.decode()
    assert '<html lang="en">' in page


def test_the_client_edits_their_own_preferences_with_their_link(client, invitation):
    inv, token = invitation
    page = post(client, token).content.decode()
    assert 'name="preferences"' in page
    url = reverse("collect:preferences", args=[token])
    saved = client.post(url, {"preferences": "Prefers evening sessions"})
    assert saved.status_code == 200 and b"Saved." in saved.content
    inv.client.refresh_from_db()
    assert inv.client.preferences == "Prefers evening sessions"
    assert client.post(url, {"preferences": "x" * 2001}).status_code == 400
    assert client.post(reverse("collect:preferences", args=["forged"]), {}).status_code == 404
