"""Histories read from the database for the feedback engine.

``client_history(client)`` (and ``load_history`` for many clients) builds the long
table ``alliance.feedback.alerts`` reads, one row per stored scale score, from three narrow
values() queries: the responses (what their scale scores share, read once per response), the
scale scores (response id, scale, value) and the sessions:

- ``client_id`` is the *episode* id: each episode of care is its own course (the intake score,
  change since the first score, the first five sessions and the expected trajectory all
  restart when a client comes back), and session numbers restart at 1 in each episode.  The
  client's and episode's primary keys are also in the columns ``client`` and ``episode``.
- ``session`` is the number of the response's session.  A response without a session (a link
  issued before any session was booked, or whose session was deleted) counts at the latest
  session of its episode dated on or before the day it was answered, or at session 0 (before
  the first session) when there is none.
- ``attended`` comes from the session's status: attended -> true, did not attend or
  cancelled -> false, planned -> unknown.  A missed or cancelled session without any answer
  gets one row without a score, so the drop-out rule sees the missed session.
- Follow-up answers (without a session, given after the episode's end date) are left out: the
  course is the sessions of the episode; follow-ups are shown on their own.
- ``flags`` are the response's flag ids joined with ``;`` (``risk_self_harm`` raises the risk
  alert).
- When one respondent answered the same instrument twice at one session (a paper form
  entered as well as a link answered, or a retake), the latest stored response counts; the
  flags of the earlier one are kept with it, so a risk answer is never dropped.

Only open episodes (no end date) are evaluated: alerts are for care that can still act on
them.  Alerts raised while an episode was open stay after it ends.

The frame is built from the fetched rows in ``alliance.practice.dashboard.history_frame``
(``build_history``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import pandas as pd
from django.db import connections
from django.db.models import Case, F, IntegerField, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Cast, Concat, NullIf

from alliance.practice.care.models import Client, Session
from alliance.practice.collect.models import Response, ScaleScore
from alliance.practice.dashboard.history_frame import (
    MISSED,
    RESPONSE_FIELDS,
    SCORE_FIELDS,
    SEPARATOR,
    History,
    build_history,
)
from alliance.practice.precompiled import PrecompiledQuery

Episodes = Literal["open", "finished", "all"]


def _scopes(client_id: int | None, organisation_id: int | None, episodes: Episodes) -> tuple[Q, Q]:
    """Filters of the responses and of the sessions in scope."""
    responses, sessions = Q(), Q()
    if client_id is not None:
        responses &= Q(client_id=client_id)
        sessions &= Q(episode__client_id=client_id)
    if organisation_id is not None:
        responses &= Q(client__organisation_id=organisation_id)
        sessions &= Q(episode__client__organisation_id=organisation_id)
    if episodes != "all":
        responses &= Q(episode__ended__isnull=episodes == "open")
        sessions &= Q(episode__ended__isnull=episodes == "open")
    if episodes != "open":
        # follow-ups: answers without a session given after the episode ended are not part
        # of its course (they would otherwise count at the last session); open episodes
        # have no end, so their (hot) queries skip this test
        responses &= ~Q(
            session__isnull=True,
            episode__ended__isnull=False,
            submitted_at__date__gt=F("episode__ended"),
        )
    return responses, sessions


def _prefixed(q: Q, prefix: str) -> Q:
    """``q`` with every lookup (and F() reference) seen from a related model
    (``response__`` + lookup)."""
    out = Q(_connector=q.connector, _negated=q.negated)
    for child in q.children:
        if isinstance(child, Q):
            out.children.append(_prefixed(child, prefix))
        else:
            lookup, value = child
            if isinstance(value, F):
                value = F(prefix + value.name)
            out.children.append((prefix + lookup, value))
    return out


def response_rows(response_scope: Q) -> QuerySet[Any]:
    """The values() query of the responses in scope (``RESPONSE_FIELDS``): one row per
    response, so what a response's scale scores share is read once.  Every column is a
    number or text that needs no conversion, most of them small or NULL, because reading
    many rows costs about a microsecond per cell: session number and attendance come through
    the join to the session, instrument and respondent as one text."""
    return (
        Response.objects.filter(response_scope)
        .annotate(
            session_number=F("session__number"),
            attended_code=Case(
                When(session__status=Session.Status.ATTENDED, then=Value(1)),
                When(session__status__in=MISSED, then=Value(0)),
                default=None,
                output_field=IntegerField(),
            ),
            instrument_respondent=Concat(
                "instrument_id", Value(SEPARATOR), "respondent", output_field=TextField()
            ),
            # NULL (read as the shared None) for the many responses without flags
            flags_text=NullIf(Cast("flags", TextField()), Value("[]", TextField())),
            # the answer's time, only to place a response without a session; as text, so no
            # converter runs on every row (parsed for those few rows in build_history)
            answered_at=Case(
                When(session_id__isnull=True, then=Cast("submitted_at", TextField())),
                default=None,
                output_field=TextField(),
            ),
        )
        .order_by()
        .values_list(*RESPONSE_FIELDS)
    )


def score_values(score_scope: Q) -> QuerySet[Any]:
    """The values() query of the scale scores in scope: response id, scale, value."""
    return ScaleScore.objects.filter(score_scope).order_by().values_list(*SCORE_FIELDS)


def load_history(
    *,
    client_id: int | None = None,
    organisation_id: int | None = None,
    episodes: Episodes = "open",
    instruments: Sequence[str] | None = None,
    respondent: str | None = None,
    scale: str | None = None,
) -> History:
    """The history of the clients in scope (one client, one organisation, or everyone)."""
    narrowed = (organisation_id, instruments, respondent, scale) != (None, None, None, None)
    if client_id is not None and not narrowed:  # after a submission: precompiled SQL
        return build_history(*_one_client_rows(client_id, episodes))
    response_scope, session_scope = _scopes(client_id, organisation_id, episodes)
    if instruments is not None:
        response_scope &= Q(instrument_id__in=list(instruments))
    if respondent is not None:
        response_scope &= Q(respondent=respondent)
    score_scope = _prefixed(response_scope, "response__")
    if scale is not None:
        score_scope &= Q(scale_id=scale)
    return build_history(*_rows(response_scope, score_scope, session_scope))


def _session_rows(session_scope: Q) -> QuerySet[Any]:
    return (
        Session.objects.filter(session_scope)
        .annotate(day=Cast("date", TextField()))
        .order_by()
        .values_list("episode_id", "number", "day", "status")
    )


def _rows(response_scope: Q, score_scope: Q, session_scope: Q) -> tuple[list[Any], ...]:
    responses = fetch_rows(response_rows(response_scope))
    scores = fetch_rows(score_values(score_scope)) if responses else []
    return responses, scores, fetch_rows(_session_rows(session_scope))


def _one_client_queries(episodes: Episodes) -> dict[str, PrecompiledQuery]:
    """The three queries of one client's history, built once per process and scope (after a
    submission, building SQL with the ORM was a third of the feedback time)."""
    if episodes not in _ONE_CLIENT:

        def responses(client_id: int) -> QuerySet[Any]:
            return response_rows(_scopes(client_id, None, episodes)[0])

        def scores(client_id: int) -> QuerySet[Any]:
            scope = _scopes(client_id, None, episodes)[0]
            return score_values(_prefixed(scope, "response__"))

        def sessions(client_id: int) -> QuerySet[Any]:
            return _session_rows(_scopes(client_id, None, episodes)[1])

        _ONE_CLIENT[episodes] = {
            "responses": PrecompiledQuery(responses),
            "scores": PrecompiledQuery(scores),
            "sessions": PrecompiledQuery(sessions),
        }
    return _ONE_CLIENT[episodes]


_ONE_CLIENT: dict[Episodes, dict[str, PrecompiledQuery]] = {}


def _one_client_rows(client_id: int, episodes: Episodes) -> tuple[list[Any], ...]:
    """``_rows`` for one client, from precompiled SQL."""
    queries = _one_client_queries(episodes)
    responses = queries["responses"].rows(client_id)
    scores = queries["scores"].rows(client_id) if responses else []
    return responses, scores, queries["sessions"].rows(client_id)


def fetch_rows(queryset: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a values_list() queryset whose columns need no conversion (numbers and
    text), fetched at once with a DB-API cursor: the ORM builds the SQL, and its per-row
    iteration (a tenth of a second per 100,000 rows) is skipped."""
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def client_history(client: Client | int, *, episodes: Episodes = "open") -> pd.DataFrame:
    """One client's history in the shape ``alliance.feedback.alerts.validate_history``
    expects (see the module docstring for what each column holds)."""
    client_id = client if isinstance(client, int) else client.pk
    return load_history(client_id=client_id, episodes=episodes).frame
