"""Turning a posted form into a stored, scored response: validate, score, store at once.

One transaction stores the raw answers and the scale scores, and marks the
invitation completed.  The client-generated submission id makes a retried or
double-clicked submit return the response already stored instead of a second one.
Once that transaction has committed, the client's alerts are recomputed in the same
request (``alliance.practice.dashboard.feedback``); a failure there is logged and never
touches the stored answer.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from alliance.measures import ScoreResult, ScoringError, get_instrument, score
from alliance.practice.collect.models import Invitation, Response, ScaleScore
from alliance.practice.dashboard.feedback import schedule_refresh

FORM_FIELDS = {"csrfmiddlewaretoken", "submission_id", "comment"}
MAX_COMMENT = 5000


class SubmissionError(ValueError):
    """The posted form is malformed; the message says what was wrong and what is allowed."""


class AlreadyAnswered(Exception):
    """The invitation was completed by another submission."""


@dataclass(frozen=True)
class ParsedForm:
    answers: dict[str, float | int | None]
    submission_id: uuid.UUID
    comment: str
    result: ScoreResult


def parse_number(item_id: str, text: str) -> float | int | None:
    text = text.strip()
    if text == "":
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        raise SubmissionError(f"item {item_id}: {text[:40]!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise SubmissionError(f"item {item_id}: {text[:40]!r} is not a finite number")
    return value


def parse_form(instrument_id: str, post: Mapping[str, str]) -> ParsedForm:
    """Check the posted fields: item ids, numbers, a submission id; then validate by scoring."""
    inst = get_instrument(instrument_id)
    unknown = sorted(k for k in post if k not in FORM_FIELDS and k not in inst.item_index)
    if unknown:
        raise SubmissionError(
            f"{inst.id}: unknown fields {unknown[:5]}; items are {', '.join(inst.item_ids)}"
        )
    try:
        submission_id = uuid.UUID(str(post.get("submission_id", "")))
    except ValueError:
        raise SubmissionError("submission_id: expected a UUID") from None
    comment = str(post.get("comment", "")).strip()
    if len(comment) > MAX_COMMENT:
        raise SubmissionError(f"comment: at most {MAX_COMMENT} characters")
    answers = {i: parse_number(i, str(post[i])) for i in inst.item_ids if i in post}
    if all(v is None for v in answers.values()):
        raise SubmissionError(f"{inst.id}: no answers given")
    result = score(inst, answers)  # raises ScoringError naming the item and the allowed values
    return ParsedForm(answers=answers, submission_id=submission_id, comment=comment, result=result)


def store_response(result: ScoreResult, **fields: object) -> Response:
    """Store a scored response and its scale scores in one transaction (a savepoint inside
    an outer one); the client's alerts are refreshed after the outermost commit."""
    with transaction.atomic():
        response = Response.objects.create(
            instrument_id=result.instrument,
            answers={k: v for k, v in result.answers.items() if v is not None},
            flags=list(result.flags),
            missing=list(result.missing),
            **fields,
        )
        ScaleScore.objects.bulk_create(
            ScaleScore(
                response=response,
                scale_id=scale_id,
                value=value,
                band=result.bands.get(scale_id) or "",
            )
            for scale_id, value in result.scores.items()
        )
        schedule_refresh(response.client_id)
    return response


def submit_invitation(invitation: Invitation, form: ParsedForm) -> tuple[Response, bool]:
    """Store the response for an invitation; return (response, created).

    A replay of the same submission id returns the stored response (created False);
    another submission for a completed invitation raises AlreadyAnswered.
    """
    existing = Response.objects.filter(submission_id=form.submission_id).first()
    if existing is not None:
        if existing.invitation_id != invitation.pk:
            raise SubmissionError("submission_id: already used for another form")
        return existing, False
    if form.result.instrument != invitation.instrument_id:
        raise SubmissionError(f"answers are for {form.result.instrument}, not for this form")
    try:
        with transaction.atomic():
            locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
            if locked.completed_at is not None:
                raise AlreadyAnswered
            response = store_response(
                form.result,
                client_id=locked.client_id,
                episode_id=locked.episode_id,
                session_id=locked.session_id,
                invitation=locked,
                caregiver_id=locked.caregiver_id,
                respondent=locked.respondent,
                submission_id=form.submission_id,
                comment=form.comment,
                source=Response.Source.LINK,
            )
            locked.completed_at = timezone.now()
            locked.save(update_fields=["completed_at"])
    except IntegrityError:
        # A concurrent request with the same submission id won the race.
        existing = Response.objects.filter(submission_id=form.submission_id).first()
        if existing is None or existing.invitation_id != invitation.pk:
            raise AlreadyAnswered from None
        return existing, False
    return response, True


__all__ = [
    "AlreadyAnswered",
    "ParsedForm",
    "ScoringError",
    "SubmissionError",
    "parse_form",
    "store_response",
    "submit_invitation",
]
