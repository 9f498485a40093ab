"""Who may use the contract pages: the owner practitioner can; a colleague of the same
organisation and an outsider get 404; an anonymous visitor is sent to log in.  The client's
link pages answer 404 for an unknown token and 410 for an expired one."""

from datetime import timedelta

import pytest
from django.urls import resolve, reverse
from django.utils import timezone

from alliance.practice.collect.models import Response
from alliance.practice.contracts.models import (
    ContractLink,
    ContractVersion,
    Goal,
    GoalRating,
    ReadinessCheck,
)
from alliance.practice.contracts.versions import GoalText, Terms, save_terms
from tests.practice.conftest import login


@pytest.fixture
def contract_goal(client_record, owner) -> Goal:
    """A contract (version 1) with one goal whose five levels are described."""
    version = save_terms(
        client_record.episodes.get(), Terms(goals=(GoalText(None, "Sleep better"),)), by=owner
    )
    goal = Goal.objects.get(pk=version.goals[0]["id"])
    goal.gas_item = "gas_1"
    for _, name, label in Goal.LEVEL_FIELDS:
        setattr(goal, name, label)
    goal.save()
    return goal


def client_scoped_urls(client, goal: Goal) -> list[tuple[str, str]]:
    """Every URL of the app that shows or changes one client's contract, goals or readiness."""
    pk = client.pk
    return [
        ("get", reverse("contracts:contract", args=[pk])),
        ("get", reverse("contracts:edit", args=[pk])),
        ("post", reverse("contracts:edit", args=[pk])),
        ("post", reverse("contracts:agree", args=[pk])),
        ("post", reverse("contracts:create_link", args=[pk])),
        ("get", reverse("contracts:goals", args=[pk])),
        ("get", reverse("contracts:review", args=[pk])),
        ("post", reverse("contracts:review", args=[pk])),
        ("get", reverse("contracts:gas_levels", args=[pk, goal.pk])),
        ("post", reverse("contracts:gas_levels", args=[pk, goal.pk])),
        ("get", reverse("contracts:readiness", args=[pk])),
        ("post", reverse("contracts:readiness", args=[pk])),
    ]


def token_urls(token: str) -> list[str]:
    return [
        reverse("contracts:client_contract", args=[token]),
        reverse("contracts:client_goals", args=[token]),
        reverse("contracts:client_readiness", args=[token]),
    ]


#: What a nosy visitor posts: valid enough to change something if access were not checked.
NOSY = {
    "new_goal": "someone else's goal",
    "measurement_consent": "yes",
    "research_consent": "process_studies",
    "version": "1",
    "side": "client",
    "session": "1",
    "submission_id": "6f1c1f3e-7f5e-4b8f-9a7e-2c1f1f3e7f5e",
    "importance": "5",
    "confidence": "5",
    "hopes": "to look",
    **{name: "a level" for _, name, _ in Goal.LEVEL_FIELDS},
}


def test_the_access_tests_walk_every_url_of_the_app(client_record, contract_goal):
    from alliance.practice.contracts.urls import urlpatterns

    names = {p.name for p in urlpatterns}
    walked = {resolve(url).url_name for _, url in client_scoped_urls(client_record, contract_goal)}
    walked |= {resolve(url).url_name for url in token_urls("x" * 43)}
    assert names == walked, "a new contracts URL must be added to the access tests"


def test_the_owner_opens_every_page(client, owner, client_record, contract_goal):
    login(client, owner)
    for method, url in client_scoped_urls(client_record, contract_goal):
        if method == "get":
            assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["colleague", "outsider"])
def test_other_practitioners_get_404_and_change_nothing(
    client, request, client_record, contract_goal, who
):
    login(client, request.getfixturevalue(who))
    for method, url in client_scoped_urls(client_record, contract_goal):
        response = getattr(client, method)(url, NOSY if method == "post" else None)
        assert response.status_code == 404, (who, method, url)
    assert ContractVersion.objects.count() == 1
    version = ContractVersion.objects.get()
    assert version.client_agreed_at is None and version.research_consent == "none"
    assert not ContractLink.objects.exists()
    assert not GoalRating.objects.exists() and not Response.objects.exists()
    assert not ReadinessCheck.objects.exists()
    contract_goal.refresh_from_db()
    assert contract_goal.level_0 == "The expected outcome"
    client_record.refresh_from_db()
    assert client_record.research_consent_scope == "none"


def test_a_goal_of_another_client_is_not_found_through_the_owners_client(
    client, org, owner, client_record, contract_goal
):
    from tests.practice.conftest import make_client

    other = make_client(org, owner, "C002")
    login(client, owner)
    url = reverse("contracts:gas_levels", args=[other.pk, contract_goal.pk])
    assert client.get(url).status_code == 404


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, client_record, contract_goal):
    for method, url in client_scoped_urls(client_record, contract_goal):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/")


def test_an_unknown_link_answers_404(client, contract_goal):
    for url in token_urls("not-a-real-token"):
        assert client.get(url).status_code == 404, url
        assert client.post(url, NOSY).status_code == 404, url
    assert ContractVersion.objects.get().client_agreed_at is None


def test_an_expired_link_answers_410_and_changes_nothing(client, contract_goal):
    link, token = ContractLink.issue(contract_goal.contract)
    link.expires_at = timezone.now() - timedelta(seconds=1)
    link.save()
    for url in token_urls(token):
        assert client.get(url).status_code == 410, url
        assert client.post(url, NOSY).status_code == 410, url
    assert ContractVersion.objects.get().client_agreed_at is None
    assert not ReadinessCheck.objects.exists()


def test_a_valid_link_opens_the_clients_pages(client, contract_goal):
    _, token = ContractLink.issue(contract_goal.contract)
    for url in token_urls(token):
        assert client.get(url).status_code == 200, url


def test_only_the_hash_of_a_link_token_is_stored(contract_goal):
    from alliance.practice.collect.models import hash_token

    link, token = ContractLink.issue(contract_goal.contract)
    assert len(token) >= 43  # secrets.token_urlsafe(32): 256 bits
    assert link.token_hash == hash_token(token) and token not in link.token_hash
