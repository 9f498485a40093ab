"""One email: who gets it, in which language, and what it says (plain text and HTML)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone, translation

from alliance.practice.collect.models import Invitation
from alliance.practice.outbox.config import outbox_settings
from alliance.practice.outbox.texts import texts_for


def recipient_address(invitation: Invitation) -> str:
    """The caregiver's address for a caregiver invitation, else the client's ('' if none)."""
    if invitation.caregiver_id is not None and invitation.caregiver is not None:
        return invitation.caregiver.contact_email.strip()
    return invitation.client.contact_email.strip()


def recipient_language(invitation: Invitation) -> str:
    if invitation.caregiver_id is not None and invitation.caregiver is not None:
        return invitation.caregiver.preferred_language
    return invitation.client.preferred_language


def form_link(token: str) -> str:
    return outbox_settings().base_url + reverse("collect:form", args=[token])


def compose(
    invitation: Invitation, *, kind: str, token: str, address: str
) -> EmailMultiAlternatives:
    """The email for ``invitation`` carrying ``token`` (``kind``: invitation or reminder)."""
    language, texts = texts_for(recipient_language(invitation))
    practice = invitation.client.organisation.name
    with translation.override(language):
        expires = dateformat.format(timezone.localtime(invitation.expires_at), texts["date_format"])
    context = {
        "language": language,
        "practice": practice,
        "link": form_link(token),
        "greeting": texts["greeting"],
        "lead": texts[kind].format(practice=practice),
        "open_link": texts["open_link"],
        "button": texts["button"],
        "expires": texts["expires"].format(date=expires),
        "replaces": texts["replaces"],
        "personal": texts["personal"],
    }
    message = EmailMultiAlternatives(
        subject=texts[f"subject_{kind}"].format(practice=practice),
        body=render_to_string("outbox/email/message.txt", context),
        from_email=getattr(settings, "DEFAULT_FROM_EMAIL", None),
        to=[address],
    )
    message.attach_alternative(render_to_string("outbox/email/message.html", context), "text/html")
    return message
