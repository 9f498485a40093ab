"""Fixtures for the web app: three users (owner, colleague, outsider) and a client."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model

from alliance.practice.accounts.models import Membership, Organisation
from alliance.practice.care.models import Assignment, Caregiver, Client, Episode, Session
from alliance.practice.collect.models import Invitation


def make_user(username: str, org: Organisation, role: str = "practitioner"):
    user = get_user_model().objects.create_user(username=username, password="pw-" + username)
    Membership.objects.create(user=user, organisation=org, role=role)
    return user


@pytest.fixture
def org(db):
    return Organisation.objects.create(name="Riverside Practice", slug="riverside")


@pytest.fixture
def other_org(db):
    return Organisation.objects.create(name="Elsewhere Clinic", slug="elsewhere")


@pytest.fixture
def owner(org):
    return make_user("owner", org)


@pytest.fixture
def colleague(org):
    return make_user("colleague", org)


@pytest.fixture
def outsider(other_org):
    return make_user("outsider", other_org, role="lead")


def make_client(org, practitioner, code: str, sessions: int = 3) -> Client:
    client = Client.objects.create(organisation=org, code=code)
    Assignment.objects.create(client=client, practitioner=practitioner)
    episode = Episode.objects.create(
        client=client, started=date.today() - timedelta(weeks=sessions)
    )
    for n in range(1, sessions + 1):
        Session.objects.create(
            episode=episode, number=n, date=episode.started + timedelta(weeks=n - 1)
        )
    return client


@pytest.fixture
def client_record(org, owner):
    client = make_client(org, owner, "C001")
    Caregiver.objects.create(client=client, name="Parent", relationship="mother")
    return client


@pytest.fixture
def invitation(client_record):
    """(invitation, token) for a PHQ-9 answered by the client."""
    episode = client_record.episodes.get()
    return Invitation.issue(
        client=client_record, episode=episode, instrument_id="phq9", respondent="client"
    )


def login(django_client, user) -> None:
    assert django_client.login(username=user.username, password="pw-" + user.username)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def browser():
    """Debian's Chromium through Playwright's sync API (see browser_support.py)."""
    import os

    from tests.practice.browser_support import CHROMIUM, CHROMIUM_ARGS

    sync_api = pytest.importorskip("playwright.sync_api")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()
