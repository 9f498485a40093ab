"""`alliance outbox send` and `alliance outbox work`, in-process against the test database."""

from __future__ import annotations

import os
import signal
import threading

import pytest
from django.core import mail

from alliance.cli import main
from alliance.practice.outbox.models import Delivery
from tests.practice.test_outbox_support import FAILING, due_invitation

SUMMARY = "outbox: {} sent ({} reminders), {} failed (will retry), {} gave up, {} cancelled"


@pytest.fixture(autouse=True)
def keep_test_database(monkeypatch):
    """The commands call django.setup(); under pytest Django is already set up on the test DB."""
    monkeypatch.setattr("alliance.practice.commands.setup_django", lambda data_dir: None)


@pytest.fixture
def emailable(client_record):
    client_record.contact_email = "robin@example.org"
    client_record.save()
    return client_record


def test_send_emails_what_is_due_and_prints_one_line(capsys, emailable, org, owner):
    from tests.practice.conftest import make_client

    due_invitation(emailable)
    due_invitation(make_client(org, owner, "C002"))  # no address
    assert main(["outbox", "send"]) == 0
    assert capsys.readouterr().out == SUMMARY.format(1, 0, 0, 1, 0) + "\n"
    assert len(mail.outbox) == 1
    assert main(["outbox", "send"]) == 0
    assert capsys.readouterr().out == SUMMARY.format(0, 0, 0, 0, 0) + "\n"


def test_send_counts_failures(capsys, emailable, settings):
    settings.EMAIL_BACKEND = FAILING
    due_invitation(emailable)
    assert main(["outbox", "send"]) == 0
    assert capsys.readouterr().out == SUMMARY.format(0, 0, 1, 0, 0) + "\n"


def test_work_runs_passes_until_told_to_stop(capsys, emailable):
    due_invitation(emailable)
    assert main(["outbox", "work", "--interval", "0.01", "--passes", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("outbox worker: a pass every 0.01 s")
    assert lines[1:4] == [SUMMARY.format(1, 0, 0, 0, 0)] + [SUMMARY.format(0, 0, 0, 0, 0)] * 2
    assert lines[4] == "outbox worker: stopped after 3 passes"
    assert Delivery.objects.get().status == "sent"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_work_stops_cleanly_on_sigterm_and_ctrl_c(capsys, db, sig):
    before = signal.getsignal(sig)
    timer = threading.Timer(0.5, os.kill, args=(os.getpid(), sig))
    timer.start()
    try:
        assert main(["outbox", "work", "--interval", "30"]) == 0  # would wait 30 s
    finally:
        timer.cancel()
    assert capsys.readouterr().out.splitlines()[-1] == "outbox worker: stopped after 1 pass"
    assert signal.getsignal(sig) == before


def test_work_survives_a_failing_pass(capsys, db, monkeypatch):
    calls = []

    def broken_pass():
        calls.append(1)
        raise RuntimeError("database unavailable")

    monkeypatch.setattr("alliance.practice.outbox.sender.run_pass", broken_pass)
    assert main(["outbox", "work", "--interval", "0.01", "--passes", "2"]) == 0
    assert len(calls) == 2
    assert "outbox: pass failed (RuntimeError)" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--interval", "0"], "--interval 0: expected a number of seconds > 0"),
        (["--passes", "0"], "--passes 0: expected a whole number >= 1"),
    ],
)
def test_work_refuses_bad_arguments_with_exit_2(capsys, argv, message):
    assert main(["outbox", "work", *argv]) == 2
    assert message in capsys.readouterr().err


def test_outbox_needs_a_subcommand(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["outbox"])
    assert exit_.value.code == 2
