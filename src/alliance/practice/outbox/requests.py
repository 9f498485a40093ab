"""The "Email this link" form: which invitation to email, checked before anything changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.http import QueryDict

from alliance.measures import MeasureError, get_instrument
from alliance.practice.care.models import Caregiver, Client
from alliance.practice.collect.models import Invitation


class LinkRequestError(ValueError):
    """A bad "Email this link" form (the message names the field and what is allowed)."""


@dataclass(frozen=True)
class LinkRequest:
    client: Client
    invitation: Invitation | None = None  # an open invitation to email again
    instrument_id: str = ""  # or a new invitation of this instrument ...
    respondent: str = "client"  # ... for this respondent
    caregiver: Caregiver | None = None

    def issue(self, *, created_by: object) -> tuple[Invitation, str]:
        try:
            return Invitation.issue_for(
                self.client,
                instrument_id=self.instrument_id,
                respondent=self.respondent,
                caregiver=self.caregiver,
                created_by=created_by,
            )
        except ValueError as exc:  # no episode yet: checked in parse_link_request
            raise LinkRequestError(str(exc)) from None


def _whole_number(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def require_address(client: Client, caregiver: Caregiver | None) -> None:
    if caregiver is not None and not caregiver.contact_email.strip():
        raise LinkRequestError(
            f"caregiver: {caregiver} has no email address; add one or hand the link over"
        )
    if caregiver is None and not client.contact_email.strip():
        raise LinkRequestError(
            f"contact_email: client {client.code} has no email address; add one or hand the "
            "link over"
        )


def parse_link_request(client: Client, post: QueryDict, now: datetime) -> LinkRequest:
    chosen = post.get("invitation", "").strip()
    if chosen:
        invitation = (
            client.invitations.filter(
                pk=_whole_number(chosen) or 0, completed_at__isnull=True, expires_at__gt=now
            )
            .select_related("caregiver")
            .first()
        )
        if invitation is None:
            raise LinkRequestError("invitation: choose one of this client's open invitations")
        require_address(client, invitation.caregiver)
        return LinkRequest(client=client, invitation=invitation)
    try:
        inst = get_instrument(post.get("instrument", ""))
    except MeasureError as exc:
        raise LinkRequestError(f"instrument: {exc}") from None
    if inst.respondent == "practitioner":
        raise LinkRequestError(f"instrument: {inst.id} is answered by the practitioner")
    respondent = post.get("respondent", "client")
    if respondent not in {"client", "caregiver"}:
        raise LinkRequestError("respondent: expected client or caregiver")
    caregiver = None
    if respondent == "caregiver":
        chosen_caregiver = _whole_number(post.get("caregiver", "")) or 0
        caregiver = client.caregivers.filter(pk=chosen_caregiver).first()
        if caregiver is None:
            raise LinkRequestError("caregiver: choose one of this client's caregivers")
    if not client.episodes.exists():
        raise LinkRequestError(f"client {client.code}: no episode of care yet")
    require_address(client, caregiver)
    return LinkRequest(
        client=client, instrument_id=inst.id, respondent=respondent, caregiver=caregiver
    )
