"""What the email says: practice name, absolute link, expiry, language; no clinical details."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from alliance.practice.collect.models import Invitation
from alliance.practice.env import SettingError
from alliance.practice.outbox.config import outbox_settings
from alliance.practice.outbox.sender import run_pass
from alliance.practice.outbox.texts import texts_for
from tests.practice.test_outbox_support import due_invitation


@pytest.fixture
def emailable(client_record):
    client_record.contact_email = "robin@example.org"
    client_record.save()
    return client_record


def send_one(client, **fields):
    invitation, _ = due_invitation(client, **fields)
    expires = timezone.make_aware(timezone.datetime(2031, 3, 12, 14, 30))
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=expires)
    assert run_pass().sent == 1
    return mail.outbox[-1]


def test_the_email_has_text_and_html_with_the_absolute_link_and_expiry(emailable, settings):
    settings.ALLIANCE_BASE_URL = "https://care.example.org/"
    message = send_one(emailable)
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert message.subject == "Riverside Practice: a short questionnaire for you"
    for body in (message.body, html):
        assert "https://care.example.org/f/" in body
        assert "Riverside Practice" in body
        assert "12 March 2031, 14:30" in body
        assert "replaces any link" in body


def test_the_email_names_no_questionnaire_and_no_scores(emailable):
    message = send_one(emailable, instrument_id="phq9")
    text = (message.subject + message.body + message.alternatives[0][0]).lower()
    for clinical in ("phq", "depression", "patient health", "score", "alliance"):
        assert clinical not in text


def test_the_email_is_in_the_clients_language(emailable):
    emailable.preferred_language = "es"
    emailable.save()
    message = send_one(emailable)
    assert message.subject == "Riverside Practice: un breve cuestionario para usted"
    assert "12 de marzo de 2031, 14:30" in message.body
    assert 'lang="es"' in message.alternatives[0][0]


def test_a_language_without_texts_falls_back_to_english():
    assert texts_for("es-MX")[0] == "es"
    assert texts_for("fr")[0] == "en"
    assert texts_for("")[0] == "en"


def test_the_html_escapes_the_practice_name(emailable, org):
    org.name = "Hill & <Dale>"
    org.save()
    message = send_one(emailable)
    assert "Hill & <Dale>" in message.body  # plain text stays plain
    assert "Hill &amp; &lt;Dale&gt;" in message.alternatives[0][0]


def test_the_reminder_says_the_answers_have_not_arrived(emailable):
    now = timezone.now()
    due_invitation(emailable, send_after=now)
    run_pass(now)
    run_pass(now + timedelta(days=3))
    assert "have not arrived yet" in mail.outbox[1].body


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("OUTBOX_RETRY_MINUTES", ["5", "soon"], "expected whole numbers of minutes"),
        ("OUTBOX_RETRY_MINUTES", [], "at least one"),
        ("OUTBOX_MAX_ATTEMPTS", 0, "expected whole numbers >= 1"),
        ("ALLIANCE_BASE_URL", "care.example.org", "expected http://"),
    ],
)
def test_bad_settings_fail_loudly_naming_the_setting(settings, name, value, message):
    setattr(settings, name, value)
    with pytest.raises(SettingError, match=message) as error:
        outbox_settings()
    assert name in str(error.value)
