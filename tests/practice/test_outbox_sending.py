"""The outbox sends each due invitation link once, with a fresh token, and one reminder."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from alliance.practice.collect.models import Invitation, hash_token
from alliance.practice.outbox.models import Delivery
from alliance.practice.outbox.sender import claim, claim_batch, run_pass
from tests.practice.test_outbox_support import due_invitation, emailed_token

PHQ9 = {f"phq9_{n}": str(v) for n, v in enumerate([1, 2, 3, 0, 1, 2, 1, 0, 1], start=1)}


@pytest.fixture
def emailable(client_record):
    client_record.contact_email = "robin@example.org"
    client_record.save()
    return client_record


def answer(django_client, token):
    return django_client.post(f"/f/{token}/", {**PHQ9, "submission_id": str(uuid.uuid4())})


def test_it_emails_an_invitation_whose_time_has_come_once(emailable):
    now = timezone.now()
    due_invitation(emailable, send_after=now - timedelta(minutes=1))
    first = run_pass(now)
    second = run_pass(now + timedelta(minutes=1))
    assert (first.sent, second.sent) == (1, 0)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["robin@example.org"]
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.sent_at) == ("sent", 1, now)


def test_it_waits_for_send_after_and_ignores_links_handed_over_by_hand(emailable):
    now = timezone.now()
    later, _ = due_invitation(emailable, send_after=now + timedelta(days=30), days=40)
    Invitation.issue_for(emailable, instrument_id="gad7", respondent="client")  # no send_after
    assert run_pass(now).sent == 0
    assert run_pass(now + timedelta(days=30)).sent == 1
    assert Delivery.objects.get().invitation == later


def test_it_does_not_email_answered_or_expired_invitations(emailable):
    now = timezone.now()
    answered, _ = due_invitation(emailable, send_after=now)
    Invitation.objects.filter(pk=answered.pk).update(completed_at=now)
    expired, _ = due_invitation(emailable, send_after=now - timedelta(days=8))
    Invitation.objects.filter(pk=expired.pk).update(expires_at=now - timedelta(days=1))
    assert run_pass(now).sent == 0
    assert mail.outbox == [] and not Delivery.objects.exists()


def test_moving_send_after_later_emails_the_link_again(emailable):
    now = timezone.now()
    invitation, _ = due_invitation(emailable, send_after=now)
    run_pass(now)
    Invitation.objects.filter(pk=invitation.pk).update(send_after=now + timedelta(hours=1))
    assert run_pass(now + timedelta(hours=1)).sent == 1
    assert Delivery.objects.filter(kind="invitation", status="sent").count() == 2


def test_the_emailed_link_replaces_the_old_one_and_works_with_the_form(client, emailable):
    now = timezone.now()
    invitation, handed_over = due_invitation(emailable, send_after=now)
    run_pass(now)
    token = emailed_token(mail.outbox[0])
    invitation.refresh_from_db()
    assert token != handed_over and invitation.token_hash == hash_token(token)
    assert client.get(f"/f/{handed_over}/").status_code == 404
    assert client.get(f"/f/{token}/").status_code == 200
    assert answer(client, token).status_code == 200
    invitation.refresh_from_db()
    assert invitation.completed_at is not None


def test_two_workers_never_claim_the_same_delivery(emailable):
    now = timezone.now()
    due_invitation(emailable, send_after=now)
    due_invitation(emailable, send_after=now, instrument_id="gad7")
    run_pass(now - timedelta(days=1))  # nothing due yet: queues nothing
    from alliance.practice.outbox.queue import queue_due_invitations

    queue_due_invitations(now)
    first_worker = claim_batch(now)
    assert len(first_worker) == 2
    assert claim_batch(now) == []  # the second worker finds both taken
    assert not any(claim(pk, now) for pk in first_worker)  # the conditional UPDATE says no
    assert run_pass(now).sent == 0 and mail.outbox == []


def test_a_claim_left_by_a_crashed_worker_runs_out(emailable):
    from alliance.practice.outbox.config import LEASE
    from alliance.practice.outbox.queue import queue_due_invitations

    now = timezone.now()
    due_invitation(emailable, send_after=now)
    queue_due_invitations(now)
    assert len(claim_batch(now)) == 1  # ... and the worker dies before sending
    assert run_pass(now + LEASE - timedelta(seconds=1)).sent == 0
    assert run_pass(now + LEASE + timedelta(minutes=1)).sent == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_send_each_email_once(org, owner):
    import threading

    from django.db import connection

    from tests.practice.conftest import make_client

    if connection.vendor == "sqlite":
        pytest.skip(
            "threads on the in-memory shared-cache SQLite test database get 'table is locked' "
            "instead of waiting; the SQLite claim (a conditional UPDATE) is tested above"
        )
    client = make_client(org, owner, "C100")
    client.contact_email = "c100@example.org"
    client.save()
    now = timezone.now()
    for instrument in ("phq9", "gad7", "who5", "k10", "swls", "ors"):
        due_invitation(client, send_after=now, instrument_id=instrument)
    barrier = threading.Barrier(3)
    errors = []

    def worker():
        try:
            barrier.wait()
            run_pass(now)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(mail.outbox) == 6
    assert len({m.body for m in mail.outbox}) == 6
    assert Delivery.objects.filter(status="sent").count() == 6


def test_one_pass_sends_everything_due_batch_after_batch(emailable):
    from alliance.practice.outbox.sender import BATCH

    now = timezone.now()
    for _ in range(BATCH + 3):
        due_invitation(emailable, send_after=now)
    assert run_pass(now).sent == BATCH + 3
    assert len(mail.outbox) == BATCH + 3
