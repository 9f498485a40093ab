"""Histories read from the database for the feedback engine.

``client_history(client)`` (and ``load_history`` for many clients) builds the long
table ``alliance.feedback.alerts`` reads, one row per stored scale score, from ONE values()
query on the scale scores (joined to their responses) and one on the sessions:

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
from alliance.practice.collect.models import ScaleScore
from alliance.practice.dashboard.history_frame import (
    MISSED,
    SCORE_FIELDS,
    SEPARATOR,
    History,
    build_history,
)

Episodes = Literal["open", "finished", "all"]


def _scopes(client_id: int | None, organisation_id: int | None, episodes: Episodes) -> tuple[Q, Q]:
    scores, sessions = Q(), Q()
    if client_id is not None:
        scores &= Q(response__client_id=client_id)
        sessions &= Q(episode__client_id=client_id)
    if organisation_id is not None:
        scores &= Q(response__client__organisation_id=organisation_id)
        sessions &= Q(episode__client__organisation_id=organisation_id)
    if episodes != "all":
        scores &= Q(response__episode__ended__isnull=episodes == "open")
        sessions &= Q(episode__ended__isnull=episodes == "open")
    return scores, sessions


def score_rows(score_scope: Q) -> QuerySet[Any]:
    """The values() query of the history: one row per scale score.  Every column is a
    number or text that needs no conversion, most of them small or NULL, because reading
    a million rows costs about a microsecond per cell: session number and attendance come
    through the join to the session, instrument, respondent and scale as one text."""
    return (
        ScaleScore.objects.filter(score_scope)
        .annotate(
            session_number=F("response__session__number"),
            attended_code=Case(
                When(response__session__status=Session.Status.ATTENDED, then=Value(1)),
                When(response__session__status__in=MISSED, then=Value(0)),
                default=None,
                output_field=IntegerField(),
            ),
            series=Concat(
                "response__instrument_id",
                Value(SEPARATOR),
                "response__respondent",
                Value(SEPARATOR),
                "scale_id",
                output_field=TextField(),
            ),
            # NULL (read as the shared None) for the many responses without flags
            flags_text=NullIf(Cast("response__flags", TextField()), Value("[]", TextField())),
            # the answer's time, only to place a response without a session; as text, so no
            # converter runs on every row (parsed for those few rows in build_history)
            answered_at=Case(
                When(
                    response__session_id__isnull=True,
                    then=Cast("response__submitted_at", TextField()),
                ),
                default=None,
                output_field=TextField(),
            ),
        )
        .order_by()
        .values_list(*SCORE_FIELDS)
    )


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
    score_scope, session_scope = _scopes(client_id, organisation_id, episodes)
    if instruments is not None:
        score_scope &= Q(response__instrument_id__in=list(instruments))
    if respondent is not None:
        score_scope &= Q(response__respondent=respondent)
    if scale is not None:
        score_scope &= Q(scale_id=scale)
    rows = fetch_rows(score_rows(score_scope))
    sessions = fetch_rows(
        Session.objects.filter(session_scope)
        .annotate(day=Cast("date", TextField()))
        .order_by()
        .values_list("episode_id", "number", "day", "status")
    )
    return build_history(rows, sessions)


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
