"""Follow-ups: the outcome measure sent again some months after the last session.

Dates.  A follow-up at ``m`` months is due ``m`` calendar months after the date of the last
attended session of the episode (the episode's end date when no session was attended): the
same day of the month, or the month's last day when that month is shorter (31 January + 1 month
= 28 February, 29 in a leap year; 30 November + 3 months = 28 or 29 February; 31 March +
3 months = 30 June).  The invitation's ``send_after`` is 09:00 on that day in the practice's
``TIME_ZONE``; the link stays valid for ``FOLLOW_UP_VALID_DAYS`` after that (counted from now
when the day has already passed, e.g. follow-ups scheduled late, which the outbox sends at once).

Measures.  The episode's outcome measures are the client-answered entries of its measure plan
whose instrument is an outcome or wellbeing measure (``care.MeasurePlanEntry``); an episode
without a plan uses the default outcome measure of its kind (``care.plans.DEFAULT_PLANS``).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from alliance.measures import MeasureError, get_instrument
from alliance.practice.care.models import Episode, Respondent, Session
from alliance.practice.care.plans import DEFAULT_PLANS
from alliance.practice.collect.models import Invitation
from alliance.practice.ending.models import FollowUp

DEFAULT_MONTHS: tuple[int, ...] = (1, 3)
OFFERED_MONTHS: tuple[int, ...] = (1, 3, 6, 12)
MAX_MONTHS = 24
FOLLOW_UP_VALID_DAYS = 28
SEND_AT = time(9, 0)
OUTCOME_KINDS = {"outcome", "wellbeing"}


class EndingError(ValueError):
    """A request about the ending that cannot be carried out; the message says why."""


def add_months(day: date, months: int) -> date:
    """``day`` plus whole calendar months, clamped to the last day of a shorter month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def last_session_date(episode: Episode) -> date | None:
    """The date of the latest attended session, else the episode's end date, else None."""
    latest = (
        Session.objects.filter(episode=episode, status=Session.Status.ATTENDED)
        .order_by("-date", "-number")
        .values_list("date", flat=True)
        .first()
    )
    return latest or episode.ended


def outcome_measures(episode: Episode) -> list[str]:
    """The instrument ids of the episode's outcome measures (see the module docstring)."""
    found: list[str] = []
    plan = episode.plan.filter(respondent=Respondent.CLIENT).order_by("pk")
    for instrument_id in plan.values_list("instrument_id", flat=True):
        try:
            kind = get_instrument(instrument_id).kind
        except MeasureError:
            continue
        if kind in OUTCOME_KINDS and instrument_id not in found:
            found.append(instrument_id)
    return found or [DEFAULT_PLANS[Episode.Kind(episode.kind)][0]]


def parse_months(values: list[str]) -> list[int]:
    """The posted ``months`` values as whole months 1-24 (at least one)."""
    if not values:
        raise EndingError(f"months: choose at least one (whole months from 1 to {MAX_MONTHS})")
    months = []
    for value in values:
        if not value.strip().isdigit() or not 1 <= int(value) <= MAX_MONTHS:
            raise EndingError(
                f"months: {value[:20]!r} is not allowed; expected whole months from 1 to "
                f"{MAX_MONTHS}"
            )
        months.append(int(value))
    return sorted(set(months))


def send_time(due: date) -> datetime:
    return timezone.make_aware(datetime.combine(due, SEND_AT))


def schedule_follow_ups(
    episode: Episode, months: Iterable[int] = DEFAULT_MONTHS, created_by: object = None
) -> list[FollowUp]:
    """Create the follow-up invitations not yet scheduled (one per month and outcome measure);
    return the new ones.  Scheduling twice creates nothing twice."""
    base = last_session_date(episode)
    if base is None:
        raise EndingError(
            "follow-ups: this episode has no attended session and no end date to count from"
        )
    measures = outcome_measures(episode)
    existing = set(FollowUp.objects.filter(episode=episode).values_list("months", "instrument_id"))
    now = timezone.now()
    created = []
    with transaction.atomic():
        for m in sorted(set(months)):
            due = add_months(base, m)
            send_after = send_time(due)
            for instrument_id in measures:
                if (m, instrument_id) in existing:
                    continue
                invitation, _token = Invitation.issue(  # the outbox sends a fresh token
                    days=0,
                    client_id=episode.client_id,
                    episode=episode,
                    instrument_id=instrument_id,
                    respondent=Respondent.CLIENT,
                    send_after=send_after,
                    created_by=created_by,
                )
                invitation.expires_at = max(send_after, now) + timedelta(days=FOLLOW_UP_VALID_DAYS)
                invitation.save(update_fields=["expires_at"])
                created.append(
                    FollowUp.objects.create(
                        episode=episode,
                        invitation=invitation,
                        instrument_id=instrument_id,
                        months=m,
                        due=due,
                        created_by=created_by,
                    )
                )
    return created


def cancel_follow_up(follow_up: FollowUp) -> None:
    """Remove a follow-up that has not been sent yet (its day has not come)."""
    invitation = follow_up.invitation
    if invitation.completed_at is not None or (
        invitation.send_after is not None and invitation.send_after <= timezone.now()
    ):
        raise EndingError(
            "follow-up: only a follow-up whose day has not come yet can be cancelled; "
            "this one may already have been sent"
        )
    invitation.delete()  # the follow-up row goes with it
