"""The client's side of the contract through a secure link: read it, agree to it, propose
changes to the goals in their own words (a new version from the client, which the
practitioner sees and can agree to), and answer the readiness questions."""

import re
from datetime import date

import pytest
from django.urls import reverse

from alliance.practice.contracts.models import ContractLink, ContractVersion, ReadinessCheck
from alliance.practice.contracts.versions import GoalText, Terms, save_terms
from tests.practice.conftest import login


@pytest.fixture
def version(client_record, owner) -> ContractVersion:
    terms = Terms(
        goals=(GoalText(None, "Sleep better"), GoalText(None, "See friends again")),
        tasks="Talking, and small experiments between sessions",
        expected_sessions=10,
        measurement_consent=True,
        measurement_consent_date=date(2026, 1, 5),
        research_consent="deidentified",
        research_consent_date=date(2026, 1, 5),
    )
    return save_terms(client_record.episodes.get(), terms, by=owner)


@pytest.fixture
def token(version) -> str:
    return ContractLink.issue(version.contract)[1]


def test_the_practitioner_creates_a_link_shown_once(client, owner, client_record, version):
    login(client, owner)
    response = client.post(reverse("contracts:create_link", args=[client_record.pk]))
    assert response.status_code == 302
    page = client.get(reverse("contracts:contract", args=[client_record.pk])).content.decode()
    url = re.search(r'value="(http[^"]+/contract/([^/"]+)/)"', page)
    assert url is not None
    assert client.get(url.group(1)).status_code == 200  # the link works
    again = client.get(reverse("contracts:contract", args=[client_record.pk])).content.decode()
    assert url.group(2) not in again  # shown once
    assert ContractLink.objects.get().token_hash != url.group(2)


def test_a_link_needs_a_written_contract(client, owner, client_record):
    login(client, owner)
    response = client.post(reverse("contracts:create_link", args=[client_record.pk]))
    assert response.status_code == 400
    assert "contract: write the contract first" in response.content.decode()


def test_the_client_reads_the_contract_and_agrees(client, token, version):
    url = reverse("contracts:client_contract", args=[token])
    page = client.get(url).content.decode()
    assert "Sleep better" in page and "Talking, and small experiments" in page
    assert "I agree to this" in page
    assert client.post(url, {"version": "1"}).status_code == 302
    version.refresh_from_db()
    assert version.client_agreed_at is not None and version.agreed_by_both
    assert "You agreed to this version" in client.get(url).content.decode()


def test_agreeing_to_a_version_that_changed_meanwhile_is_refused(client, token, version):
    response = client.post(reverse("contracts:client_contract", args=[token]), {"version": "2"})
    assert response.status_code == 409
    version.refresh_from_db()
    assert version.client_agreed_at is None
    bad = client.post(reverse("contracts:client_contract", args=[token]), {"version": "one"})
    assert bad.status_code == 400 and "version:" in bad.content.decode()


def test_the_client_proposes_goals_in_their_own_words(client, owner, client_record, token, version):
    sleep, friends = version.goals
    url = reverse("contracts:client_goals", args=[token])
    assert f'name="goal_{sleep["id"]}"' in client.get(url).content.decode()
    data = {
        f"goal_{sleep['id']}": "Sleep through most nights",
        f"goal_{friends['id']}": "See friends again",
        "new_goal": ["Feel less on edge at work", ""],
    }
    response = client.post(url, data)
    assert response.status_code == 200 and "Your practitioner will see" in response.content.decode()
    proposal = ContractVersion.objects.get(number=2)
    assert proposal.from_client and proposal.created_by is None
    assert proposal.author == "client via link"
    assert [g["text"] for g in proposal.goals] == [
        "Sleep through most nights",
        "See friends again",
        "Feel less on edge at work",
    ]
    assert proposal.client_agreed_at is not None and proposal.practitioner_agreed_at is None
    assert proposal.tasks == version.tasks and proposal.research_consent == "deidentified"
    # the practitioner sees the proposal on the client page and the changes on the contract page
    login(client, owner)
    page = client.get(reverse("dashboard:client", args=[client_record.pk])).content.decode()
    assert "The client proposed changes" in page
    contract_page = client.get(reverse("contracts:contract", args=[client_record.pk]))
    text = contract_page.content.decode()
    assert "client via link" in text
    assert "Sleep <del>better</del><ins>through most nights</ins>" in text
    assert "Goal added: <ins>Feel less on edge at work</ins>" in text
    agree = reverse("contracts:agree", args=[client_record.pk])
    assert client.post(agree, {"version": "2", "side": "practitioner"}).status_code == 302
    proposal.refresh_from_db()
    assert proposal.agreed_by_both


def test_sending_the_same_goals_stores_nothing(client, token, version):
    data = {f"goal_{g['id']}": g["text"] for g in version.goals}
    response = client.post(reverse("contracts:client_goals", args=[token]), data)
    assert response.status_code == 200 and "Nothing changed" in response.content.decode()
    assert ContractVersion.objects.count() == 1


def test_a_client_cannot_empty_every_goal_or_touch_other_goals(client, token, version):
    url = reverse("contracts:client_goals", args=[token])
    empty = {f"goal_{g['id']}": "" for g in version.goals}
    response = client.post(url, empty)
    assert response.status_code == 400
    assert "goals: write at least one goal" in response.content.decode()
    other = client.post(url, {"goal_99999": "not mine"})
    assert other.status_code == 400 and "goal_99999: not a current goal" in other.content.decode()
    too_long = client.post(url, {"new_goal": "x" * 501})
    assert too_long.status_code == 400 and "new_goal: at most 500" in too_long.content.decode()
    assert ContractVersion.objects.count() == 1


def test_the_client_answers_the_readiness_questions_through_the_link(client, token, version):
    url = reverse("contracts:client_readiness", args=[token])
    page = client.get(url).content.decode()
    assert "not a validated measure" in page
    data = {"importance": "9", "confidence": "3", "hopes": "Sleep, and laugh more"}
    assert client.post(url, data).status_code == 200
    check = ReadinessCheck.objects.get()
    assert check.from_client and check.entered_by is None and check.importance == 9
    bad = client.post(url, {**data, "confidence": "ten"})
    assert bad.status_code == 400
    assert "confidence: &#x27;ten&#x27; is not a whole number" in bad.content.decode()
