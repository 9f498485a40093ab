"""The web app's CLI commands and the demo seed, in-process against the test database."""

import re

import pytest
from django.contrib.auth import authenticate, get_user_model

from alliance.cli import main
from alliance.practice.care.models import Client
from alliance.practice.collect.models import Invitation, Response, hash_token
from alliance.practice.demo import N_CLIENTS, N_PAST_CLIENTS, seed_demo


@pytest.fixture(autouse=True)
def keep_test_database(monkeypatch):
    """The commands call django.setup(); under pytest Django is already set up on the test DB."""
    monkeypatch.setattr("alliance.practice.commands.setup_django", lambda data_dir: None)


def test_invite_prints_a_working_client_link(capsys, client, client_record):
    code = main(["invite", "--client", "C001", "--instrument", "gad7"])
    out, _ = capsys.readouterr()
    assert code == 0
    url = out.strip()
    token = re.fullmatch(r"http://127\.0\.0\.1:8000/f/([A-Za-z0-9_-]{43,})/", url).group(1)
    assert Invitation.objects.get(token_hash=hash_token(token)).instrument_id == "gad7"
    assert client.get(f"/f/{token}/").status_code == 200


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--client", "NOPE", "--instrument", "gad7"], "no client with this code"),
        (["--client", "C001", "--instrument", "nope"], "unknown instrument"),
    ],
)
def test_invite_refuses_bad_arguments_with_exit_2(capsys, client_record, argv, message):
    assert main(["invite", *argv]) == 2
    assert message in capsys.readouterr().err


def test_invite_for_a_caregiver_needs_a_caregiver(capsys, org, owner):
    from tests.practice.conftest import make_client

    make_client(org, owner, "C777")
    assert (
        main(["invite", "--client", "C777", "--instrument", "tasc-p", "--respondent", "caregiver"])
        == 2
    )
    assert "has no caregiver" in capsys.readouterr().err


def test_createuser_creates_a_member_of_an_organisation(capsys, db, monkeypatch):
    monkeypatch.setenv("NEW_PASSWORD", "a long secret phrase")
    argv = [
        "createuser",
        "robin",
        "--organisation",
        "Hill Clinic",
        "--password-env",
        "NEW_PASSWORD",
    ]
    assert main(argv) == 0
    user = authenticate(username="robin", password="a long secret phrase")
    membership = user.memberships.get()
    assert (membership.organisation.slug, membership.role) == ("hill-clinic", "practitioner")
    assert main(argv) == 2
    assert "already exists" in capsys.readouterr().err


def test_the_demo_seed_is_deterministic_and_complete(db):
    org = seed_demo()
    current = Client.objects.filter(organisation=org, is_active=True)
    assert list(current.values_list("code", flat=True)) == [
        f"D{n:03d}" for n in range(1, N_CLIENTS + 1)
    ]
    past = Client.objects.filter(organisation=org, is_active=False)
    assert list(past.values_list("code", flat=True)) == [
        f"P{n:03d}" for n in range(1, N_PAST_CLIENTS + 1)
    ]
    assert not past.filter(episodes__ended__isnull=True).exists()  # the practice's history
    sessions = [c.episodes.get().sessions.count() for c in Client.objects.all()]
    assert min(sessions) >= 2 and max(sessions) <= 25
    assert authenticate(username="demo", password="demo") is not None
    first = list(Response.objects.order_by("pk").values_list("instrument_id", "answers")[:50])
    assert seed_demo() == org  # a second call seeds nothing more
    assert Client.objects.count() == N_CLIENTS + N_PAST_CLIENTS
    Client.objects.all().delete()
    org.delete()
    get_user_model().objects.all().delete()
    seed_demo()
    again = list(Response.objects.order_by("pk").values_list("instrument_id", "answers")[:50])
    assert again == first
    kinds = set(Response.objects.values_list("instrument_id", flat=True))
    assert {"phq9", "wai-sr", "ors", "srs", "tasc-p"} <= kinds
    flags = Response.objects.exclude(flags=[]).values_list("flags", flat=True)
    assert any("risk_self_harm" in f for f in flags)
