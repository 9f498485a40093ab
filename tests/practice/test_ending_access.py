"""Who may use the ending pages: the owner practitioner can; a colleague of the same
organisation, an outsider from another organisation and an anonymous visitor cannot (404,
or the login page); the client's own link works only while it is valid (unknown 404,
expired 410)."""

from datetime import timedelta

import pytest
from django.urls import resolve, reverse
from django.utils import timezone

from alliance.practice.care.models import Client, Episode
from alliance.practice.collect.models import Invitation
from alliance.practice.ending.followups import schedule_follow_ups
from alliance.practice.ending.models import FollowUp, PlanChange, PlanLink, RelapsePlan
from alliance.practice.ending.worksheet import plan_for, save_plan
from tests.practice.conftest import login

# What a curious visitor might post to every URL: valid input, so only access decides.
POST_DATA = {
    "warning_signs": "written by someone who should not",
    "action": "save",
    "ending_reason": "planned",
    "ended": str(timezone.localdate()),
    "months": "6",
}


def a_scheduled_follow_up(episode: Episode) -> FollowUp:
    existing = FollowUp.objects.filter(episode=episode, months=12).first()
    return existing or schedule_follow_ups(episode, [12])[0]


def staff_urls(client: Client) -> list[tuple[str, str]]:
    """Every staff URL of the ending app for the client's episode, with its method."""
    episode = client.episodes.get()
    args = [client.pk, episode.pk]
    return [
        ("get", reverse("ending:plan", args=args)),
        ("post", reverse("ending:plan", args=args)),
        ("get", reverse("ending:plan_pdf", args=args)),
        ("post", reverse("ending:plan_link", args=args)),
        ("post", reverse("ending:plan_seen", args=args)),
        ("post", reverse("ending:final_measures", args=args)),
        ("post", reverse("ending:record_ending", args=args)),
        ("post", reverse("ending:schedule_follow_ups", args=args)),
        (
            "post",
            reverse("ending:cancel_follow_up", args=[*args, a_scheduled_follow_up(episode).pk]),
        ),
    ]


def token_urls(token: str) -> list[str]:
    return [
        reverse("ending:client_plan", args=[token]),
        reverse("ending:client_plan_pdf", args=[token]),
    ]


def test_the_access_tests_walk_every_url_of_the_ending_app(client_record):
    from alliance.practice.ending.urls import urlpatterns

    walked = {resolve(url).url_name for _, url in staff_urls(client_record)}
    walked |= {resolve(url).url_name for url in token_urls("some-token")}
    assert {p.name for p in urlpatterns} == walked, "a new URL needs an access test here"


def test_the_owner_can_use_every_staff_url(client, owner, client_record):
    login(client, owner)
    for method, url in staff_urls(client_record):
        response = getattr(client, method)(url, POST_DATA)
        assert response.status_code in (200, 302), (method, url, response.status_code)
    episode = client_record.episodes.get()
    assert RelapsePlan.objects.get(episode=episode).section("warning_signs") == [
        "written by someone who should not"
    ]
    episode.refresh_from_db()
    assert episode.ending_reason == "planned"


@pytest.mark.parametrize("who", ["colleague", "outsider"])
def test_it_hides_the_ending_pages_of_other_practitioners_clients_with_404(
    client, request, client_record, who
):
    login(client, request.getfixturevalue(who))
    episode = client_record.episodes.get()
    for method, url in staff_urls(client_record):
        response = getattr(client, method)(url, POST_DATA)
        assert response.status_code == 404, (who, method, url)
    episode.refresh_from_db()
    assert (episode.ended, episode.ending_reason) == (None, "")
    assert not RelapsePlan.objects.exists() and not PlanLink.objects.exists()
    assert list(FollowUp.objects.values_list("months", flat=True)) == [12]  # the test's own
    assert Invitation.objects.count() == 1


def test_an_episode_of_another_client_is_404_even_for_an_owner(
    client, owner, client_record, make_other_client
):
    other = make_other_client
    login(client, owner)
    url = reverse("ending:plan", args=[client_record.pk, other.episodes.get().pk])
    assert client.get(url).status_code == 404


@pytest.fixture
def make_other_client(org, colleague):
    from tests.practice.conftest import make_client

    return make_client(org, colleague, "C999")


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, client_record):
    for method, url in staff_urls(client_record):
        response = getattr(client, method)(url, POST_DATA)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url
    assert not RelapsePlan.objects.exists()


def test_an_unknown_plan_link_is_404_and_changes_nothing(client, client_record):
    plan = plan_for(client_record.episodes.get())
    PlanLink.issue(plan)
    for url in token_urls("not-a-real-token"):
        assert client.get(url).status_code == 404
        assert client.post(url, POST_DATA).status_code == 404
    assert PlanChange.objects.count() == 0


def test_an_expired_plan_link_is_410_and_changes_nothing(client, client_record):
    plan = plan_for(client_record.episodes.get())
    link, token = PlanLink.issue(plan)
    link.expires_at = timezone.now() - timedelta(minutes=1)
    link.save()
    for url in token_urls(token):
        assert client.get(url).status_code == 410
        assert client.post(url, POST_DATA).status_code == 410
    assert PlanChange.objects.count() == 0


def test_a_new_link_replaces_the_old_one(client, client_record):
    plan = plan_for(client_record.episodes.get())
    _, old = PlanLink.issue(plan)
    _, new = PlanLink.issue(plan)
    assert client.get(token_urls(old)[0]).status_code == 404
    assert client.get(token_urls(new)[0]).status_code == 200


def test_the_link_token_is_random_and_stored_only_as_a_hash(client_record):
    from alliance.practice.collect.models import hash_token

    plan = plan_for(client_record.episodes.get())
    link, token = PlanLink.issue(plan)
    assert len(token) >= 43  # 32 random bytes in base64url
    assert link.token_hash == hash_token(token) != token
    assert not PlanLink.objects.filter(token_hash=token).exists()


def test_a_link_opens_only_its_own_plan(client, org, owner, client_record):
    from tests.practice.conftest import make_client

    mine = plan_for(client_record.episodes.get())
    save_plan(mine, {"warning_signs": ["my own sign"]}, by_client=False, user=owner)
    other = plan_for(make_client(org, owner, "C002").episodes.get())
    save_plan(other, {"warning_signs": ["someone else's sign"]}, by_client=False, user=owner)
    _, token = PlanLink.issue(mine)
    page = client.get(token_urls(token)[0]).content.decode()
    assert "my own sign" in page and "someone else" not in page
