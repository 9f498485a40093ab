"""Reminders (one, while unanswered and unexpired) and retries of failed emails with backoff."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from alliance.practice.collect.models import Invitation, hash_token
from alliance.practice.outbox.models import Delivery
from alliance.practice.outbox.sender import run_pass
from tests.practice.test_outbox_support import (
    FAILING,
    REFUSING,
    due_invitation,
    emailed_token,
)


@pytest.fixture
def emailable(client_record):
    client_record.contact_email = "robin@example.org"
    client_record.save()
    return client_record


@pytest.fixture
def emailed(emailable):
    """(invitation, time of the first email): a link emailed now, valid for 7 days."""
    now = timezone.now()
    invitation, _ = due_invitation(emailable, send_after=now)
    assert run_pass(now).sent == 1
    return invitation, now


def test_one_reminder_follows_three_days_after_the_email(emailed):
    invitation, t0 = emailed
    assert run_pass(t0 + timedelta(days=3) - timedelta(minutes=1)).sent == 0
    summary = run_pass(t0 + timedelta(days=3))
    assert (summary.sent, summary.reminders) == (1, 1)
    for days in (4, 5, 6):
        assert run_pass(t0 + timedelta(days=days)).sent == 0
    assert [m.subject for m in mail.outbox] == [
        "Riverside Practice: a short questionnaire for you",
        "Reminder from Riverside Practice: your questionnaire",
    ]
    invitation.refresh_from_db()
    assert invitation.token_hash == hash_token(emailed_token(mail.outbox[1]))


def test_no_reminder_after_the_invitation_was_answered(emailed):
    invitation, t0 = emailed
    Invitation.objects.filter(pk=invitation.pk).update(completed_at=t0 + timedelta(days=1))
    assert run_pass(t0 + timedelta(days=3)).sent == 0
    assert not Delivery.objects.filter(kind="reminder").exists()


def test_no_reminder_after_the_invitation_expired(emailed):
    invitation, t0 = emailed
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=t0 + timedelta(days=2))
    assert run_pass(t0 + timedelta(days=3)).sent == 0
    assert len(mail.outbox) == 1


def test_a_queued_reminder_is_cancelled_when_the_answer_arrives_first(emailed, settings):
    invitation, t0 = emailed
    settings.EMAIL_BACKEND = FAILING
    assert run_pass(t0 + timedelta(days=3)).failed == 1
    Invitation.objects.filter(pk=invitation.pk).update(completed_at=t0 + timedelta(days=3, hours=1))
    assert run_pass(t0 + timedelta(days=4)).cancelled == 1
    assert Delivery.objects.get(kind="reminder").status == "cancelled"


def test_the_reminder_delay_is_a_setting_and_zero_turns_reminders_off(emailed, settings):
    _, t0 = emailed
    settings.OUTBOX_REMINDER_DAYS = 0
    assert run_pass(t0 + timedelta(days=6)).sent == 0
    settings.OUTBOX_REMINDER_DAYS = 5
    assert run_pass(t0 + timedelta(days=4, hours=23)).sent == 0
    assert run_pass(t0 + timedelta(days=5)).reminders == 1


def test_failures_are_retried_after_5_30_and_120_minutes_then_given_up(emailable, settings):
    settings.EMAIL_BACKEND = FAILING
    t0 = timezone.now()
    invitation, handed_over = due_invitation(emailable, send_after=t0)
    expected = [  # (minutes after t0, attempts, status, next try in minutes after t0)
        (0, 1, "failed", 5),
        (5, 2, "failed", 35),
        (35, 3, "failed", 155),
        (155, 4, "gave_up", None),
    ]
    for minutes, attempts, status, next_try in expected:
        assert run_pass(t0 + timedelta(minutes=minutes - 1)).failed == 0  # not yet
        run_pass(t0 + timedelta(minutes=minutes))
        delivery = Delivery.objects.get()
        assert (delivery.attempts, delivery.status) == (attempts, status)
        wanted = None if next_try is None else t0 + timedelta(minutes=next_try)
        assert delivery.next_attempt_at == wanted
    assert run_pass(t0 + timedelta(days=1)).gave_up == 0  # nothing more is tried
    invitation.refresh_from_db()
    assert invitation.token_hash == hash_token(handed_over)  # failures leave the old link


def test_the_error_is_kept_without_the_address(emailable, settings):
    settings.EMAIL_BACKEND = FAILING
    due_invitation(emailable)
    run_pass()
    error = Delivery.objects.get().last_error
    assert error.startswith("SMTPException: temporary failure delivering to")
    assert "robin@example.org" not in error and "example.org" not in error
    settings.EMAIL_BACKEND = REFUSING
    Delivery.objects.update(next_attempt_at=timezone.now())
    run_pass()
    assert Delivery.objects.get().last_error == (
        "SMTPRecipientsRefused: the mail server refused the address"
    )


def test_backoff_and_attempts_are_settings(emailable, settings):
    settings.EMAIL_BACKEND = FAILING
    settings.OUTBOX_RETRY_MINUTES = ["1"]
    settings.OUTBOX_MAX_ATTEMPTS = 2
    t0 = timezone.now()
    due_invitation(emailable, send_after=t0)
    assert run_pass(t0).failed == 1
    assert Delivery.objects.get().next_attempt_at == t0 + timedelta(minutes=1)
    assert run_pass(t0 + timedelta(minutes=1)).gave_up == 1


def test_a_retry_after_giving_up_sends_once_the_server_is_back(emailable, settings):
    settings.EMAIL_BACKEND = FAILING
    settings.OUTBOX_MAX_ATTEMPTS = 1
    t0 = timezone.now()
    due_invitation(emailable, send_after=t0)
    assert run_pass(t0).gave_up == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Delivery.objects.update(status="pending", next_attempt_at=t0 + timedelta(minutes=1))
    assert run_pass(t0 + timedelta(minutes=1)).sent == 1
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, "")


def test_a_missing_address_is_a_visible_failure_not_a_crash(client_record):
    due_invitation(client_record)
    summary = run_pass()
    assert (summary.sent, summary.gave_up) == (0, 1)
    delivery = Delivery.objects.get()
    assert delivery.status == "gave_up"
    assert delivery.last_error == "no email address: add one to the client, then retry"
    assert mail.outbox == []


def test_a_caregiver_invitation_goes_to_the_caregiver(client_record):
    caregiver = client_record.caregivers.get()
    client_record.contact_email = "child@example.org"
    client_record.save()
    due_invitation(
        client_record, respondent="caregiver", caregiver=caregiver, instrument_id="tasc-p"
    )
    assert run_pass().gave_up == 1  # the caregiver has no address: the client's is not used
    assert "add one to the caregiver" in Delivery.objects.get().last_error
    caregiver.contact_email = "parent@example.org"
    caregiver.save()
    Delivery.objects.update(status="pending", next_attempt_at=timezone.now())
    assert run_pass().sent == 1
    assert mail.outbox[0].to == ["parent@example.org"]
