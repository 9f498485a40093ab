"""Demo follow-ups (see ``alliance.practice.ending.demo``): 1 and 3 months after the last
session, answered near the last session's score by about three in four clients."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

import numpy as np
from django.utils import timezone

from alliance.measures import get_instrument, score
from alliance.practice.care.models import Episode
from alliance.practice.collect.models import Invitation, Response, ScaleScore, hash_token
from alliance.practice.demo import item_answers
from alliance.practice.ending.followups import (
    FOLLOW_UP_VALID_DAYS,
    add_months,
    outcome_measures,
    send_time,
)
from alliance.practice.ending.models import FollowUp

ANSWER_RATE = 0.75


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def seed_follow_ups(
    rng: np.random.Generator,
    episodes: list[tuple[Episode, date, int | None]],
    now: datetime,
) -> None:
    latest = latest_totals([e.pk for e, _, _ in episodes])
    invitations, follow_ups, answered = [], [], []
    for episode, day, user_id in episodes:
        for instrument_id in outcome_measures(episode):
            for months in (1, 3):
                due = add_months(day, months)
                send_after = send_time(due)
                inv = Invitation(
                    client_id=episode.client_id,
                    episode=episode,
                    instrument_id=instrument_id,
                    respondent="client",
                    token_hash=hash_token(rng.bytes(32).hex()),
                    created=at(day, 11),
                    expires_at=send_after + timedelta(days=FOLLOW_UP_VALID_DAYS),
                    send_after=send_after,
                    created_by_id=user_id,
                )
                invitations.append(inv)
                follow_ups.append(
                    FollowUp(
                        episode=episode,
                        instrument_id=instrument_id,
                        months=months,
                        due=due,
                        created=inv.created,
                        created_by_id=user_id,
                    )
                )
                answered_at = send_after + timedelta(hours=float(rng.uniform(2, 120)))
                if send_after <= now < inv.expires_at:
                    # still open: answered (the outbox demo stays steady: nothing due unsent)
                    answered_at = send_after + (now - send_after) * float(rng.uniform(0.1, 0.9))
                elif answered_at >= now or rng.random() >= ANSWER_RATE:
                    continue  # scheduled, or expired without an answer
                inv.completed_at = answered_at
                answered.append((inv, latest.get((episode.pk, instrument_id))))
    Invitation.objects.bulk_create(invitations)
    for follow_up, inv in zip(follow_ups, invitations, strict=True):
        follow_up.invitation = inv
    FollowUp.objects.bulk_create(follow_ups)
    store_answers(rng, answered)


def latest_totals(episode_ids: list[int]) -> dict[tuple[int, str], float]:
    rows = (
        ScaleScore.objects.filter(response__episode_id__in=episode_ids, scale_id="total")
        .order_by("response__submitted_at", "pk")
        .values_list("response__episode_id", "response__instrument_id", "value")
    )
    return {(e, i): v for e, i, v in rows if v is not None}


def store_answers(
    rng: np.random.Generator, answered: list[tuple[Invitation, float | None]]
) -> None:
    """Follow-up answers near the last session's total (one in five somewhat worse)."""
    responses, results = [], []
    for inv, last_total in answered:
        inst = get_instrument(inv.instrument_id)
        low, high = inst.raw_range(inst.scale_index["total"])
        direction = inst.scale_index["total"].change
        worse = 1 if direction is None or direction.direction == "lower-is-better" else -1
        base = last_total if last_total is not None else (low + high) / 3
        drift = rng.normal(0.3, 1.5) + (4 if rng.random() < 0.2 else 0)
        target = min(max(base + worse * drift, low), high)
        answers = item_answers(rng, inst, target)
        if "phq9_9" in answers:
            answers["phq9_9"] = 0
        result = score(inv.instrument_id, answers)
        results.append(result)
        responses.append(
            Response(
                client_id=inv.client_id,
                episode_id=inv.episode_id,
                invitation=inv,
                instrument_id=inv.instrument_id,
                respondent="client",
                submission_id=uuid.UUID(bytes=rng.bytes(16)),
                answers={k: v for k, v in result.answers.items() if v is not None},
                flags=list(result.flags),
                missing=list(result.missing),
                submitted_at=inv.completed_at,
            )
        )
    created = Response.objects.bulk_create(responses)
    ScaleScore.objects.bulk_create(
        ScaleScore(response=r, scale_id=s, value=v, band=res.bands.get(s) or "")
        for r, res in zip(created, results, strict=True)
        for s, v in res.scores.items()
    )
