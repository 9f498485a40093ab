"""Goal ratings: goal attainment scaling at review points, and 0-10 progress per session.

Decision: a GAS rating at a review point is stored as a normal ``collect.Response`` of the
``gas`` instrument, through ``alliance.practice.collect.submit.store_response`` (entered in
session, respondent "client").  Each scaled goal owns one item of the instrument
(``Goal.gas_item``, gas_1 .. gas_10, never reused within the episode), so:

* the T-score is computed once, at storage, by ``alliance.measures.score`` (Kiresuk &
  Sherman 1968, with the instrument's inter-goal correlation of 0.30) and kept as a
  ``ScaleScore``, exactly as for every other measure;
* the client page's course charts and responses table, the client's own progress chart
  after answering (kind "goals") and research exports pick it up without special cases;
* a goal that is later removed from the contract is simply not rated again, and the
  instrument's missing-data rule leaves it out of later T-scores.

Goals are unweighted (every weight 1): weights are not stored with a response, so a
weighted T-score could not be re-derived from the raw answers by the research exports.
The 0-10 progress ratings are the practitioner's record with the client (``GoalRating``);
re-rating a goal at the same session replaces the earlier number.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from alliance.measures import get_instrument, score
from alliance.practice.care.models import Client, Episode, Session
from alliance.practice.collect.models import Response
from alliance.practice.collect.submit import store_response
from alliance.practice.contracts.models import Contract, Goal, GoalRating
from alliance.practice.contracts.parsing import FormError, parse_int

GAS = "gas"
MAX_LEVEL_TEXT = 500


def slot_items() -> tuple[str, ...]:
    return tuple(get_instrument(GAS).item_ids)


def save_levels(goal: Goal, post: Mapping[str, str]) -> Goal:
    """Store the five described levels; give the goal its GAS item the first time."""
    texts = {}
    for level, name, label in Goal.LEVEL_FIELDS:
        text = str(post.get(name, "")).replace("\r\n", "\n").strip()
        if not text:
            raise FormError(f"{name}: describe level {level:+d} ({label.lower()}); all five needed")
        if len(text) > MAX_LEVEL_TEXT:
            raise FormError(f"{name}: at most {MAX_LEVEL_TEXT} characters")
        texts[name] = text
    with transaction.atomic():
        Contract.objects.select_for_update().get(pk=goal.contract_id)
        goal.refresh_from_db()
        if not goal.gas_item:
            used = set(
                Goal.objects.filter(contract_id=goal.contract_id)
                .exclude(gas_item="")
                .values_list("gas_item", flat=True)
            )
            free = [item for item in slot_items() if item not in used]
            if not free:
                raise FormError(
                    f"levels: all {len(slot_items())} goal attainment items of this episode "
                    "(gas_1 .. gas_10) are in use"
                )
            goal.gas_item = free[0]
        for name, text in texts.items():
            setattr(goal, name, text)
        goal.save()
    return goal


@dataclass(frozen=True)
class Review:
    session: Session
    submission_id: uuid.UUID
    progress: dict[int, int]
    levels: dict[int, int]


def parse_review(post: QueryDict, goals: list[Goal], sessions: list[Session]) -> Review:
    """Ratings of the active goals at one session; errors name the field."""
    by_number = {s.number: s for s in sessions}
    number = parse_int(post, "session", 1, 10_000)
    if number is None or number not in by_number:
        allowed = ", ".join(str(n) for n in by_number) or "none yet"
        raise FormError(f"session: choose one of this episode's sessions ({allowed})")
    try:
        submission_id = uuid.UUID(str(post.get("submission_id", "")))
    except ValueError:
        raise FormError("submission_id: expected a UUID") from None
    known = {f"{kind}_{g.pk}" for g in goals for kind in ("progress", "gas")}
    unknown = sorted(k for k in post if k.startswith(("progress_", "gas_")) and k not in known)
    if unknown:
        raise FormError(f"{unknown[0]}: not a current goal of this client")
    progress, levels = {}, {}
    for goal in goals:
        value = parse_int(post, f"progress_{goal.pk}", 0, 10)
        if value is not None:
            progress[goal.pk] = value
        level = parse_int(post, f"gas_{goal.pk}", -2, 2)
        if level is not None:
            if not goal.gas_item:
                raise FormError(
                    f"gas_{goal.pk}: this goal has no described levels yet; describe its "
                    "five levels first"
                )
            levels[goal.pk] = level
    if not progress and not levels:
        raise FormError("ratings: rate at least one goal (progress 0-10 or a GAS level)")
    return Review(by_number[number], submission_id, progress, levels)


def store_review(
    client: Client, episode: Episode, goals: list[Goal], review: Review, by: object
) -> Response | None:
    """Store the progress ratings and, if any goal got a level, one scored gas response."""
    by_pk = {g.pk: g for g in goals}
    with transaction.atomic():
        for goal_pk, value in review.progress.items():
            GoalRating.objects.update_or_create(
                goal=by_pk[goal_pk],
                session=review.session,
                defaults={"progress": value, "entered_by": by, "rated_at": timezone.now()},
            )
        if not review.levels:
            return None
        existing = Response.objects.filter(submission_id=review.submission_id).first()
        if existing is not None:  # a retried form: stored already
            if existing.client_id != client.pk or existing.instrument_id != GAS:
                raise FormError("submission_id: already used for another form")
            return existing
        answers = {by_pk[pk].gas_item: level for pk, level in review.levels.items()}
        return store_response(
            score(GAS, answers),
            client=client,
            episode=episode,
            session=review.session,
            respondent="client",
            submission_id=review.submission_id,
            source=Response.Source.IN_SESSION,
            entered_by=by,
        )
