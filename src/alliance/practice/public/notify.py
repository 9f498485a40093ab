"""The email that tells the practice a new request arrived.

It says only that a request arrived and links to it: no name, contact detail or message
leaves Alliance by email. It goes to the page's notification address, or, when that is empty,
to the clinical leads; and to the practitioner the visitor chose, if any. Sent with Django's
email backend (console by default, see ``EMAIL_BACKEND``) after the request is stored; a
failure to send is logged without any detail of the request and never loses it.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.http import HttpRequest
from django.urls import reverse

from alliance.practice.accounts.models import Membership
from alliance.practice.public.models import IntakeRequest, PracticePage

log = logging.getLogger(__name__)


def recipients(page: PracticePage, intake: IntakeRequest) -> list[str]:
    addresses: list[str] = []
    if page.notify_email:
        addresses.append(page.notify_email)
    else:
        addresses += Membership.objects.filter(
            organisation_id=page.organisation_id, role=Membership.Role.LEAD
        ).values_list("user__email", flat=True)
    if intake.addressed_to is not None:
        addresses.append(intake.addressed_to.email)
    return sorted({a for a in addresses if a})


def notify_practice(request: HttpRequest, page: PracticePage, intake: IntakeRequest) -> bool:
    """Send the notification; False if there was nobody to tell or sending failed."""
    to = recipients(page, intake)
    if not to:
        return False
    link = request.build_absolute_uri(
        reverse("public:intake_detail", args=[page.organisation.slug, intake.pk])
    )
    body = (
        f"A new request for a first conversation arrived through the public page of "
        f"{page.organisation.name}.\n\nSign in to read it: {link}\n"
    )
    try:
        send_mail(
            subject=f"New request for a first conversation ({page.organisation.name})",
            message=body,
            from_email=getattr(settings, "DEFAULT_FROM_EMAIL", None),
            recipient_list=to,
        )
    except Exception:  # any backend error: the request is stored, the practice sees it
        log.warning("intake notification email could not be sent (organisation %s)", page.pk)
        return False
    return True
