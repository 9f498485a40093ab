"""Helpers for the outbox tests: mail backends that fail, and invitations due to be emailed."""

from __future__ import annotations

import re
import smtplib
from datetime import datetime

import pytest
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from alliance.practice.care.models import Client
from alliance.practice.collect.models import Invitation

FAILING = "tests.practice.test_outbox_support.FailingBackend"
REFUSING = "tests.practice.test_outbox_support.RefusingBackend"
LINK = re.compile(r"https?://[^/\s]+/f/([A-Za-z0-9_-]{43,})/")


class FailingBackend(BaseEmailBackend):
    """A mail server that is down; its error message quotes the recipient, as some do."""

    def send_messages(self, email_messages: list[EmailMessage]) -> int:
        address = email_messages[0].to[0]
        raise smtplib.SMTPException(f"temporary failure delivering to {address}")


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages: list[EmailMessage]) -> int:
        address = email_messages[0].to[0]
        raise smtplib.SMTPRecipientsRefused({address: (550, f"5.1.1 <{address}> unknown".encode())})


def due_invitation(
    client: Client, send_after: datetime | None = None, **fields: object
) -> tuple[Invitation, str]:
    """An open PHQ-9 invitation of ``client`` to be emailed at ``send_after`` (default now)."""
    return Invitation.issue(
        client=client,
        episode=client.episodes.get(),
        instrument_id=fields.pop("instrument_id", "phq9"),
        respondent=fields.pop("respondent", "client"),
        send_after=send_after or timezone.now(),
        **fields,
    )


def emailed_token(message: EmailMessage) -> str:
    found = LINK.search(message.body)
    assert found is not None, "no link in the email"
    return found.group(1)


@pytest.mark.parametrize("backend", [FailingBackend, RefusingBackend])
def test_the_failing_backends_raise_smtp_errors_quoting_the_address(backend):
    message = EmailMessage("subject", "body", to=["x@example.org"])
    with pytest.raises(smtplib.SMTPException, match=r"x@example\.org"):
        backend().send_messages([message])
